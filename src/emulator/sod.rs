//! EF.SOD for the virtual document (ICAO 9303-10 §4.6.2), DER-encoded by hand:
//!
//! ```text
//! 77 L
//!   ContentInfo ::= SEQUENCE { contentType id-signedData,
//!     content [0] SignedData ::= SEQUENCE {
//!       version 3, digestAlgorithms SET { sha256 },
//!       encapContentInfo SEQUENCE { eContentType id-icao-mrtd-security-ldsSecurityObject,
//!                                   eContent [0] OCTET STRING (LDSSecurityObject) },
//!       signerInfos SET { } } }
//! LDSSecurityObject ::= SEQUENCE { version 0, hashAlgorithm sha256,
//!   dataGroupHashValues SEQUENCE OF SEQUENCE { dataGroupNumber INTEGER, dataGroupHashValue OCTET STRING } }
//! ```
//!
//! The hashes are correct; the SOD is not signed yet (no certificates, no signerInfos):
//! a generated CSCA/DSC and the signature come with passive authentication.

use sha2::{Digest, Sha256};

use crate::lds::DgNumber;
use crate::tlv::{Tag, encode, encode_to_vec};

const OID_SIGNED_DATA: [u8; 9] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02];
const OID_SHA256: [u8; 9] = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
const OID_LDS_SECURITY_OBJECT: [u8; 6] = [0x67, 0x81, 0x08, 0x01, 0x01, 0x01];

fn seq(content: &[u8]) -> Vec<u8> {
    encode_to_vec(Tag::new(0x30), content)
}

fn sha256_alg() -> Vec<u8> {
    seq(&encode_to_vec(Tag::new(0x06), &OID_SHA256))
}

/// The DER LDSSecurityObject over `(data group, content)` pairs.
#[must_use]
pub fn lds_security_object(groups: &[(DgNumber, &[u8])]) -> Vec<u8> {
    let mut hashes = Vec::new();
    for (dg, content) in groups {
        let mut entry = Vec::new();
        encode(Tag::new(0x02), &[dg.get()], &mut entry);
        encode(Tag::new(0x04), &Sha256::digest(content), &mut entry);
        hashes.extend_from_slice(&seq(&entry));
    }
    let mut body = Vec::new();
    encode(Tag::new(0x02), &[0x00], &mut body);
    body.extend_from_slice(&sha256_alg());
    body.extend_from_slice(&seq(&hashes));
    seq(&body)
}

/// EF.SOD around an LDSSecurityObject (unsigned, see the module documentation).
#[must_use]
pub fn ef_sod(lds_security_object: &[u8]) -> Vec<u8> {
    let mut encap = Vec::new();
    encode(Tag::new(0x06), &OID_LDS_SECURITY_OBJECT, &mut encap);
    encode(Tag::new(0xA0), &encode_to_vec(Tag::new(0x04), lds_security_object), &mut encap);
    let mut signed = Vec::new();
    encode(Tag::new(0x02), &[0x03], &mut signed);
    encode(Tag::new(0x31), &sha256_alg(), &mut signed);
    signed.extend_from_slice(&seq(&encap));
    encode(Tag::new(0x31), &[], &mut signed);
    let mut ci = Vec::new();
    encode(Tag::new(0x06), &OID_SIGNED_DATA, &mut ci);
    encode(Tag::new(0xA0), &seq(&signed), &mut ci);
    encode_to_vec(Tag::new(0x77), &seq(&ci))
}
