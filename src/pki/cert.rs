//! X.509 certificates as eMRTD PKI uses them (ICAO 9303-12 §7): CSCA, DSC, link and
//! master-list signer certificates.
//!
//! A [`Cert`] keeps the bytes it was parsed from. Its signature is checked over the
//! ORIGINAL `tbsCertificate` bytes, sliced with the crate's TLV parser, never over a
//! re-encoding (real CSCAs carry DER that a re-encoder would "fix"). Parsing uses
//! x509-cert's `Raw` profile, which accepts what issuers ship (long or negative serial
//! numbers, …); the checks that matter are made by `pki::path`, by name.

use std::ops::Range;

use der::Decode;
use x509_cert::certificate::{CertificateInner, Raw};
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, BasicConstraints, KeyUsage, SubjectKeyIdentifier};
use x509_cert::name::Name;

use super::PkiError;
use crate::crypto::sig::{self, AlgorithmId, PublicKey, SigError, SignatureAlgorithm};
use crate::tlv::{Tag, Tlv};

/// countryName (X.520).
const COUNTRY_NAME: const_oid::ObjectIdentifier = const_oid::ObjectIdentifier::new_unwrap("2.5.4.6");

/// A parsed certificate with its original encoding.
#[derive(Clone)]
pub struct Cert {
    der: Vec<u8>,
    tbs: Range<usize>,
    subject_raw: Range<usize>,
    issuer_raw: Range<usize>,
    subject_text: std::sync::OnceLock<String>,
    issuer_text: std::sync::OnceLock<String>,
    sig_alg: Range<usize>,
    signature: Range<usize>,
    spki: Range<usize>,
    parsed: CertificateInner<Raw>,
    key: Result<PublicKey, SigError>,
}

impl core::fmt::Debug for Cert {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Cert({})", self.subject())
    }
}

impl PartialEq for Cert {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

fn range_of(outer: &[u8], inner: &[u8]) -> Range<usize> {
    let start = (inner.as_ptr() as usize).saturating_sub(outer.as_ptr() as usize);
    start..start + inner.len()
}

impl Cert {
    /// Parses a DER certificate (exactly one, no trailing data).
    ///
    /// # Errors
    /// [`PkiError::BadCertificate`].
    pub fn from_der(der: &[u8]) -> Result<Self, PkiError> {
        let bad = |m: String| PkiError::BadCertificate(m);
        let outer = Tlv::parse_tagged(der, Tag::new(0x30)).map_err(|e| bad(e.to_string()))?;
        let mut kids = outer.children();
        let mut next = |what: &str| -> Result<Tlv<'_>, PkiError> {
            kids.next().ok_or_else(|| bad(format!("missing {what}")))?.map_err(|e| bad(e.to_string()))
        };
        let tbs = next("tbsCertificate")?;
        let sig_alg = next("signatureAlgorithm")?;
        let signature = next("signature")?;
        if tbs.tag != Tag::new(0x30) || signature.tag != Tag::new(0x03) {
            return Err(bad("not a certificate".into()));
        }
        let parsed = CertificateInner::<Raw>::from_der(der).map_err(|e| bad(e.to_string()))?;
        // SubjectPublicKeyInfo is the 7th field of tbsCertificate with [0] version, else the 6th.
        let fields: Vec<Tlv<'_>> = tbs.children().collect::<Result<_, _>>().map_err(|e| bad(e.to_string()))?;
        let skip = usize::from(fields.first().is_some_and(|f| f.tag == Tag::new(0xA0)));
        let spki = fields.get(5 + skip).copied().ok_or_else(|| bad("no subjectPublicKeyInfo".into()))?;
        let issuer = fields.get(2 + skip).copied().ok_or_else(|| bad("no issuer".into()))?;
        let subject = fields.get(4 + skip).copied().ok_or_else(|| bad("no subject".into()))?;
        let key = PublicKey::from_spki_tlv(spki);
        Ok(Self {
            der: der.to_vec(),
            tbs: range_of(der, tbs.raw),
            subject_raw: range_of(der, subject.raw),
            issuer_raw: range_of(der, issuer.raw),
            subject_text: std::sync::OnceLock::new(),
            issuer_text: std::sync::OnceLock::new(),
            sig_alg: range_of(der, sig_alg.raw),
            signature: range_of(der, signature.value),
            spki: range_of(der, spki.raw),
            parsed,
            key,
        })
    }

    /// Parses DER or PEM (`-----BEGIN CERTIFICATE-----`, one or more blocks), as
    /// certificate folders hold them. A PEM certificate keeps the DER its block carries:
    /// signatures are checked over those bytes, never over a re-encoding.
    ///
    /// # Errors
    /// [`PkiError::BadCertificate`].
    pub fn from_der_or_pem(bytes: &[u8]) -> Result<Vec<Self>, PkiError> {
        if super::pem::is_pem(bytes) {
            let blocks = super::pem::blocks(bytes, "CERTIFICATE").map_err(PkiError::BadCertificate)?;
            return blocks.iter().map(|d| Self::from_der(d)).collect();
        }
        Self::from_der(bytes).map(|c| vec![c])
    }

    /// The encoding the certificate was parsed from.
    #[must_use]
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The original `tbsCertificate` bytes (what the issuer signed).
    #[must_use]
    pub fn tbs_bytes(&self) -> &[u8] {
        self.der.get(self.tbs.clone()).unwrap_or_default()
    }

    /// The subject name.
    #[must_use]
    pub fn subject_name(&self) -> &Name {
        self.parsed.tbs_certificate().subject()
    }

    /// The issuer name.
    #[must_use]
    pub fn issuer_name(&self) -> &Name {
        self.parsed.tbs_certificate().issuer()
    }

    /// The subject as an RFC 4514 string (formatted once, then cached).
    #[must_use]
    pub fn subject(&self) -> String {
        self.subject_text.get_or_init(|| self.subject_name().to_string()).clone()
    }

    /// The issuer as an RFC 4514 string (formatted once, then cached).
    #[must_use]
    pub fn issuer(&self) -> String {
        self.issuer_text.get_or_init(|| self.issuer_name().to_string()).clone()
    }

    /// The subject Name exactly as encoded.
    #[must_use]
    pub fn subject_der(&self) -> &[u8] {
        self.der.get(self.subject_raw.clone()).unwrap_or_default()
    }

    /// The issuer Name exactly as encoded.
    #[must_use]
    pub fn issuer_der(&self) -> &[u8] {
        self.der.get(self.issuer_raw.clone()).unwrap_or_default()
    }

    /// The serial number, hex.
    #[must_use]
    pub fn serial_hex(&self) -> String {
        self.serial().iter().map(|b| format!("{b:02X}")).collect()
    }

    /// The serial number bytes as encoded.
    #[must_use]
    pub fn serial(&self) -> &[u8] {
        self.parsed.tbs_certificate().serial_number().as_bytes()
    }

    /// The country (C=) of a name, upper case.
    pub(crate) fn country_of(name: &Name) -> Option<String> {
        name.iter_rdn()
            .flat_map(|rdn| rdn.iter())
            .find(|atv| atv.oid == COUNTRY_NAME)
            .map(|atv| String::from_utf8_lossy(atv.value.value()).trim().to_ascii_uppercase())
    }

    /// The first value of a subject attribute (e.g. `2.5.4.5` serialNumber, `2.5.4.42`
    /// givenName, `2.5.4.4` surname) as text.
    #[must_use]
    pub fn subject_attribute(&self, oid: &str) -> Option<String> {
        let want = const_oid::ObjectIdentifier::new(oid).ok()?;
        self.subject_name()
            .iter_rdn()
            .flat_map(|rdn| rdn.iter())
            .find(|atv| atv.oid == want)
            .map(|atv| String::from_utf8_lossy(atv.value.value()).trim().to_string())
    }

    /// The raw value (the OCTET STRING's content) of an extension, if present.
    #[must_use]
    pub fn extension_value(&self, oid: &str) -> Option<Vec<u8>> {
        let want = const_oid::ObjectIdentifier::new(oid).ok()?;
        self.parsed
            .tbs_certificate()
            .extensions()?
            .iter()
            .find(|e| e.extn_id == want)
            .map(|e| e.extn_value.as_bytes().to_vec())
    }

    /// The subject's country (C=).
    #[must_use]
    pub fn subject_country(&self) -> Option<String> {
        Self::country_of(self.subject_name())
    }

    /// The issuer's country (C=).
    #[must_use]
    pub fn issuer_country(&self) -> Option<String> {
        Self::country_of(self.issuer_name())
    }

    /// notBefore, seconds since the Unix epoch.
    #[must_use]
    pub fn not_before(&self) -> u64 {
        self.parsed.tbs_certificate().validity().not_before.to_unix_duration().as_secs()
    }

    /// notAfter, seconds since the Unix epoch.
    #[must_use]
    pub fn not_after(&self) -> u64 {
        self.parsed.tbs_certificate().validity().not_after.to_unix_duration().as_secs()
    }

    /// Whether `unix_seconds` lies within the validity period.
    #[must_use]
    pub fn valid_at(&self, unix_seconds: u64) -> bool {
        (self.not_before()..=self.not_after()).contains(&unix_seconds)
    }

    /// The subject key identifier extension.
    #[must_use]
    pub fn subject_key_id(&self) -> Option<Vec<u8>> {
        let ext = self.parsed.tbs_certificate().get_extension::<SubjectKeyIdentifier>().ok()??;
        Some(ext.1.0.as_bytes().to_vec())
    }

    /// The authority key identifier's keyIdentifier.
    #[must_use]
    pub fn authority_key_id(&self) -> Option<Vec<u8>> {
        let ext = self.parsed.tbs_certificate().get_extension::<AuthorityKeyIdentifier>().ok()??;
        ext.1.key_identifier.map(|k| k.as_bytes().to_vec())
    }

    /// The one extension with `oid`, decoded: `Ok(None)` when absent; an error when it is
    /// present more than once (RFC 5280 §4.2) or does not decode, so that a malformed
    /// constraint never counts as an absent one.
    fn unique_extension<T: for<'a> der::Decode<'a>>(&self, oid: &str) -> Result<Option<T>, String> {
        let want = const_oid::ObjectIdentifier::new(oid).map_err(|e| e.to_string())?;
        let mut found = self.parsed.tbs_certificate().extensions().into_iter().flatten().filter(|e| e.extn_id == want);
        let Some(first) = found.next() else { return Ok(None) };
        if found.next().is_some() {
            return Err(format!("the {oid} extension appears more than once"));
        }
        T::from_der(first.extn_value.as_bytes()).map(Some).map_err(|e| format!("the {oid} extension is malformed: {e}"))
    }

    /// Basic constraints: `Some(true)` for a CA, `None` when the extension is absent.
    ///
    /// # Errors
    /// A description when the extension is duplicated or malformed.
    pub fn is_ca(&self) -> Result<Option<bool>, String> {
        Ok(self.unique_extension::<BasicConstraints>("2.5.29.19")?.map(|b| b.ca))
    }

    /// Key usage: (digitalSignature, keyCertSign), or `None` when the extension is absent.
    ///
    /// # Errors
    /// A description when the extension is duplicated or malformed.
    pub fn key_usage(&self) -> Result<Option<(bool, bool)>, String> {
        Ok(self.unique_extension::<KeyUsage>("2.5.29.15")?.map(|k| (k.digital_signature(), k.key_cert_sign())))
    }

    /// Critical extensions this verifier does not process (RFC 5280 §4.2: a certificate
    /// with one must be rejected), by OID.
    #[must_use]
    pub fn unknown_critical_extensions(&self) -> Vec<String> {
        /// Extensions understood here (or with no bearing on eMRTD path validation, which
        /// has no policy or name processing): SKI, keyUsage, private key usage period,
        /// subject and issuer alternative names, basicConstraints, CRL distribution
        /// points, certificate policies, AKI, extended key usage, authority information
        /// access, subject directory attributes, ICAO's document type list (9303-12 §7.1).
        const KNOWN: [&str; 13] = [
            "2.5.29.14",
            "2.5.29.15",
            "2.5.29.16",
            "2.5.29.17",
            "2.5.29.18",
            "2.5.29.19",
            "2.5.29.31",
            "2.5.29.32",
            "2.5.29.35",
            "2.5.29.37",
            "1.3.6.1.5.5.7.1.1",
            "2.5.29.9",
            "2.23.136.1.1.6.2",
        ];
        self.parsed
            .tbs_certificate()
            .extensions()
            .into_iter()
            .flatten()
            .filter(|e| e.critical && !KNOWN.contains(&e.extn_id.to_string().as_str()))
            .map(|e| e.extn_id.to_string())
            .collect()
    }

    /// Subject and issuer names are equal (a CSCA or a link certificate).
    #[must_use]
    pub fn is_self_issued(&self) -> bool {
        super::name::names_match(self.subject_name(), self.issuer_name())
    }

    /// The subject public key, tolerating one known issuer error: an EC point on the
    /// other standardized curve of the same size than the one stated
    /// ([`PublicKey::from_spki_tlv_tolerating_curve_mismatch`]), returned so it is named.
    ///
    /// # Errors
    /// [`SigError`] as for [`Cert::public_key`] when the key is not that case.
    pub fn public_key_tolerating_curve_mismatch(&self) -> Result<(PublicKey, Option<sig::CurveMismatch>), SigError> {
        let spki = self.der.get(self.spki.clone()).ok_or_else(|| SigError::BadKey("subjectPublicKeyInfo".into()))?;
        let tlv = Tlv::parse_exact(spki).map_err(|e| SigError::BadKey(e.to_string()))?;
        PublicKey::from_spki_tlv_tolerating_curve_mismatch(tlv)
    }

    /// The subject public key.
    ///
    /// # Errors
    /// The [`SigError`] met while parsing it.
    pub fn public_key(&self) -> Result<&PublicKey, SigError> {
        self.key.as_ref().map_err(Clone::clone)
    }

    /// The algorithm the issuer signed with.
    ///
    /// # Errors
    /// [`SigError`] for an unknown or malformed algorithm.
    pub fn signature_algorithm(&self) -> Result<SignatureAlgorithm, SigError> {
        let raw = self.der.get(self.sig_alg.clone()).unwrap_or_default();
        let t = Tlv::parse_exact(raw).map_err(|e| SigError::BadKey(e.to_string()))?;
        SignatureAlgorithm::from_algorithm_id(&AlgorithmId::parse(t)?, None)
    }

    /// Checks that `issuer_key` signed this certificate.
    ///
    /// # Errors
    /// [`SigError::Invalid`] when it did not, or why it could not be checked.
    pub fn verify_signed_by(&self, issuer_key: &PublicKey) -> Result<(), SigError> {
        let alg = self.signature_algorithm()?;
        let bits = self.der.get(self.signature.clone()).unwrap_or_default();
        let sig = match bits.split_first() {
            Some((0, s)) => s,
            _ => return Err(SigError::MalformedSignature("signature BIT STRING has unused bits")),
        };
        sig::verify(issuer_key, &alg, self.tbs_bytes(), sig)
    }
}
