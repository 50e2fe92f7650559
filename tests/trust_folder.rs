//! The trust folder: master lists anchored to the roots passchip pins (the real DE and NL
//! lists, fixtures/external/gmrtd, MIT), refused when altered or signed under another
//! root; an ICAO PKD LDIF download built here from real DSCs and a CRL; certificate
//! folders in PEM and DER; the test PKI kept out unless asked for; the audit.
#![cfg(all(feature = "trust-folder", feature = "emulator"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use base64ct::{Base64, Encoding};
use passchip::date::Date;
use passchip::emulator::{SignatureScheme, Validity, VirtualPki};
use passchip::low_level::crypto::ec::NamedCurve;
use passchip::low_level::crypto::hash::HashAlg;
use passchip::pki::folder::{AuditOptions, CertKind, FindingKind, ImportOptions, TrustFolder};
use passchip::pki::{Anchoring, Cert, TrustStore};

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/fixtures/external/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

const DE_ML: &str = "gmrtd/masterlist/DE_ML_2026-05-28-08-28-45.ml";
const NL_ML: &str = "gmrtd/masterlist/NL_ML_2026-07-22.ml";

fn at() -> Date {
    Date::parse("2026-08-01").unwrap()
}

fn tmp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("passchip-trust-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn pki(seed: u64, country: &str) -> VirtualPki {
    let scheme = SignatureScheme::Ecdsa { curve: NamedCurve::P256, explicit: false, hash: HashAlg::Sha256 };
    VirtualPki::generate(seed, country, scheme, Validity::default()).unwrap()
}

/// The CSCA of a DSC, found in the store and verifying it.
fn anchors(store: &TrustStore, dsc: &Cert) -> bool {
    store.issuer_candidates(dsc).iter().any(|t| t.cert.public_key().is_ok_and(|k| dsc.verify_signed_by(k).is_ok()))
}

#[test]
fn the_de_and_nl_master_lists_import_under_their_pinned_roots() {
    let dir = tmp("denl");
    let mut folder = TrustFolder::open(&dir).unwrap();
    let options = ImportOptions::at(at());
    let de = folder.import(&fixture(DE_ML), "DE_ML.ml", None, &options).unwrap();
    assert_eq!((de.kind, de.certificates_added, de.refused.len()), ("master_list", 588, 0), "{de:?}");
    assert!(matches!(&de.anchoring[..], [Anchoring::PinnedRoot { pin, .. }] if pin == "DE"), "{de:?}");
    let nl = folder.import(&fixture(NL_ML), "NL_ML.ml", None, &options).unwrap();
    assert!(matches!(&nl.anchoring[..], [Anchoring::PinnedRoot { pin, .. }] if pin == "NL"), "{nl:?}");
    assert_eq!(nl.certificates_added + nl.certificates_known, 411);
    assert!(nl.certificates_known > 300, "most NL entries are in the DE list too: {nl:?}");
    folder.save().unwrap();

    // Reopened from disk: the index lists them, and the store anchors real DSCs.
    let folder = TrustFolder::open(&dir).unwrap();
    assert_eq!(folder.certificates().len(), 588 + nl.certificates_added);
    assert_eq!(folder.master_lists().len(), 2);
    assert!(folder.master_lists()[0].signed_at.is_some(), "the DE list carries signingTime");
    assert!(folder.certificates().iter().any(|c| c.kind == CertKind::Link), "the DE list has link certificates");
    let store = TrustStore::open(&dir).unwrap();
    assert_eq!(store.origin().map(|o| o.path.clone()), Some(dir.display().to_string()));
    for cc in ["AT", "DE", "FI", "FR", "NZ", "US"] {
        let dsc = Cert::from_der(&fixture(&format!("gmrtd/doc/{cc}/DSC.der"))).unwrap();
        assert!(anchors(&store, &dsc), "{cc} DSC has no anchor in the store");
    }
    // The same again adds nothing.
    let mut folder = TrustFolder::open(&dir).unwrap();
    let again = folder.import(&fixture(DE_ML), "DE_ML.ml", None, &options).unwrap();
    assert_eq!((again.certificates_added, again.certificates_known), (0, 588));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
        let index = std::fs::metadata(dir.join("index.json")).unwrap();
        assert_eq!(index.permissions().mode() & 0o777, 0o600);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn altered_or_foreign_master_lists_are_refused_and_add_nothing() {
    let dir = tmp("refused");
    let mut folder = TrustFolder::open(&dir).unwrap();
    let options = ImportOptions::at(at());
    // One byte of a certificate inside the signed content changed.
    let mut altered = fixture(DE_ML);
    let i = altered.len() / 2;
    altered[i] ^= 0x01;
    let r = folder.import(&altered, "altered.ml", None, &options).unwrap();
    assert_eq!(r.certificates_added, 0);
    assert!(r.refused[0].reason.contains("master list refused"), "{r:?}");
    // The NL list is not signed under the DE root.
    let de_root = Cert::from_der(passchip::pki::pinned::PINNED_ROOTS[0].der).unwrap();
    let r = folder.import(&fixture(NL_ML), "NL.ml", Some(&de_root), &options).unwrap();
    assert!(r.refused[0].reason.contains("does not chain to the given root"), "{r:?}");
    // A list that vouches for itself (its signer under a CSCA inside it): no pinned root.
    let mut own = pki(7, "XA");
    let csca = own.csca().clone();
    let ml = own.master_list(&[&csca], &[]).unwrap();
    let r = folder.import(&ml, "own.ml", None, &options).unwrap();
    assert!(r.refused[0].reason.contains("not a root passchip pins"), "{r:?}");
    // Opting in to unanchored lists still keeps the test PKI out…
    let unanchored = options.clone().trusting_unanchored_master_lists(true);
    let r = folder.import(&ml, "own.ml", None, &unanchored).unwrap();
    assert!(r.refused[0].reason.contains("TEST PKI"), "{r:?}");
    // …and with both, the list is taken and says it is not anchored.
    let both = unanchored.allowing_test_pki(true);
    let r = folder.import(&ml, "own.ml", None, &both).unwrap();
    assert!(matches!(&r.anchoring[..], [Anchoring::NotAnchored { .. }]), "{r:?}");
    assert_eq!(r.certificates_added, 1);
    assert!(folder.certificates().iter().all(|c| c.test_pki));
    let _ = std::fs::remove_dir_all(&dir);
}

/// An LDIF file as the ICAO PKD writes them: base64 values folded at 76 columns.
fn ldif(records: &[(&str, &str, &[u8])]) -> Vec<u8> {
    let mut out = String::from("version: 1\n\n");
    for (dn, attr, value) in records {
        out.push_str(&format!("dn: {dn}\nobjectClass: top\n"));
        let line = format!("{attr}:: {}", Base64::encode_string(value));
        let mut chunks = line.as_bytes().chunks(76);
        if let Some(first) = chunks.next() {
            out.push_str(std::str::from_utf8(first).unwrap());
            out.push('\n');
        }
        for c in chunks {
            out.push(' ');
            out.push_str(std::str::from_utf8(c).unwrap());
            out.push('\n');
        }
        out.push('\n');
    }
    out.into_bytes()
}

#[test]
fn an_icao_pkd_ldif_download_imports_verified_dscs_and_crls() {
    let dir = tmp("ldif");
    let mut folder = TrustFolder::open(&dir).unwrap();
    let options = ImportOptions::at(at()).allowing_test_pki(true);
    // The virtual CSCA as a file (its CRL is signed by its key), then the download.
    let mut virt = pki(11, "XB");
    let csca = virt.csca().clone();
    let dsc = virt.dsc().clone();
    let r = folder.import(csca.der(), "XB-CSCA.der", None, &options).unwrap();
    assert_eq!((r.kind, r.certificates_added), ("certificates", 1));
    let crl = virt.crl(&[&dsc], at(), Date::parse("2026-09-01").unwrap()).unwrap();
    let mut stranger = pki(12, "XB");
    let forged_crl = stranger.crl(&[], at(), Date::parse("2026-09-01").unwrap()).unwrap();
    let unknown_dsc = pki(13, "XC").dsc().clone();
    let de_dsc = fixture("gmrtd/doc/DE/DSC.der");
    let fi_dsc = fixture("gmrtd/doc/FI/DSC.der");
    let file = ldif(&[
        ("cn=DE_ML,o=ml,c=DE,dc=data", "CscaMasterListData", &fixture(DE_ML)),
        ("cn=DE,o=dsc,c=DE,dc=data", "userCertificate;binary", &de_dsc),
        ("cn=FI,o=dsc,c=FI,dc=data", "userCertificate;binary", &fi_dsc),
        ("cn=XC,o=dsc,c=XC,dc=data", "userCertificate;binary", unknown_dsc.der()),
        ("cn=XB,o=crl,c=XB,dc=data", "certificateRevocationList;binary", &crl),
        ("cn=XB2,o=crl,c=XB,dc=data", "certificateRevocationList;binary", &forged_crl),
    ]);
    let r = folder.import(&file, "icaopkd-001-complete-000001.ldif", None, &options).unwrap();
    assert_eq!(r.kind, "ldif");
    assert_eq!((r.certificates_added, r.dscs_added, r.crls_added), (588, 2, 1), "{r:?}");
    let reasons: Vec<&str> = r.refused.iter().map(|x| x.reason.as_str()).collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons[0].contains("no CSCA in the store issued this DSC"), "{reasons:?}");
    assert!(reasons[1].contains("no CSCA in the store signed this CRL"), "{reasons:?}");
    folder.save().unwrap();

    let folder = TrustFolder::open(&dir).unwrap();
    let crls = folder.crls();
    assert_eq!((crls.len(), crls[0].revoked, crls[0].country.as_deref()), (1, 1, Some("XB")));
    assert_eq!(crls[0].verified_by, csca.subject());
    // DSCs are listed, never anchors.
    assert_eq!(folder.certificates().iter().filter(|c| c.kind == CertKind::Dsc).count(), 2);
    let store = folder.trust_store_including_test_pki().unwrap();
    assert_eq!(store.crls().len(), 1);
    let de = Cert::from_der(&de_dsc).unwrap();
    assert!(store.issuer_candidates(&de).iter().all(|t| t.cert.subject() != de.subject()));
    // An older CRL of the same CSCA does not replace the newer one; a newer one does.
    let mut folder = TrustFolder::open(&dir).unwrap();
    let older = virt.crl(&[], Date::parse("2026-07-01").unwrap(), Date::parse("2026-08-01").unwrap()).unwrap();
    let r = folder.import(&older, "older.crl", None, &options).unwrap();
    assert!(r.refused[0].reason.contains("newer one"), "{r:?}");
    let newer = virt.crl(&[], Date::parse("2026-08-15").unwrap(), Date::parse("2026-09-15").unwrap()).unwrap();
    let r = folder.import(&newer, "newer.crl", None, &options).unwrap();
    assert_eq!(r.crls_added, 1);
    folder.save().unwrap();
    let crls = TrustFolder::open(&dir).unwrap().crls();
    assert_eq!((crls.len(), crls[0].revoked), (1, 0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn certificate_files_pem_and_der_and_the_test_pki_mark() {
    let dir = tmp("files");
    let mut folder = TrustFolder::open(&dir).unwrap();
    let at_csca = fixture("gmrtd/doc/AT/CSCA.der");
    let fi_csca = Cert::from_der(&fixture("gmrtd/doc/FI/CSCA.der")).unwrap();
    let pem = pem_rfc7468::encode_string("CERTIFICATE", pem_rfc7468::LineEnding::LF, fi_csca.der()).unwrap();
    let options = ImportOptions::at(at());
    assert_eq!(folder.import(&at_csca, "AT.der", None, &options).unwrap().certificates_added, 1);
    assert_eq!(folder.import(pem.as_bytes(), "FI.pem", None, &options).unwrap().certificates_added, 1);
    // A DSC is no trust anchor.
    let r = folder.import(&fixture("gmrtd/doc/FI/DSC.der"), "FI-DSC.der", None, &options).unwrap();
    assert!(r.refused[0].reason.contains("not a CA certificate"), "{r:?}");
    // The emulator's CSCA carries the test-PKI mark: refused, unless allowed.
    let virt = pki(21, "XD");
    let r = folder.import(virt.csca().der(), "virtual-CSCA.der", None, &options).unwrap();
    assert!(r.refused[0].reason.contains("TEST PKI"), "{r:?}");
    let r =
        folder.import(virt.csca().der(), "virtual-CSCA.der", None, &options.clone().allowing_test_pki(true)).unwrap();
    assert_eq!(r.certificates_added, 1);
    // Garbage is named as such.
    let r = folder.import(b"\x30\x03\x02\x01\x00", "junk.bin", None, &options).unwrap();
    assert_eq!(r.kind, "unknown");
    folder.save().unwrap();
    let folder = TrustFolder::open(&dir).unwrap();
    // The verification store leaves the test PKI out unless asked.
    assert_eq!(folder.trust_store().unwrap().len(), 2);
    assert_eq!(folder.trust_store_including_test_pki().unwrap().len(), 3);
    let audit = folder.audit(&AuditOptions::at(at().to_unix()));
    assert!(audit.findings.iter().any(|f| f.kind == FindingKind::TestPki), "{audit:?}");
    assert!(!audit.is_clean());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_audit_names_what_needs_attention() {
    let dir = tmp("audit");
    let mut folder = TrustFolder::open(&dir).unwrap();
    let empty = folder.audit(&AuditOptions::at(at().to_unix()));
    assert_eq!(empty.findings[0].kind, FindingKind::EmptyStore);
    folder.import(&fixture(DE_ML), "DE_ML.ml", None, &ImportOptions::at(at())).unwrap();
    folder.save().unwrap();
    let mut options = AuditOptions::at(at().to_unix());
    options.master_list_max_age_days = 365;
    assert!(folder.audit(&options).is_clean(), "{:?}", folder.audit(&options));
    // 90 days after signing, the list is old; a country the bank expects has no CSCA.
    options.master_list_max_age_days = 30;
    options.expected_countries = vec!["XZ".into()];
    let audit = folder.audit(&options);
    let kinds: Vec<FindingKind> = audit
        .findings
        .iter()
        .filter(|f| f.severity == passchip::pki::folder::Severity::Attention)
        .map(|f| f.kind)
        .collect();
    assert_eq!(kinds, vec![FindingKind::MasterListOld, FindingKind::CountryWithoutCsca], "{audit:?}");
    // Years later, CSCAs expire with no successor.
    let mut later = options;
    later.now = Date::parse("2034-01-01").unwrap().to_unix();
    let audit = folder.audit(&later);
    assert!(audit.findings.iter().any(|f| f.kind == FindingKind::CscaExpired));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_damaged_index_is_an_error_not_an_empty_store() {
    let dir = tmp("damaged");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.json"), b"{\"format\": \"something else\"}").unwrap();
    assert!(TrustFolder::open(&dir).is_err());
    std::fs::write(
        dir.join("index.json"),
        br#"{"format":"passchip.trust-store/1","updated":0,"generation":1,"certificates_file":"../../etc/passwd","crls_file":"","certificates":[],"crls":[],"master_lists":[]}"#,
    )
    .unwrap();
    assert!(TrustStore::open(&dir).is_err(), "a data file outside the folder is refused");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A kiosk verifies against a store opened from a trust folder, and the visit says which
/// folder and how old: the document is genuine only with the test PKI allowed.
#[test]
fn a_kiosk_visit_names_the_trust_folder_it_rests_on() {
    use passchip::emulator::{VirtualChip, VirtualDocument};
    use passchip::kiosk::Visit;
    use passchip::pki::PaOptions;
    use passchip::reader::{Credentials, ReadOptions, read_document};
    use passchip::transport::InProcess;
    let doc = VirtualDocument::specimen();
    let dir = tmp("kiosk");
    let mut folder = TrustFolder::open(&dir).unwrap();
    let options = ImportOptions::at(at()).allowing_test_pki(true);
    folder.import(doc.pki().unwrap().csca().der(), "virtual-CSCA.der", None, &options).unwrap();
    folder.save().unwrap();
    let read = || {
        read_document(
            InProcess::new(VirtualChip::new(doc.clone())),
            &Credentials::Mrz(doc.mrz_key()),
            ReadOptions::default(),
        )
        .unwrap()
    };
    let store = TrustFolder::open(&dir).unwrap().trust_store_including_test_pki().unwrap();
    let visit = Visit::verify(read(), &store, &PaOptions::at(Date::today()));
    assert!(visit.genuine());
    let origin = visit.trust_store().unwrap();
    assert_eq!(origin.path, dir.display().to_string());
    assert!(passchip::date::now_unix() - origin.updated < 600);
    // The same folder, the test PKI not allowed: nothing anchors the document.
    let visit = Visit::verify(read(), &TrustStore::open(&dir).unwrap(), &PaOptions::at(Date::today()));
    assert!(!visit.genuine());
    let _ = std::fs::remove_dir_all(&dir);
}
