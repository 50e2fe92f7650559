//! CMS SignedData (RFC 5652 §5), as EF.SOD, EF.CardSecurity and CSCA master lists use it.
//!
//! ```text
//! ContentInfo ::= SEQUENCE { contentType id-signedData, content [0] EXPLICIT SignedData }
//! SignedData ::= SEQUENCE { version CMSVersion, digestAlgorithms SET OF AlgorithmIdentifier,
//!   encapContentInfo SEQUENCE { eContentType OID, eContent [0] EXPLICIT OCTET STRING OPTIONAL },
//!   certificates [0] IMPLICIT CertificateSet OPTIONAL, crls [1] IMPLICIT … OPTIONAL,
//!   signerInfos SET OF SignerInfo }
//! SignerInfo ::= SEQUENCE { version, sid SignerIdentifier, digestAlgorithm,
//!   signedAttrs [0] IMPLICIT SET OF Attribute OPTIONAL, signatureAlgorithm,
//!   signature OCTET STRING, unsignedAttrs [1] IMPLICIT … OPTIONAL }
//! SignerIdentifier ::= CHOICE { issuerAndSerialNumber SEQUENCE { issuer Name, serialNumber INTEGER },
//!   subjectKeyIdentifier [0] OCTET STRING }
//! ```
//!
//! BER input is normalised to DER first ([`crate::tlv::ber`]). The structure is walked
//! with the crate's TLV parser, so the bytes that were hashed and signed (eContent,
//! signedAttrs) are sliced from the input, never re-encoded; the one change CMS demands
//! is the signedAttrs tag, `A0` → `31`, before verifying.

use const_oid::ObjectIdentifier;

use super::LdsError;
use crate::crypto::hash::HashAlg;
use crate::oid;
use crate::tlv::{self, Tag, Tlv};

fn err(reason: &'static str) -> LdsError {
    LdsError::Invalid { file: "SignedData", reason }
}

fn tlv_err(e: tlv::TlvError) -> LdsError {
    LdsError::Tlv { file: "SignedData", source: e }
}

fn oid_of(t: &Tlv<'_>) -> Result<ObjectIdentifier, LdsError> {
    if t.tag != Tag::new(0x06) {
        return Err(err("expected an OBJECT IDENTIFIER"));
    }
    ObjectIdentifier::from_bytes(t.value).map_err(|_| err("malformed OBJECT IDENTIFIER"))
}

/// How a SignerInfo names its certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignerId {
    /// The certificate's issuer (DER `Name`) and serial number (INTEGER content bytes).
    IssuerAndSerial {
        /// The issuer Name, DER.
        issuer: Vec<u8>,
        /// The serial number as encoded.
        serial: Vec<u8>,
    },
    /// The certificate's subject key identifier.
    SubjectKeyId(Vec<u8>),
}

/// One signer of a SignedData.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SignerInfo {
    /// Which certificate signed.
    pub sid: SignerId,
    /// The digest algorithm OID as given.
    pub digest_oid: ObjectIdentifier,
    /// The signature AlgorithmIdentifier, DER.
    pub signature_algorithm: Vec<u8>,
    /// The signature value.
    pub signature: Vec<u8>,
    /// The signed attributes re-tagged as `SET` (`31`), exactly the bytes that were signed.
    pub signed_attrs: Option<Vec<u8>>,
    /// The contentType signed attribute.
    pub content_type: Option<ObjectIdentifier>,
    /// The messageDigest signed attribute.
    pub message_digest: Option<Vec<u8>>,
    /// The signingTime signed attribute (RFC 5652 §11.3), Unix seconds, when present and
    /// readable. Informative only: it says how old a master list is, never whether it holds.
    pub signing_time: Option<u64>,
}

impl SignerInfo {
    /// The digest algorithm, if supported.
    #[must_use]
    pub fn digest_alg(&self) -> Option<HashAlg> {
        HashAlg::from_oid(&self.digest_oid)
    }

    /// The bytes the signature covers: the signed attributes (as a SET) when present,
    /// else the eContent itself (RFC 5652 §5.4).
    #[must_use]
    pub fn signed_bytes<'a>(&'a self, econtent: &'a [u8]) -> &'a [u8] {
        self.signed_attrs.as_deref().unwrap_or(econtent)
    }
}

/// A parsed SignedData.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SignedData {
    /// The encapsulated content type.
    pub econtent_type: ObjectIdentifier,
    /// The encapsulated content (the OCTET STRING's value).
    pub econtent: Vec<u8>,
    /// The certificates carried, DER, in order.
    pub certificates: Vec<Vec<u8>>,
    /// The signers.
    pub signers: Vec<SignerInfo>,
    /// Whether the input was BER and had to be normalised.
    pub was_ber: bool,
}

impl SignedData {
    /// Parses a ContentInfo holding SignedData.
    ///
    /// # Errors
    /// [`LdsError`] for anything that is not a well-formed SignedData.
    pub fn parse(content_info: &[u8]) -> Result<Self, LdsError> {
        let der = tlv::ber::to_der(content_info).map_err(tlv_err)?;
        let was_ber = matches!(der, std::borrow::Cow::Owned(_));
        let ci = Tlv::parse_tagged(&der, Tag::new(0x30)).map_err(tlv_err)?;
        let mut kids = ci.children();
        let ct = kids.next().ok_or(err("empty ContentInfo"))?.map_err(tlv_err)?;
        if oid_of(&ct)? != oid::SIGNED_DATA {
            return Err(err("content type is not id-signedData"));
        }
        let explicit = kids.next().ok_or(err("ContentInfo without content"))?.map_err(tlv_err)?;
        if explicit.tag != Tag::new(0xA0) {
            return Err(err("content is not [0] EXPLICIT"));
        }
        let sd = Tlv::parse_tagged(explicit.value, Tag::new(0x30)).map_err(tlv_err)?;
        let fields: Vec<Tlv<'_>> = sd.children().collect::<Result<_, _>>().map_err(tlv_err)?;
        let mut it = fields.iter();
        let _version = it.next().filter(|t| t.tag == Tag::new(0x02)).ok_or(err("no version"))?;
        let _digests = it.next().filter(|t| t.tag == Tag::new(0x31)).ok_or(err("no digestAlgorithms"))?;
        let encap = it.next().filter(|t| t.tag == Tag::new(0x30)).ok_or(err("no encapContentInfo"))?;
        let mut encap_kids = encap.children();
        let econtent_type = oid_of(&encap_kids.next().ok_or(err("no eContentType"))?.map_err(tlv_err)?)?;
        let econtent = match encap_kids.next() {
            Some(t) => {
                let t = t.map_err(tlv_err)?;
                let octets = Tlv::parse_tagged(t.value, Tag::new(0x04)).map_err(tlv_err)?;
                octets.value.to_vec()
            }
            None => Vec::new(),
        };
        let mut certificates = Vec::new();
        let mut signer_set = None;
        for f in it {
            match f.tag.value() {
                0xA0 => {
                    for c in f.children() {
                        let c = c.map_err(tlv_err)?;
                        // Only X.509 certificates (SEQUENCE); other choices are ignored.
                        if c.tag == Tag::new(0x30) {
                            certificates.push(c.raw.to_vec());
                        }
                    }
                }
                0xA1 => {}
                0x31 => signer_set = Some(*f),
                _ => return Err(err("unexpected field in SignedData")),
            }
        }
        let signers = signer_set
            .ok_or(err("no signerInfos"))?
            .children()
            .map(|s| parse_signer(s.map_err(tlv_err)?))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { econtent_type, econtent, certificates, signers, was_ber })
    }
}

fn parse_signer(si: Tlv<'_>) -> Result<SignerInfo, LdsError> {
    let fields: Vec<Tlv<'_>> = si.children().collect::<Result<_, _>>().map_err(tlv_err)?;
    let mut it = fields.into_iter();
    let _version = it.next().ok_or(err("SignerInfo without version"))?;
    let sid_t = it.next().ok_or(err("SignerInfo without sid"))?;
    let sid = match sid_t.tag.value() {
        0x30 => {
            let mut k = sid_t.children();
            let issuer = k.next().ok_or(err("sid without issuer"))?.map_err(tlv_err)?;
            let serial = k.next().ok_or(err("sid without serial"))?.map_err(tlv_err)?;
            SignerId::IssuerAndSerial { issuer: issuer.raw.to_vec(), serial: serial.value.to_vec() }
        }
        0x80 => SignerId::SubjectKeyId(sid_t.value.to_vec()),
        _ => return Err(err("unknown SignerIdentifier")),
    };
    let digest = it.next().filter(|t| t.tag == Tag::new(0x30)).ok_or(err("SignerInfo without digestAlgorithm"))?;
    let digest_oid = oid_of(&digest.children().next().ok_or(err("empty digestAlgorithm"))?.map_err(tlv_err)?)?;
    let mut next = it.next().ok_or(err("SignerInfo truncated"))?;
    let mut signed_attrs = None;
    let mut content_type = None;
    let mut message_digest = None;
    let mut signing_time = None;
    if next.tag == Tag::new(0xA0) {
        let mut set = next.raw.to_vec();
        if let Some(first) = set.first_mut() {
            *first = 0x31;
        }
        signed_attrs = Some(set);
        for attr in next.children() {
            let attr = attr.map_err(tlv_err)?;
            let mut a = attr.children();
            let t = oid_of(&a.next().ok_or(err("attribute without type"))?.map_err(tlv_err)?)?;
            let values = a.next().ok_or(err("attribute without values"))?.map_err(tlv_err)?;
            let mut vals = values.children();
            let first = vals.next().ok_or(err("attribute with no value"))?.map_err(tlv_err)?;
            if vals.next().is_some() && (t == oid::CONTENT_TYPE || t == oid::MESSAGE_DIGEST) {
                return Err(err("contentType / messageDigest with several values"));
            }
            match t {
                oid::CONTENT_TYPE if content_type.replace(oid_of(&first)?).is_some() => {
                    return Err(err("duplicate contentType attribute"));
                }
                oid::MESSAGE_DIGEST => {
                    if first.tag != Tag::new(0x04) {
                        return Err(err("messageDigest is not an OCTET STRING"));
                    }
                    if message_digest.replace(first.value.to_vec()).is_some() {
                        return Err(err("duplicate messageDigest attribute"));
                    }
                }
                oid::SIGNING_TIME => {
                    use der::Decode;
                    signing_time =
                        x509_cert::time::Time::from_der(first.raw).ok().map(|t| t.to_unix_duration().as_secs());
                }
                _ => {}
            }
        }
        next = it.next().ok_or(err("SignerInfo without signatureAlgorithm"))?;
    }
    if next.tag != Tag::new(0x30) {
        return Err(err("SignerInfo without signatureAlgorithm"));
    }
    let signature_algorithm = next.raw.to_vec();
    let sig = it.next().filter(|t| t.tag == Tag::new(0x04)).ok_or(err("SignerInfo without signature"))?;
    Ok(SignerInfo {
        sid,
        digest_oid,
        signature_algorithm,
        signature: sig.value.to_vec(),
        signed_attrs,
        content_type,
        message_digest,
        signing_time,
    })
}
