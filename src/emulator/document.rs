//! The virtual document: a person and a document description, rendered into the
//! files a chip serves (EF.COM, DG1, DG2, EF.SOD).

use std::collections::BTreeMap;

use std::sync::Arc;

use super::anti_cloning::{self, AaPrivate, AaSpec, ChipAuthSpec};
use super::face::{self, FACE_JPEG, ImageType};
use super::pki::{SignatureScheme, Validity, VirtualPki};
use super::rng::DetRng;
use super::sod;
use crate::crypto::ec::NamedCurve;
use crate::crypto::hash::HashAlg;
use crate::lds::security_infos::{Cipher, KeyAgreement, Mapping, PaceProtocol};
use crate::lds::{Dg1, DgNumber, EfCom, LdsFile};
use crate::mrz::{MrzKey, check_digit};

/// The MRZ layout of the virtual document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Layout {
    /// Passport booklet, 2 × 44.
    Td3,
    /// ID card, 3 × 30.
    Td1,
}

/// What the virtual document says about its holder and itself. All fields use MRZ
/// conventions: upper case, `<` for filler, dates `YYMMDD`. Build variants with
/// `DocumentSpec { field: …, ..DocumentSpec::specimen() }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentSpec {
    /// MRZ layout.
    pub layout: Layout,
    /// Document code, e.g. `P` or `I`.
    pub document_code: String,
    /// Issuing state, e.g. `SWE`.
    pub issuing_state: String,
    /// Surname(s), MRZ-transliterated, words separated by `<`.
    pub surname: String,
    /// Given names, MRZ-transliterated, words separated by `<`.
    pub given_names: String,
    /// Document number (up to 9 characters here).
    pub document_number: String,
    /// Nationality.
    pub nationality: String,
    /// Date of birth `YYMMDD`.
    pub date_of_birth: String,
    /// `M`, `F` or `<`.
    pub sex: char,
    /// Date of expiry `YYMMDD`.
    pub date_of_expiry: String,
    /// Personal number / optional data (TD3 positions 29–42, TD1 optional data 1).
    pub personal_number: String,
    /// Seed for the chip's nonces, the PKI's keys and anything else generated.
    pub seed: u64,
    /// How the document's PKI signs the SOD; `None` leaves the SOD unsigned.
    pub signature: Option<SignatureScheme>,
    /// The PACE protocol and domain parameter ID the chip offers in EF.CardAccess;
    /// `None` for a BAC-only chip.
    pub pace: Option<(PaceProtocol, u32)>,
    /// The card access number printed on the document.
    pub can: String,
    /// Publish the group of this standardized domain parameter ID as explicit parameters
    /// (a PACEDomainParameterInfo under the PACEInfo's own ID, e.g. 32), the way chips with
    /// proprietary domain parameters do. `None`: the PACEInfo's ID is a standardized one.
    pub pace_explicit: Option<u32>,
    /// With `pace_explicit`: publish the PACEInfo and its PACEDomainParameterInfo without
    /// `parameterId` (ICAO 9303-11 §9.2.1 allows it for a chip with one set; the old BSI
    /// test card does it), and refuse an MSE:Set AT that carries a reference (6A80).
    pub pace_without_parameter_id: bool,
    /// The holder's PIN (eID cards); `None` when the chip has none. Its retry counter
    /// starts at 3: one try left means suspended (CAN first), none left means blocked.
    pub pin: Option<String>,
    /// The PUK that unblocks the PIN (RESET RETRY COUNTER after PACE with the PUK).
    pub puk: Option<String>,
    /// Chip Authentication (a DG14 with its key and protocol); `None`: no CA.
    pub chip_authentication: Option<ChipAuthSpec>,
    /// Active Authentication (a DG15 key); `None`: no AA.
    pub active_authentication: Option<AaSpec>,
    /// A cloned chip: the files (and their signatures) are genuine, but the chip holds
    /// other private keys, so Chip Authentication, PACE-CAM and Active Authentication fail.
    pub cloned: bool,
    /// Data groups left out of the SOD's hash list (e.g. 14: an unauthenticated DG14).
    pub omit_from_sod: Vec<u8>,
    /// Data groups left out of EF.COM's list while the SOD still hashes them (chips that
    /// disagree with themselves: the SOD's list is the truth).
    pub omit_from_com: Vec<u8>,
    /// How DG2 encodes the face.
    pub face: FaceSpec,
    /// Also serve DG5 (displayed portrait), DG7 (displayed signature), DG11 (additional
    /// personal details), DG12 (additional document details) and DG16 (persons to notify).
    pub extra_data_groups: bool,
    /// Serve a DG3 (fingerprints) protected by Extended Access Control: listed and hashed,
    /// but SELECT and READ BINARY of it answer "security status not satisfied" (6982).
    pub eac_protected_dg3: bool,
    /// Data groups given as bytes, in place of (or beside) the generated ones, listed in
    /// EF.COM and signed into the SOD like them: a DG1 with a given MRZ, a DG11 with given
    /// names, dates and numbers. The chip's access keys still follow the spec's fields.
    pub custom_data_groups: Vec<(u8, Vec<u8>)>,
    /// DG11's full name as the issuing state writes it, in its script (`ФЁДОРОВА<<АННА`);
    /// default: the MRZ's name. Used when DG11 is served (`extra_data_groups`).
    pub dg11_full_name: Option<String>,
}

/// The face record standard and image format of the virtual DG2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum FaceSpec {
    /// ISO/IEC 19794-5:2005 with our 240 × 320 JPEG.
    #[default]
    Iso19794_2005Jpeg,
    /// ISO/IEC 19794-5:2005 with the BSI reference set's 413 × 531 JPEG 2000 portrait.
    Iso19794_2005Jpeg2000,
    /// ISO/IEC 19794-5:2011 with our JPEG.
    Iso19794_2011Jpeg,
    /// ISO/IEC 39794-5 with our JPEG.
    Iso39794Jpeg,
}

impl DocumentSpec {
    /// The default virtual passport: Åsa Öberg, Swedish passport, personnummer
    /// 19850412-2386 in the optional data (identity-matching.md test case T03).
    #[must_use]
    pub fn specimen() -> Self {
        Self {
            layout: Layout::Td3,
            document_code: "P".into(),
            issuing_state: "SWE".into(),
            surname: "OEBERG".into(),
            given_names: "AASA".into(),
            document_number: "AA1234567".into(),
            nationality: "SWE".into(),
            date_of_birth: "850412".into(),
            sex: 'F',
            date_of_expiry: "300101".into(),
            personal_number: "8504122386".into(),
            seed: 9303,
            signature: Some(SignatureScheme::Ecdsa {
                curve: NamedCurve::BrainpoolP256r1,
                explicit: true,
                hash: HashAlg::Sha256,
            }),
            pace: Some((
                PaceProtocol { key_agreement: KeyAgreement::Ecdh, mapping: Mapping::Gm, cipher: Cipher::Aes128 },
                13,
            )),
            can: "123456".into(),
            pace_explicit: None,
            pace_without_parameter_id: false,
            pin: None,
            puk: None,
            chip_authentication: Some(ChipAuthSpec::ecdh_aes128()),
            active_authentication: None,
            cloned: false,
            omit_from_sod: Vec::new(),
            omit_from_com: Vec::new(),
            face: FaceSpec::default(),
            extra_data_groups: false,
            eac_protected_dg3: false,
            custom_data_groups: Vec::new(),
            dg11_full_name: None,
        }
    }

    /// A deterministic synthetic document for `seed`: another Swedish passport holder
    /// with a valid personnummer (Luhn) matching the date of birth.
    #[must_use]
    pub fn from_seed(seed: u64) -> Self {
        const SURNAMES: [&str; 8] =
            ["ANDERSSON", "JOHANSSON", "KARLSSON", "NILSSON", "ERIKSSON", "LARSSON", "OLSSON", "PERSSON"];
        const GIVEN: [&str; 8] = ["ANNA", "ERIK", "MARIA", "LARS", "KARIN", "JOHAN", "EVA<LOUISE", "KARL<JOHAN"];
        let mut rng = DetRng::new(seed, "document");
        let pick = |rng: &mut DetRng, list: &[&str]| {
            list.get(rng.below(list.len() as u64) as usize).copied().unwrap_or("X").to_string()
        };
        let yy = 50 + rng.below(50);
        let mm = 1 + rng.below(12);
        let dd = 1 + rng.below(28);
        let serial = rng.below(1000);
        let dob = format!("{yy:02}{mm:02}{dd:02}");
        let nine = format!("{dob}{serial:03}");
        let personal = format!("{nine}{}", luhn_digit(&nine));
        let female = (serial / 10).is_multiple_of(2);
        Self {
            surname: pick(&mut rng, &SURNAMES),
            given_names: pick(&mut rng, &GIVEN),
            document_number: format!("{:02}{:07}", 10 + rng.below(90), rng.below(10_000_000)),
            date_of_birth: dob,
            sex: if female { 'F' } else { 'M' },
            date_of_expiry: format!("{:02}{:02}{:02}", 30 + rng.below(5), 1 + rng.below(12), 1 + rng.below(28)),
            personal_number: personal,
            seed,
            can: format!("{:06}", rng.below(1_000_000)),
            ..Self::specimen()
        }
    }

    fn names_field(&self, width: usize) -> String {
        let mut s = format!("{}<<{}", self.surname, self.given_names);
        s.truncate(width);
        pad(&s, width)
    }

    /// The MRZ lines with every check digit computed.
    #[must_use]
    pub fn mrz_lines(&self) -> Vec<String> {
        let cd = |s: &str| char::from(b'0' + check_digit(s.as_bytes()));
        let doc = pad(&self.document_number, 9);
        match self.layout {
            Layout::Td3 => {
                let l1 =
                    format!("{}{}{}", pad(&self.document_code, 2), pad(&self.issuing_state, 3), self.names_field(39));
                let personal = pad(&self.personal_number, 14);
                let personal_cd = if personal.bytes().all(|b| b == b'<') { '<' } else { cd(&personal) };
                let head = format!(
                    "{doc}{}{}{}{}{}{}{}",
                    cd(&doc),
                    pad(&self.nationality, 3),
                    self.date_of_birth,
                    cd(&self.date_of_birth),
                    self.sex,
                    self.date_of_expiry,
                    cd(&self.date_of_expiry)
                );
                let composite = format!(
                    "{}{}{}{}",
                    &head[..10],
                    &head[13..20],
                    &head[21..28],
                    format_args!("{personal}{personal_cd}")
                );
                let l2 = format!("{head}{personal}{personal_cd}{}", cd(&composite));
                vec![l1, l2]
            }
            Layout::Td1 => {
                let l1 = format!(
                    "{}{}{doc}{}{}",
                    pad(&self.document_code, 2),
                    pad(&self.issuing_state, 3),
                    cd(&doc),
                    pad(&self.personal_number, 15)
                );
                let l2_head = format!(
                    "{}{}{}{}{}{}{}",
                    self.date_of_birth,
                    cd(&self.date_of_birth),
                    self.sex,
                    self.date_of_expiry,
                    cd(&self.date_of_expiry),
                    pad(&self.nationality, 3),
                    pad("", 11)
                );
                let composite = format!("{}{}{}{}", &l1[5..30], &l2_head[..7], &l2_head[8..15], &l2_head[18..29]);
                let l2 = format!("{l2_head}{}", cd(&composite));
                vec![l1, l2, self.names_field(30)]
            }
        }
    }
}

/// EF.CardAccess: one PACEInfo, version 2 (ICAO 9303-11 §9.2.1), and with `explicit` a
/// PACEDomainParameterInfo carrying that standardized group's parameters in full; both
/// without `parameterId` when `parameter_id` is `None`.
fn card_access(protocol: PaceProtocol, parameter_id: Option<u32>, explicit: Option<u32>) -> Vec<u8> {
    use super::asn1::{oid, seq, set, small_int};
    let id = parameter_id.map(small_int).unwrap_or_default();
    let pace_info = seq(&[&oid(&protocol.oid()), &small_int(2), &id]);
    let Some(domain) = explicit.and_then(|id| explicit_domain(protocol, id)) else { return set(&[&pace_info]) };
    // The domain parameter info names the protocol without its cipher arc.
    let full = protocol.oid().to_string();
    let bare = full.rsplit_once('.').map_or(full.as_str(), |(head, _)| head);
    let Ok(bare) = const_oid::ObjectIdentifier::new(bare) else { return set(&[&pace_info]) };
    let domain_info = seq(&[&oid(&bare), &domain, &id]);
    set(&[&pace_info, &domain_info])
}

/// The AlgorithmIdentifier of a standardized group written out explicitly.
fn explicit_domain(protocol: PaceProtocol, id: u32) -> Option<Vec<u8>> {
    use super::asn1::{oid, seq, uint};
    use crate::access::pace::Group;
    match Group::standard(protocol.key_agreement, id)? {
        Group::Ec(curve) => {
            let named = curve.named_curve()?;
            Some(seq(&[&oid(&crate::oid::EC_PUBLIC_KEY), &super::pki::explicit_params(named, &curve)]))
        }
        Group::Dh(g) => {
            let params = seq(&[&uint(&g.modulus()), &uint(&g.encode(g.generator())), &uint(&g.order())]);
            Some(seq(&[&oid(&crate::oid::DH_PUBLIC_NUMBER), &params]))
        }
    }
}

/// The PACE group's static key: the chip's secret (a clone's when cloned) and the
/// genuine public key.
fn pace_ca_key(spec: &DocumentSpec) -> Option<(zeroize::Zeroizing<Vec<u8>>, Vec<u8>)> {
    let (protocol, id) = spec.pace?;
    let id = spec.pace_explicit.unwrap_or(id);
    let group = crate::access::pace::Group::standard(protocol.key_agreement, id)?;
    let crate::access::pace::Group::Ec(_) = group else { return None };
    let label = format!("{:?}-{id}", protocol.key_agreement);
    let genuine = anti_cloning::ca_secret(spec.seed, &group, &label, true)?;
    let chip = anti_cloning::ca_secret(spec.seed, &group, &label, !spec.cloned)?;
    Some((chip, anti_cloning::ca_public(&group, &genuine)?))
}

/// EF.CardSecurity for a PACE-CAM chip: PACEInfo and the chip's Chip Authentication key
/// on the PACE curve, signed by the document signer (BSI TR-03110-3 A.1.2).
fn card_security(spec: &DocumentSpec, pki: Option<&mut VirtualPki>) -> Option<Vec<u8>> {
    use super::asn1::{oid, seq, small_int};
    let (protocol, id) = spec.pace?;
    if protocol.mapping != Mapping::Cam {
        return None;
    }
    let group = crate::access::pace::Group::standard(protocol.key_agreement, spec.pace_explicit.unwrap_or(id))?;
    let (_, pk) = pace_ca_key(spec)?;
    let spki = anti_cloning::ca_spki(&group, &pk)?;
    let ca = crate::chip_auth::CaProtocol { key_agreement: protocol.key_agreement, cipher: protocol.cipher };
    let (ca_info, ca_key) = anti_cloning::ca_infos(ca, None, &spki);
    let pace_info = seq(&[&oid(&protocol.oid()), &small_int(2), &small_int(id)]);
    let infos = super::asn1::set(&[&pace_info, &ca_info, &ca_key]);
    pki?.sign_content(&crate::oid::BSI_SECURITY_OBJECT, &infos).ok()
}

fn pad(s: &str, width: usize) -> String {
    let mut out: String = s.chars().take(width).collect();
    while out.len() < width {
        out.push('<');
    }
    out
}

/// Luhn check digit of a digit string (Swedish personnummer, last digit).
fn luhn_digit(digits: &str) -> u8 {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b.saturating_sub(b'0'));
            if i.is_multiple_of(2) {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// A rendered virtual document: its files, byte-exact as the chip serves them.
#[derive(Debug, Clone)]
pub struct VirtualDocument {
    spec: DocumentSpec,
    lines: Vec<String>,
    files: BTreeMap<LdsFile, Vec<u8>>,
    card_access: Option<Vec<u8>>,
    card_security: Option<Vec<u8>>,
    pki: Option<Arc<VirtualPki>>,
    secrets: ChipSecrets,
    /// PACE-CAM's static key when it is another document's (see
    /// [`VirtualDocument::with_card_security_of`]).
    cam_key: Option<ForeignCamKey>,
}

/// Another document's PACE-CAM key pair; `Debug` shows nothing of it.
#[derive(Clone)]
struct ForeignCamKey(zeroize::Zeroizing<Vec<u8>>, Vec<u8>);

impl core::fmt::Debug for ForeignCamKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ForeignCamKey(..)")
    }
}

/// The private keys inside the chip (a clone's differ from those its files publish).
#[derive(Clone, Default)]
pub(crate) struct ChipSecrets {
    /// Chip Authentication: the group, the chip's secret and the protocol.
    pub(crate) ca: Option<(crate::access::pace::Group, zeroize::Zeroizing<Vec<u8>>, ChipAuthSpec)>,
    /// Active Authentication.
    pub(crate) aa: Option<AaPrivate>,
}

impl core::fmt::Debug for ChipSecrets {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ChipSecrets(..)")
    }
}

impl VirtualDocument {
    /// The default virtual passport ([`DocumentSpec::specimen`]).
    #[must_use]
    pub fn specimen() -> Self {
        Self::build(DocumentSpec::specimen())
    }

    /// A synthetic document for `seed` ([`DocumentSpec::from_seed`]).
    #[must_use]
    pub fn from_seed(seed: u64) -> Self {
        Self::build(DocumentSpec::from_seed(seed))
    }

    /// Renders `spec` into files, signing the SOD with a PKI generated from the seed
    /// when `spec.signature` asks for one (and the certificates are valid by default
    /// from 2024 to 2040).
    #[must_use]
    pub fn build(spec: DocumentSpec) -> Self {
        Self::build_with_validity(spec, Validity::default())
    }

    /// As [`VirtualDocument::build`], with chosen certificate validity (expired DSCs…).
    #[must_use]
    pub fn build_with_validity(spec: DocumentSpec, validity: Validity) -> Self {
        let lines = spec.mrz_lines();
        let dg1 = Dg1::encode(&lines);
        let gender = match spec.sex {
            'M' => 1,
            'F' => 2,
            _ => 0,
        };
        let dg2 = match spec.face {
            FaceSpec::Iso19794_2005Jpeg => face::dg2(&face::face_record(FACE_JPEG, ImageType::Jpeg, 240, 320, gender)),
            FaceSpec::Iso19794_2005Jpeg2000 => {
                face::dg2(&face::face_record(face::face_jpeg2000(), ImageType::Jpeg2000, 413, 531, gender))
            }
            FaceSpec::Iso19794_2011Jpeg => {
                face::dg2(&face::face_record_2011(FACE_JPEG, ImageType::Jpeg, 240, 320, gender))
            }
            FaceSpec::Iso39794Jpeg => face::dg2_39794(&face::face_block_39794(FACE_JPEG, 0, 240, 320)),
        };
        let mut secrets = ChipSecrets::default();
        let mut dg14_infos: Vec<Vec<u8>> = Vec::new();
        if let Some(ca) = spec.chip_authentication
            && let Some(group) = crate::access::pace::Group::standard(ca.protocol.key_agreement, ca.domain)
        {
            let label = format!("{:?}-{}", ca.protocol.key_agreement, ca.domain);
            let genuine = anti_cloning::ca_secret(spec.seed, &group, &label, true);
            let chip = anti_cloning::ca_secret(spec.seed, &group, &label, !spec.cloned);
            if let (Some(genuine), Some(chip)) = (genuine, chip)
                && let Some(spki) =
                    anti_cloning::ca_public(&group, &genuine).and_then(|pk| anti_cloning::ca_spki(&group, &pk))
            {
                let (info, key) = anti_cloning::ca_infos(ca.protocol, ca.key_id, &spki);
                dg14_infos.extend([info, key]);
                secrets.ca = Some((group, chip, ca));
            }
        }
        let mut dg15 = None;
        if let Some(aa) = spec.active_authentication {
            let genuine = anti_cloning::aa_private(spec.seed, aa, true);
            dg15 = genuine.as_ref().and_then(AaPrivate::dg15);
            secrets.aa = if spec.cloned { anti_cloning::aa_private(spec.seed, aa, false) } else { genuine };
            if let AaSpec::Ecdsa { hash, .. } = aa {
                dg14_infos.push(anti_cloning::aa_info(hash));
            }
        }
        // ICAO 9303-11 §9.2.1: a chip that supports PACE lists its PACEInfo in DG14 too,
        // where the SOD signs it: a terminal that was made to use BAC can see it was
        // downgraded.
        if let Some((protocol, id)) = spec.pace {
            use super::asn1::{oid, seq, small_int};
            let omit = spec.pace_without_parameter_id && spec.pace_explicit.is_some();
            let id = if omit { Vec::new() } else { small_int(id) };
            dg14_infos.push(seq(&[&oid(&protocol.oid()), &small_int(2), &id]));
        }
        let dg14 = (!dg14_infos.is_empty()).then(|| {
            let parts: Vec<&[u8]> = dg14_infos.iter().map(Vec::as_slice).collect();
            anti_cloning::dg14(&parts)
        });
        let mut files = BTreeMap::new();
        let holder = super::data_groups::Holder {
            surname: &spec.surname,
            given_names: &spec.given_names,
            dg11_full_name: spec.dg11_full_name.as_deref(),
            personal_number: &spec.personal_number,
            date_of_birth: &spec.date_of_birth,
        };
        let extra = |n: u8| spec.extra_data_groups.then(|| super::data_groups::build(&holder, n)).flatten();
        let dg3 = spec.eac_protected_dg3.then(super::data_groups::dg3);
        let custom = |n: u8, generated: Option<Vec<u8>>| {
            spec.custom_data_groups.iter().find(|(c, _)| *c == n).map(|(_, b)| b.clone()).or(generated)
        };
        let mut dgs: Vec<(DgNumber, Vec<u8>)> = [
            (1u8, Some(dg1)),
            (2, Some(dg2)),
            (3, dg3),
            (5, extra(5)),
            (7, extra(7)),
            (11, extra(11)),
            (12, extra(12)),
            (14, dg14),
            (15, dg15),
            (16, extra(16)),
        ]
        .into_iter()
        .filter_map(|(n, b)| Some((DgNumber::new(n)?, custom(n, b)?)))
        .collect();
        for (n, bytes) in &spec.custom_data_groups {
            if let Some(d) = DgNumber::new(*n).filter(|d| !dgs.iter().any(|(e, _)| e == d)) {
                dgs.push((d, bytes.clone()));
            }
        }
        dgs.sort_by_key(|(d, _)| *d);
        let com = EfCom {
            lds_version: "0107".into(),
            unicode_version: "040000".into(),
            data_groups: dgs.iter().map(|(d, _)| *d).filter(|d| !spec.omit_from_com.contains(&d.get())).collect(),
            unknown_tags: Vec::new(),
        };
        files.insert(LdsFile::Com, com.encode());
        let pairs: Vec<(DgNumber, &[u8])> = dgs
            .iter()
            .filter(|(d, _)| !spec.omit_from_sod.contains(&d.get()))
            .map(|(d, b)| (*d, b.as_slice()))
            .collect();
        let lso = sod::lds_security_object(&pairs);
        let country = crate::pki::country::alpha2(&spec.issuing_state).unwrap_or("UT");
        // A PKI that fails to generate leaves the SOD unsigned: passive authentication
        // then fails visibly instead of the emulator panicking.
        let mut pki = spec.signature.and_then(|scheme| VirtualPki::generate(spec.seed, country, scheme, validity).ok());
        let signed = pki.as_mut().and_then(|p| p.sign_sod(&lso).ok());
        files.insert(LdsFile::Sod, signed.unwrap_or_else(|| sod::ef_sod(&lso)));
        for (d, b) in dgs {
            files.insert(LdsFile::Dg(d), b);
        }
        let card_access = spec.pace.map(|(protocol, id)| {
            let omit = spec.pace_without_parameter_id && spec.pace_explicit.is_some();
            card_access(protocol, (!omit).then_some(id), spec.pace_explicit)
        });
        let card_security = card_security(&spec, pki.as_mut());
        Self { spec, lines, files, card_access, card_security, pki: pki.map(Arc::new), secrets, cam_key: None }
    }

    /// EF.CardAccess (in the master file), when the chip offers PACE.
    #[must_use]
    pub fn card_access(&self) -> Option<&[u8]> {
        self.card_access.as_deref()
    }

    /// The PKI that signed the SOD (its CSCA is the trust anchor to verify against).
    #[must_use]
    pub fn pki(&self) -> Option<&VirtualPki> {
        self.pki.as_deref()
    }

    /// The description it was built from.
    #[must_use]
    pub fn spec(&self) -> &DocumentSpec {
        &self.spec
    }

    /// The MRZ lines printed on the (virtual) document.
    #[must_use]
    pub fn mrz_lines(&self) -> &[String] {
        &self.lines
    }

    /// The MRZ as a user would type it: lines separated by `\n`.
    #[must_use]
    pub fn mrz_text(&self) -> String {
        self.lines.join("\n")
    }

    /// The chip's static key for chip authentication on the PACE curve (PACE-CAM):
    /// `(SK_IC, PK_IC)`, the secret the chip holds and the public key its EF.CardSecurity
    /// publishes (for a cloned chip they do not belong together). `None` unless the chip
    /// offers PACE over ECDH.
    #[must_use]
    pub fn chip_authentication_key(&self) -> Option<(zeroize::Zeroizing<Vec<u8>>, Vec<u8>)> {
        match &self.cam_key {
            Some(ForeignCamKey(secret, public)) => Some((secret.clone(), public.clone())),
            None => pace_ca_key(&self.spec),
        }
    }

    /// This document's files with `other`'s EF.CardSecurity and PACE-CAM key: an attacker
    /// who relays PACE-CAM to their own genuine card (`other`, same model) while serving
    /// the victim's files. Its EF.CardSecurity is validly signed, but for another document.
    #[must_use]
    pub fn with_card_security_of(mut self, other: &VirtualDocument) -> Self {
        self.card_security = other.card_security.clone();
        self.cam_key = other.chip_authentication_key().map(|(secret, public)| ForeignCamKey(secret, public));
        self
    }

    /// EF.CardSecurity (in the master file), when the chip offers PACE-CAM.
    #[must_use]
    pub fn card_security(&self) -> Option<&[u8]> {
        self.card_security.as_deref()
    }

    pub(crate) fn secrets(&self) -> &ChipSecrets {
        &self.secrets
    }

    /// The BAC key from the printed MRZ.
    #[must_use]
    pub fn mrz_key(&self) -> MrzKey {
        MrzKey::from_raw(&self.spec.document_number, &self.spec.date_of_birth, &self.spec.date_of_expiry)
    }

    /// A file's content.
    #[must_use]
    pub fn file(&self, f: LdsFile) -> Option<&[u8]> {
        self.files.get(&f).map(Vec::as_slice)
    }

    /// Every file.
    pub fn files(&self) -> impl Iterator<Item = (LdsFile, &[u8])> {
        self.files.iter().map(|(f, b)| (*f, b.as_slice()))
    }

    /// Replaces (or adds) a file, e.g. to build a tampered or oversized document.
    pub fn set_file(&mut self, f: LdsFile, content: Vec<u8>) {
        self.files.insert(f, content);
    }

    /// Replaces EF.CardAccess (`None`: the chip has none), e.g. to offer more PACE options.
    pub fn set_card_access(&mut self, content: Option<Vec<u8>>) {
        self.card_access = content;
    }

    /// Removes a file.
    pub fn remove_file(&mut self, f: LdsFile) {
        self.files.remove(&f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mrz::Mrz;

    #[test]
    fn specimen_is_identity_case_t03() {
        let d = VirtualDocument::specimen();
        assert_eq!(
            d.mrz_lines(),
            &["P<SWEOEBERG<<AASA<<<<<<<<<<<<<<<<<<<<<<<<<<<", "AA12345678SWE8504124F30010198504122386<<<<72"]
        );
        let m = Mrz::parse(&d.mrz_text()).unwrap();
        assert_eq!(m.document_number, "AA1234567");
        assert_eq!(Dg1::parse(d.file(LdsFile::dg(1).unwrap()).unwrap()).unwrap().mrz, m);
    }

    #[test]
    fn seeded_documents_are_valid_and_reproducible() {
        for seed in 0..50 {
            let d = VirtualDocument::from_seed(seed);
            Mrz::parse(&d.mrz_text()).unwrap_or_else(|e| panic!("seed {seed}: {e}: {:?}", d.mrz_lines()));
            assert_eq!(VirtualDocument::from_seed(seed).mrz_lines(), d.mrz_lines());
        }
        assert_ne!(VirtualDocument::from_seed(1).mrz_lines(), VirtualDocument::from_seed(2).mrz_lines());
    }

    #[test]
    fn td1_layout_is_valid() {
        let spec = DocumentSpec { layout: Layout::Td1, document_code: "I".into(), ..DocumentSpec::specimen() };
        let d = VirtualDocument::build(spec);
        let m = Mrz::parse(&d.mrz_text()).unwrap();
        assert_eq!(m.format, crate::mrz::MrzFormat::Td1);
        assert_eq!(m.optional_data, "8504122386<<<<<");
    }

    #[test]
    fn sod_carries_the_sha256_of_every_data_group() {
        use crate::tlv::{Tag, Tlv};
        use sha2::{Digest, Sha256};
        let d = VirtualDocument::specimen();
        let sod = Tlv::parse_exact(d.file(LdsFile::Sod).unwrap()).unwrap();
        // 77 / ContentInfo / [0] / SignedData / encapContentInfo / [0] / OCTET STRING
        let ci = sod.require(Tag::new(0x30)).unwrap();
        let sd = ci.require(Tag::new(0xA0)).unwrap().require(Tag::new(0x30)).unwrap();
        let encap = sd.children().map(Result::unwrap).find(|t| t.tag == Tag::new(0x30)).unwrap();
        let econtent = encap.require(Tag::new(0xA0)).unwrap().require(Tag::new(0x04)).unwrap();
        let lso = Tlv::parse_exact(econtent.value).unwrap();
        let hashes = lso.children().map(Result::unwrap).nth(2).unwrap();
        let mut seen = 0;
        for entry in hashes.children().map(Result::unwrap) {
            let mut kids = entry.children().map(Result::unwrap);
            let n = kids.next().unwrap().value[0];
            let h = kids.next().unwrap().value;
            let content = d.file(LdsFile::dg(n).unwrap()).unwrap();
            assert_eq!(h, Sha256::digest(content).as_slice(), "DG{n}");
            seen += 1;
        }
        assert_eq!(seen, 3, "DG1, DG2 and DG14");
    }

    #[test]
    fn luhn() {
        // 811218-9876 is the classic valid example.
        assert_eq!(luhn_digit("811218987"), 6);
        assert_eq!(luhn_digit("850412238"), 6);
    }

    #[test]
    fn files_are_well_formed() {
        let d = VirtualDocument::specimen();
        for (f, b) in d.files() {
            crate::tlv::validate(b).unwrap_or_else(|e| panic!("{f}: {e}"));
            assert_eq!(crate::tlv::Tlv::parse_exact(b).unwrap().tag, f.tag());
        }
        assert!(d.file(LdsFile::dg(2).unwrap()).unwrap().len() > 15_000);
    }
}
