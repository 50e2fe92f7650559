//! Certificate revocation lists (RFC 5280 §5; ICAO 9303-12 §7.1.4): CSCAs publish which
//! DSCs they revoked.
//!
//! ```text
//! CertificateList ::= SEQUENCE { tbsCertList TBSCertList, signatureAlgorithm, signatureValue BIT STRING }
//! TBSCertList ::= SEQUENCE { version INTEGER OPTIONAL, signature AlgorithmIdentifier, issuer Name,
//!   thisUpdate Time, nextUpdate Time OPTIONAL,
//!   revokedCertificates SEQUENCE OF SEQUENCE { userCertificate INTEGER, revocationDate Time, … } OPTIONAL,
//!   crlExtensions [0] EXPLICIT Extensions OPTIONAL }
//! ```
//!
//! The signature is checked over the original tbsCertList bytes.

use std::collections::HashSet;

use der::Decode;
use x509_cert::name::Name;
use x509_cert::time::Time;

use super::PkiError;
use crate::crypto::sig::{self, AlgorithmId, PublicKey, SigError, SignatureAlgorithm};
use crate::tlv::{Tag, Tlv};

/// A parsed CRL.
#[derive(Debug, Clone)]
pub struct Crl {
    tbs: Vec<u8>,
    sig_alg: Vec<u8>,
    signature: Vec<u8>,
    issuer: Name,
    this_update: u64,
    next_update: Option<u64>,
    revoked: HashSet<Vec<u8>>,
}

fn trim(b: &[u8]) -> &[u8] {
    let z = b.iter().take_while(|&&x| x == 0).count();
    b.get(z..).unwrap_or_default()
}

fn time(t: &Tlv<'_>) -> Result<u64, PkiError> {
    Time::from_der(t.raw).map(|t| t.to_unix_duration().as_secs()).map_err(|e| PkiError::BadCrl(format!("time: {e}")))
}

impl Crl {
    /// Parses a DER CRL (PEM is accepted too).
    ///
    /// # Errors
    /// [`PkiError::BadCrl`].
    pub fn from_der(bytes: &[u8]) -> Result<Self, PkiError> {
        let der_owned;
        let der = if super::pem::is_pem(bytes) {
            der_owned = super::pem::blocks(bytes, "X509 CRL").map_err(PkiError::BadCrl)?;
            match der_owned.as_slice() {
                [one] => one.as_slice(),
                _ => return Err(PkiError::BadCrl("PEM: expected one X509 CRL block".into())),
            }
        } else {
            bytes
        };
        let bad = |m: String| PkiError::BadCrl(m);
        let outer = Tlv::parse_tagged(der, Tag::new(0x30)).map_err(|e| bad(e.to_string()))?;
        let parts: Vec<Tlv<'_>> = outer.children().collect::<Result<_, _>>().map_err(|e| bad(e.to_string()))?;
        let [tbs, sig_alg, signature] = parts.as_slice() else { return Err(bad("not a CertificateList".into())) };
        let fields: Vec<Tlv<'_>> = tbs.children().collect::<Result<_, _>>().map_err(|e| bad(e.to_string()))?;
        let mut i = usize::from(fields.first().is_some_and(|f| f.tag == Tag::new(0x02)));
        let field = |i: usize| fields.get(i).copied().ok_or_else(|| bad("tbsCertList too short".into()));
        i += 1; // signature algorithm (repeated outside)
        let issuer = Name::from_der(field(i)?.raw).map_err(|e| bad(format!("issuer: {e}")))?;
        let this_update = time(&field(i + 1)?)?;
        i += 2;
        let mut next_update = None;
        if let Some(t) = fields.get(i).filter(|t| matches!(t.tag.value(), 0x17 | 0x18)) {
            next_update = Some(time(t)?);
            i += 1;
        }
        let mut revoked = HashSet::new();
        if let Some(list) = fields.get(i).filter(|t| t.tag == Tag::new(0x30)) {
            for entry in list.children() {
                let entry = entry.map_err(|e| bad(e.to_string()))?;
                let serial = entry.children().next().ok_or_else(|| bad("empty revoked entry".into()))?;
                let serial = serial.map_err(|e| bad(e.to_string()))?;
                revoked.insert(trim(serial.value).to_vec());
            }
        }
        let signature = match signature.value.split_first() {
            Some((0, s)) if signature.tag == Tag::new(0x03) => s.to_vec(),
            _ => return Err(bad("signatureValue".into())),
        };
        Ok(Self {
            tbs: tbs.raw.to_vec(),
            sig_alg: sig_alg.raw.to_vec(),
            signature,
            issuer,
            this_update,
            next_update,
            revoked,
        })
    }

    /// The issuing CSCA's name.
    #[must_use]
    pub fn issuer(&self) -> &Name {
        &self.issuer
    }

    /// thisUpdate (Unix seconds).
    #[must_use]
    pub fn this_update(&self) -> u64 {
        self.this_update
    }

    /// nextUpdate (Unix seconds), if given.
    #[must_use]
    pub fn next_update(&self) -> Option<u64> {
        self.next_update
    }

    /// Whether the serial number (as encoded in a certificate) is listed.
    #[must_use]
    pub fn is_revoked(&self, serial: &[u8]) -> bool {
        self.revoked.contains(trim(serial))
    }

    /// Number of revoked entries.
    #[must_use]
    pub fn len(&self) -> usize {
        self.revoked.len()
    }

    /// Whether no certificate is revoked.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.revoked.is_empty()
    }

    /// Checks the CRL's signature with the CSCA key.
    ///
    /// # Errors
    /// [`SigError`].
    pub fn verify_signed_by(&self, key: &PublicKey) -> Result<(), SigError> {
        let t = Tlv::parse_exact(&self.sig_alg).map_err(|e| SigError::BadKey(e.to_string()))?;
        let alg = SignatureAlgorithm::from_algorithm_id(&AlgorithmId::parse(t)?, None)?;
        sig::verify(key, &alg, &self.tbs, &self.signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_garbage() {
        assert!(Crl::from_der(&[0x30, 0x00]).is_err());
        assert!(Crl::from_der(b"-----BEGIN X509 CRL-----\n!!!\n-----END X509 CRL-----").is_err());
    }
}
