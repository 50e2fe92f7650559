//! Every data group round-trips through the virtual chip; the read plan (the SOD's list
//! as the truth, restricted or extended by the caller); DG3 behind Extended Access Control.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use passchip::emulator::{DocumentSpec, FaceSpec, VirtualChip, VirtualDocument};
use passchip::lds::face::{Dg2, DisplayedImages, FaceStandard, ImageFormat};
use passchip::lds::{Dg11, Dg12, Dg16, DgNumber, LdsFile};
use passchip::reader::{Attempt, Credentials, DataGroupPlan, DocumentRead, ReadOptions, read_document};
use passchip::transport::InProcess;

fn dg(n: u8) -> LdsFile {
    LdsFile::dg(n).unwrap()
}

fn read(doc: &VirtualDocument, options: ReadOptions) -> DocumentRead {
    read_document(InProcess::new(VirtualChip::new(doc.clone())), &Credentials::Mrz(doc.mrz_key()), options).unwrap()
}

fn rich(face: FaceSpec) -> VirtualDocument {
    VirtualDocument::build(DocumentSpec { extra_data_groups: true, face, ..DocumentSpec::specimen() })
}

#[test]
fn every_data_group_and_face_standard_round_trips() {
    for (face, standard, format) in [
        (FaceSpec::Iso19794_2005Jpeg, FaceStandard::Iso19794_5_2005, ImageFormat::Jpeg),
        (FaceSpec::Iso19794_2005Jpeg2000, FaceStandard::Iso19794_5_2005, ImageFormat::Jp2),
        (FaceSpec::Iso19794_2011Jpeg, FaceStandard::Iso19794_5_2011, ImageFormat::Jpeg),
        (FaceSpec::Iso39794Jpeg, FaceStandard::Iso39794_5 { generation: 3, year: 2019 }, ImageFormat::Jpeg),
    ] {
        let doc = rich(face);
        let r = read(&doc, ReadOptions::default());
        for (f, content) in doc.files() {
            assert_eq!(r.files.get(&f).map(Vec::as_slice), Some(content), "{face:?}: {f}");
        }
        let dg2 = Dg2::parse(&r.files[&dg(2)]).unwrap();
        let portrait = dg2.portrait().unwrap();
        assert_eq!((portrait.standard, portrait.format), (standard, format), "{face:?}");
        #[cfg(feature = "portrait")]
        assert!(passchip::lds::portrait::to_png(portrait.data).is_ok(), "{face:?}");
    }
    let r = read(&rich(FaceSpec::default()), ReadOptions::default());
    let dg5 = DisplayedImages::parse(&r.files[&dg(5)]).unwrap();
    assert_eq!((dg5.dg, dg5.images[0].0), (5, ImageFormat::Jpeg));
    assert_eq!(DisplayedImages::parse(&r.files[&dg(7)]).unwrap().dg, 7);
    let dg11 = Dg11::parse(&r.files[&dg(11)]).unwrap();
    assert_eq!(dg11.full_name_primary.as_deref(), Some("OEBERG"));
    assert_eq!(dg11.personal_number.as_deref(), Some("8504122386"));
    assert_eq!(dg11.full_date_of_birth.map(|d| d.to_string()).as_deref(), Some("1985-04-12"));
    assert_eq!(dg11.place_of_birth.as_deref(), Some("STOCKHOLM SWE"));
    assert_eq!(dg11.profession.as_deref(), Some("ENGINEER"));
    let dg12 = Dg12::parse(&r.files[&dg(12)]).unwrap();
    assert_eq!(dg12.issuing_authority.as_deref(), Some("POLISMYNDIGHETEN"));
    assert_eq!(dg12.date_of_issue.map(|d| d.to_string()).as_deref(), Some("2020-01-02"));
    assert_eq!(dg12.personalization_time.as_deref(), Some("2020-01-02T10:15:00"));
    let dg16 = Dg16::parse(&r.files[&dg(16)]).unwrap();
    assert_eq!(dg16.persons[0].name.as_deref(), Some("OEBERG<<ERIK"));
    assert!(r.eac_protected.is_empty() && r.missing.is_empty());
}

#[test]
fn dg3_behind_eac_is_reported_and_the_read_goes_on() {
    let doc = VirtualDocument::build(DocumentSpec { eac_protected_dg3: true, ..DocumentSpec::specimen() });
    // By default no command is spent on it: it is listed, reported, not read.
    let plain = read(&doc, ReadOptions::default());
    assert_eq!(plain.eac_protected, [dg(3)]);
    // What the chip keeps behind EAC is a finger template.
    let dg3 = passchip::lds::face::biometric_templates(doc.file(dg(3)).unwrap()).unwrap();
    assert_eq!(dg3[0].header.biometric_type, Some(8));
    assert!(!plain.files.contains_key(&dg(3)));
    let without_dg3 = read(&VirtualDocument::specimen(), ReadOptions::default());
    assert_eq!(plain.stats.phases.read.apdus, without_dg3.stats.phases.read.apdus, "a command was spent on DG3");
    // Asked for, the chip refuses it inside secure messaging; the read continues past it
    // and Chip Authentication still runs on the same channel afterwards.
    let asked =
        read(&doc, ReadOptions::default().with_data_groups(DataGroupPlan::ListedAnd(vec![DgNumber::new(3).unwrap()])));
    assert_eq!(asked.eac_protected, [dg(3)]);
    assert!(!asked.files.contains_key(&dg(3)));
    for n in [1, 2, 14] {
        assert_eq!(asked.files.get(&dg(n)).map(Vec::as_slice), doc.file(dg(n)), "DG{n}");
    }
    assert!(matches!(asked.anti_cloning.chip_authentication, Attempt::Passed(_)));
    assert!(asked.stats.phases.read.apdus > plain.stats.phases.read.apdus);
    // The protected group is in the SOD: passive authentication reports it as not read,
    // not as tampered (its hash is simply not checked).
    assert!(
        passchip::lds::Sod::parse(&asked.files[&LdsFile::Sod])
            .unwrap()
            .security_object
            .hashes
            .contains_key(&DgNumber::new(3).unwrap())
    );
}

#[test]
fn the_sod_list_is_the_truth_and_the_caller_can_restrict_it() {
    // EF.COM forgets DG2 and DG14; the SOD hashes them: they are read.
    let doc = VirtualDocument::build(DocumentSpec { omit_from_com: vec![2, 14], ..DocumentSpec::specimen() });
    let r = read(&doc, ReadOptions::default());
    assert!(!r.com.as_ref().unwrap().data_groups.contains(&DgNumber::new(2).unwrap()));
    assert_eq!(r.files.get(&dg(2)).map(Vec::as_slice), doc.file(dg(2)));
    assert_eq!(r.files.get(&dg(14)).map(Vec::as_slice), doc.file(dg(14)));
    // Only DG1: EF.COM, EF.SOD and DG1, nothing else (a quick holder check).
    let only = read(
        &VirtualDocument::specimen(),
        ReadOptions::default().with_data_groups(DataGroupPlan::Only(vec![DgNumber::new(1).unwrap()])),
    );
    assert_eq!(only.files.keys().copied().collect::<Vec<_>>(), [LdsFile::Com, dg(1), LdsFile::Sod]);
    assert!(only.dg1.is_some());
    // A data group no list names, asked for, and absent: reported missing.
    let extra = read(
        &VirtualDocument::specimen(),
        ReadOptions::default().with_data_groups(DataGroupPlan::ListedAnd(vec![DgNumber::new(12).unwrap()])),
    );
    assert_eq!(extra.missing, [dg(12)]);
}

#[test]
fn reading_dg3_directly_says_protected_by_eac_and_the_channel_stays_up() {
    use passchip::reader::{ReadError, Session};
    let doc = VirtualDocument::build(DocumentSpec { eac_protected_dg3: true, ..DocumentSpec::specimen() });
    for sfi in [true, false] {
        let mut session =
            Session::new(InProcess::new(VirtualChip::new(doc.clone())), ReadOptions::default().with_sfi(sfi));
        session.select_application().unwrap();
        let mut secured = session.bac(&doc.mrz_key()).map_err(|(_, e)| e).unwrap();
        let e = secured.read_file(dg(3)).unwrap_err();
        assert_eq!(e, ReadError::EacProtected { file: "DG3".into() }, "sfi {sfi}");
        assert!(e.to_string().contains("protected by EAC"), "{e}");
        assert_eq!(secured.read_file(dg(1)).unwrap().as_deref(), doc.file(dg(1)), "sfi {sfi}");
    }
}

#[test]
fn a_chip_that_ends_secure_messaging_refusing_dg3_is_opened_again_and_read_completely() {
    use passchip::emulator::ChipProfile;
    use passchip::reader::AccessPolicy;
    let doc = VirtualDocument::build(DocumentSpec { eac_protected_dg3: true, ..DocumentSpec::specimen() });
    let ask = DataGroupPlan::ListedAnd(vec![DgNumber::new(3).unwrap()]);
    for policy in [AccessPolicy::Auto, AccessPolicy::BacOnly] {
        let chip = VirtualChip::with_profile(doc.clone(), ChipProfile::modern().with_eac_refusal_ending_sm(true));
        let options = ReadOptions::default().with_access(policy).with_data_groups(ask.clone());
        let r = read_document(InProcess::new(chip), &Credentials::Mrz(doc.mrz_key()), options).unwrap();
        assert_eq!(r.eac_protected, [dg(3)], "{policy:?}");
        for (f, content) in doc.files().filter(|(f, _)| *f != dg(3)) {
            assert_eq!(r.files.get(&f).map(Vec::as_slice), Some(content), "{policy:?}: {f}");
        }
        assert!(matches!(r.anti_cloning.chip_authentication, Attempt::Passed(_)), "{policy:?}");
        // Access control ran twice: once more than on a chip that keeps the channel.
        let calm = read(&doc, ReadOptions::default().with_access(policy).with_data_groups(ask.clone()));
        assert!(r.stats.phases.access.apdus > calm.stats.phases.access.apdus, "{policy:?}");
    }
}
