//! The virtual document's further data groups: DG3 (a fingerprint template the chip only
//! releases after Extended Access Control), DG5 and DG7 (displayed portrait and
//! signature), DG11, DG12 and DG16, in the layouts of ICAO 9303-10 §4.7.

use super::face::{self, FACE_JPEG};
use crate::tlv::{Tag, encode, encode_to_vec};

/// DG3: one biometric information template for a finger (type 8) with a placeholder
/// ISO/IEC 19794-4 record. Its content never leaves the chip without EAC.
#[must_use]
pub fn dg3() -> Vec<u8> {
    let mut header = Vec::new();
    encode(Tag::new(0x81), &[0x08], &mut header);
    encode(Tag::new(0x87), &[0x01, 0x01], &mut header);
    encode(Tag::new(0x88), &[0x00, 0x07], &mut header);
    let mut bit = encode_to_vec(Tag::new(0xA1), &header);
    encode(Tag::new(0x5F2E), b"FIR\x00020\x00 placeholder", &mut bit);
    let mut group = encode_to_vec(Tag::new(0x02), &[0x01]);
    encode(Tag::new(0x7F60), &bit, &mut group);
    encode_to_vec(Tag::new(0x63), &encode_to_vec(Tag::new(0x7F61), &group))
}

/// `6B`/`6C`/`70` bodies with a tag list (`5C`) of the fields that follow.
fn with_tag_list(outer: u32, fields: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let mut tags = Vec::new();
    let mut body = Vec::new();
    for (tag, value) in fields {
        Tag::new(*tag).encode(&mut tags);
        encode(Tag::new(*tag), value, &mut body);
    }
    let mut all = encode_to_vec(Tag::new(0x5C), &tags);
    all.extend_from_slice(&body);
    encode_to_vec(Tag::new(outer), &all)
}

/// The holder as the optional data groups name them (from the document's spec; kept
/// here so this module does not reach back up to the document).
#[derive(Debug, Clone, Copy)]
pub struct Holder<'a> {
    /// MRZ surname.
    pub surname: &'a str,
    /// MRZ given names.
    pub given_names: &'a str,
    /// DG11's full name in the issuing state's script, when given.
    pub dg11_full_name: Option<&'a str>,
    /// The personal number.
    pub personal_number: &'a str,
    /// YYMMDD.
    pub date_of_birth: &'a str,
}

/// Data group `n` (5, 7, 11, 12 or 16) for `spec`'s holder.
#[must_use]
pub fn build(spec: &Holder<'_>, n: u8) -> Option<Vec<u8>> {
    let century = if spec.date_of_birth.get(..2).is_some_and(|y| y > "30") { "19" } else { "20" };
    Some(match n {
        5 => face::displayed_image(5, FACE_JPEG),
        7 => face::displayed_image(7, FACE_JPEG),
        11 => with_tag_list(
            0x6B,
            &[
                (
                    0x5F0E,
                    spec.dg11_full_name
                        .map_or_else(
                            || format!("{}<<{}", spec.surname, spec.given_names).replace(' ', "<"),
                            str::to_string,
                        )
                        .into_bytes(),
                ),
                (0x5F10, spec.personal_number.as_bytes().to_vec()),
                (0x5F2B, format!("{century}{}", spec.date_of_birth).into_bytes()),
                (0x5F11, b"STOCKHOLM<SWE".to_vec()),
                (0x5F42, b"STORGATAN<1<<111<22<STOCKHOLM".to_vec()),
                (0x5F13, b"ENGINEER".to_vec()),
            ],
        ),
        12 => with_tag_list(
            0x6C,
            &[
                (0x5F19, b"POLISMYNDIGHETEN".to_vec()),
                (0x5F26, vec![0x20, 0x20, 0x01, 0x02]),
                (0x5F55, b"20200102101500".to_vec()),
            ],
        ),
        16 => {
            let mut person = Vec::new();
            encode(Tag::new(0x5F50), b"20200102", &mut person);
            encode(Tag::new(0x5F51), format!("{}<<ERIK", spec.surname).as_bytes(), &mut person);
            encode(Tag::new(0x5F52), b"46701234567", &mut person);
            encode(Tag::new(0x5F53), b"STORGATAN<1<STOCKHOLM", &mut person);
            let mut body = encode_to_vec(Tag::new(0x02), &[0x01]);
            encode(Tag::new(0xA1), &person, &mut body);
            encode_to_vec(Tag::new(0x70), &body)
        }
        _ => return None,
    })
}
