//! Zero-copy BER-TLV (ISO/IEC 7816-4 §5.2, ITU-T X.690 §8.1) reader and writer.
//!
//! This is the crate's one TLV parser: LDS files, secure-messaging data objects,
//! dynamic authentication data and (later) the raw slices of CMS structures all go
//! through it. Parsing never allocates and never copies: a [`Tlv`] borrows its
//! value and its raw encoding from the input, so data-group hashes can be
//! computed over the bytes exactly as the chip sent them.
//!
//! Limits that keep a hostile input harmless:
//! - tags of at most [`MAX_TAG_BYTES`] bytes, lengths of at most [`MAX_LENGTH_BYTES`]
//!   length bytes (lengths up to 2³² − 1), always checked against the buffer;
//! - indefinite lengths (`0x80`) are detected and reported as
//!   [`TlvError::IndefiniteLength`] (BER-encoded SODs are normalised elsewhere);
//! - recursion is bounded by [`MAX_DEPTH`] in [`validate`].

use nom::Parser;
use nom::bytes::complete::take;
use nom::number::complete::u8 as byte;

/// The longest tag we accept (ISO 7816-4 allows three bytes; X.690 more, nobody uses them).
pub const MAX_TAG_BYTES: usize = 3;
/// The most length bytes after `0x8N` that we accept (`0x84` = four bytes).
pub const MAX_LENGTH_BYTES: usize = 4;
/// The deepest nesting [`validate`] walks before reporting [`TlvError::TooDeep`].
pub const MAX_DEPTH: usize = 32;

/// Why a TLV encoding was rejected. The offset is where the bad object starts,
/// counted from the start of the buffer given to the parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TlvError {
    /// The input ended inside a tag, a length or a value.
    #[error("TLV truncated at offset {offset}: needs {needed} more byte(s)")]
    Truncated {
        /// Start of the object that does not fit.
        offset: usize,
        /// How many bytes are missing (at least).
        needed: usize,
    },
    /// A tag longer than [`MAX_TAG_BYTES`], or a tag of only padding bytes.
    #[error("TLV tag at offset {offset} is invalid or longer than {MAX_TAG_BYTES} bytes")]
    BadTag {
        /// Start of the tag.
        offset: usize,
    },
    /// A length field that is reserved (`0xFF`) or longer than [`MAX_LENGTH_BYTES`].
    #[error("TLV length at offset {offset} is invalid")]
    BadLength {
        /// Start of the object.
        offset: usize,
    },
    /// Indefinite length (`0x80`): legal in BER, not in the DER/TLV this parser accepts.
    #[error("TLV at offset {offset} has an indefinite length")]
    IndefiniteLength {
        /// Start of the object.
        offset: usize,
    },
    /// Bytes left over after the object(s) that should have filled the buffer.
    #[error("unexpected trailing data at offset {offset}")]
    TrailingData {
        /// Start of the extra bytes.
        offset: usize,
    },
    /// Nesting deeper than [`MAX_DEPTH`].
    #[error("TLV nesting deeper than {MAX_DEPTH} at offset {offset}")]
    TooDeep {
        /// Start of the object that is one level too deep.
        offset: usize,
    },
    /// A different tag was found where a specific one was required.
    #[error("expected tag {expected} at offset {offset}, found {found}")]
    UnexpectedTag {
        /// The tag the structure requires.
        expected: Tag,
        /// The tag that was there.
        found: Tag,
        /// Start of the object.
        offset: usize,
    },
    /// A required child object is missing.
    #[error("required tag {tag} not found")]
    Missing {
        /// The tag that was looked for.
        tag: Tag,
    },
}

/// A BER tag of one to three bytes, kept in its encoded form (`0x5F1F`, `0x7F61`, `0x87`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(u32);

impl Tag {
    /// A tag from its encoded bytes read as a big-endian number (`Tag::new(0x5F1F)`).
    #[must_use]
    pub const fn new(encoded: u32) -> Self {
        Self(encoded)
    }

    /// The encoded bytes read as a big-endian number.
    #[must_use]
    pub const fn value(self) -> u32 {
        self.0
    }

    /// How many bytes the tag takes when encoded.
    #[must_use]
    pub const fn len(self) -> usize {
        if self.0 > 0xFFFF {
            3
        } else if self.0 > 0xFF {
            2
        } else {
            1
        }
    }

    /// Always false: a tag has at least one byte (for clippy's `len_without_is_empty`).
    #[must_use]
    pub const fn is_empty(self) -> bool {
        false
    }

    fn first_byte(self) -> u8 {
        let shift = 8 * (self.len() - 1);
        // The shift leaves at most 8 significant bits.
        ((self.0 >> shift) & 0xFF) as u8
    }

    /// True if the constructed bit (b6 of the first byte) is set.
    #[must_use]
    pub fn is_constructed(self) -> bool {
        self.first_byte() & 0x20 != 0
    }

    /// Writes the tag bytes to `out`.
    pub fn encode(self, out: &mut Vec<u8>) {
        let bytes = self.0.to_be_bytes();
        out.extend_from_slice(bytes.get(4 - self.len()..).unwrap_or(&bytes));
    }
}

impl core::fmt::Debug for Tag {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Tag({self})")
    }
}

impl core::fmt::Display for Tag {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.len() {
            1 => write!(f, "{:02X}", self.0),
            2 => write!(f, "{:04X}", self.0),
            _ => write!(f, "{:06X}", self.0),
        }
    }
}

/// The length field of a TLV header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    /// A definite length in bytes.
    Definite(usize),
    /// BER indefinite length (`0x80`), terminated by `00 00`.
    Indefinite,
}

/// A parsed tag and length, before the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// The tag.
    pub tag: Tag,
    /// The length field.
    pub length: Length,
    /// Bytes taken by tag and length together.
    pub header_len: usize,
}

impl Header {
    /// Parses the tag and length at the start of `input` (indefinite lengths are returned,
    /// not rejected). Works on a prefix: a reader uses it on the first bytes of a file to
    /// learn the file's size.
    ///
    /// # Errors
    /// [`TlvError::Truncated`] when the header itself is incomplete, `BadTag`/`BadLength`
    /// for encodings we do not accept.
    pub fn parse(input: &[u8]) -> Result<Self, TlvError> {
        header_at(input, 0)
    }

    /// Total encoded size (header plus value) of a definite-length object.
    #[must_use]
    pub fn total_len(&self) -> Option<usize> {
        match self.length {
            Length::Definite(n) => self.header_len.checked_add(n),
            Length::Indefinite => None,
        }
    }
}

type NomErr<'a> = nom::Err<nom::error::Error<&'a [u8]>>;

fn tag_bytes(input: &[u8]) -> nom::IResult<&[u8], (u32, usize)> {
    let (mut rest, first) = byte(input)?;
    if first == 0x00 || first == 0xFF {
        // Padding bytes in ISO 7816 BER-TLV, never a tag: report as a 0-length tag.
        return Ok((rest, (u32::from(first), MAX_TAG_BYTES + 1)));
    }
    let mut value = u32::from(first);
    let mut len = 1usize;
    if first & 0x1F == 0x1F {
        // Subsequent bytes: b8 set means another byte follows.
        loop {
            let (r, b) = byte(rest)?;
            rest = r;
            value = (value << 8) | u32::from(b);
            len += 1;
            if b & 0x80 == 0 || len > MAX_TAG_BYTES {
                break;
            }
        }
    }
    Ok((rest, (value, len)))
}

fn length_bytes(input: &[u8]) -> nom::IResult<&[u8], (Option<usize>, usize, bool)> {
    // Returns (length or None for indefinite, bytes used, valid).
    let (rest, first) = byte(input)?;
    if first < 0x80 {
        return Ok((rest, (Some(usize::from(first)), 1, true)));
    }
    if first == 0x80 {
        return Ok((rest, (None, 1, true)));
    }
    let n = usize::from(first & 0x7F);
    if n > MAX_LENGTH_BYTES {
        return Ok((rest, (None, 1, false)));
    }
    let (rest, bytes) = take(n).parse(rest)?;
    let len = bytes.iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
    Ok((rest, (Some(len), 1 + n, true)))
}

fn truncated(offset: usize, e: &NomErr<'_>) -> TlvError {
    let needed = match e {
        nom::Err::Incomplete(nom::Needed::Size(n)) => n.get(),
        _ => 1,
    };
    TlvError::Truncated { offset, needed }
}

fn header_at(input: &[u8], offset: usize) -> Result<Header, TlvError> {
    let (rest, (tag, tag_len)) = tag_bytes(input).map_err(|e| truncated(offset, &e))?;
    if tag_len > MAX_TAG_BYTES {
        return Err(TlvError::BadTag { offset });
    }
    let (_, (len, len_bytes, valid)) = length_bytes(rest).map_err(|e| truncated(offset, &e))?;
    if !valid {
        return Err(TlvError::BadLength { offset });
    }
    let length = match len {
        Some(n) => Length::Definite(n),
        None => Length::Indefinite,
    };
    Ok(Header { tag: Tag(tag), length, header_len: tag_len + len_bytes })
}

/// One parsed TLV object borrowing from the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The tag.
    pub tag: Tag,
    /// The value bytes.
    pub value: &'a [u8],
    /// Tag, length and value exactly as encoded (hash these, never a re-encoding).
    pub raw: &'a [u8],
    /// Where the object starts in the buffer the parse began on.
    pub offset: usize,
}

impl<'a> Tlv<'a> {
    /// Parses the first object of `input` and returns it with the bytes after it.
    ///
    /// # Errors
    /// Any [`TlvError`] for a malformed, truncated or indefinite-length object.
    pub fn parse(input: &'a [u8]) -> Result<(Self, &'a [u8]), TlvError> {
        parse_at(input, 0)
    }

    /// Parses `input` as exactly one object.
    ///
    /// # Errors
    /// As [`Tlv::parse`], plus [`TlvError::TrailingData`] if bytes follow the object.
    pub fn parse_exact(input: &'a [u8]) -> Result<Self, TlvError> {
        let (tlv, rest) = Self::parse(input)?;
        if rest.is_empty() { Ok(tlv) } else { Err(TlvError::TrailingData { offset: tlv.raw.len() }) }
    }

    /// Parses `input` as exactly one object with the given tag.
    ///
    /// # Errors
    /// As [`Tlv::parse_exact`], plus [`TlvError::UnexpectedTag`].
    pub fn parse_tagged(input: &'a [u8], tag: Tag) -> Result<Self, TlvError> {
        let tlv = Self::parse_exact(input)?;
        tlv.expect_tag(tag)?;
        Ok(tlv)
    }

    /// Checks the object's tag.
    ///
    /// # Errors
    /// [`TlvError::UnexpectedTag`] if it differs.
    pub fn expect_tag(&self, tag: Tag) -> Result<(), TlvError> {
        if self.tag == tag {
            Ok(())
        } else {
            Err(TlvError::UnexpectedTag { expected: tag, found: self.tag, offset: self.offset })
        }
    }

    /// Iterates over the objects inside this object's value.
    #[must_use]
    pub fn children(&self) -> TlvIter<'a> {
        let header_len = self.raw.len() - self.value.len();
        TlvIter { buf: self.value, pos: 0, base: self.offset + header_len }
    }

    /// The first child with `tag`, if the children parse up to it.
    ///
    /// # Errors
    /// A [`TlvError`] met before the tag was found.
    pub fn find(&self, tag: Tag) -> Result<Option<Tlv<'a>>, TlvError> {
        for child in self.children() {
            let child = child?;
            if child.tag == tag {
                return Ok(Some(child));
            }
        }
        Ok(None)
    }

    /// The first child with `tag`, which must exist.
    ///
    /// # Errors
    /// [`TlvError::Missing`] if it does not, or a parse error before it.
    pub fn require(&self, tag: Tag) -> Result<Tlv<'a>, TlvError> {
        self.find(tag)?.ok_or(TlvError::Missing { tag })
    }
}

fn parse_at(input: &[u8], base: usize) -> Result<(Tlv<'_>, &[u8]), TlvError> {
    let header = header_at(input, base)?;
    let len = match header.length {
        Length::Definite(n) => n,
        Length::Indefinite => return Err(TlvError::IndefiniteLength { offset: base }),
    };
    let total = header.header_len.checked_add(len).ok_or(TlvError::BadLength { offset: base })?;
    let (raw, rest) = input
        .split_at_checked(total)
        .ok_or(TlvError::Truncated { offset: base, needed: total.saturating_sub(input.len()) })?;
    let value = raw.get(header.header_len..).unwrap_or_default();
    Ok((Tlv { tag: header.tag, value, raw, offset: base }, rest))
}

/// Iterator over consecutive (sibling) objects; it stops after the first error.
#[derive(Clone, Debug)]
pub struct TlvIter<'a> {
    buf: &'a [u8],
    pos: usize,
    base: usize,
}

/// Iterates over the consecutive objects in `buf` (offsets count from `buf`'s start).
#[must_use]
pub fn iter(buf: &[u8]) -> TlvIter<'_> {
    TlvIter { buf, pos: 0, base: 0 }
}

impl<'a> Iterator for TlvIter<'a> {
    type Item = Result<Tlv<'a>, TlvError>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.buf.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        match parse_at(rest, self.base + self.pos) {
            Ok((tlv, _)) => {
                self.pos += tlv.raw.len();
                Some(Ok(tlv))
            }
            Err(e) => {
                self.pos = self.buf.len();
                Some(Err(e))
            }
        }
    }
}

/// Checks that `buf` is a sequence of well-formed objects, descending into every
/// constructed one, at most [`MAX_DEPTH`] levels deep. Allocation-free.
///
/// # Errors
/// The first [`TlvError`] found, with its offset.
pub fn validate(buf: &[u8]) -> Result<usize, TlvError> {
    let mut count = 0usize;
    validate_level(iter(buf), 1, &mut count)?;
    Ok(count)
}

fn validate_level(it: TlvIter<'_>, depth: usize, count: &mut usize) -> Result<(), TlvError> {
    for tlv in it {
        let tlv = tlv?;
        *count += 1;
        if tlv.tag.is_constructed() {
            if depth >= MAX_DEPTH {
                return Err(TlvError::TooDeep { offset: tlv.offset });
            }
            validate_level(tlv.children(), depth + 1, count)?;
        }
    }
    Ok(())
}

/// Whether `tlv` and everything inside it is DER as far as structure goes: each header
/// the shortest encoding of its tag and length, and each constructed value exactly its
/// children, with no padding between them. Keys and signatures are checked with it:
/// a structure with another encoding of the same value is how malleability gets in.
#[must_use]
pub fn is_der(tlv: &Tlv<'_>) -> bool {
    is_der_at(tlv, 1)
}

fn is_der_at(tlv: &Tlv<'_>, depth: usize) -> bool {
    let mut header = Vec::with_capacity(8);
    tlv.tag.encode(&mut header);
    encode_length(tlv.value.len(), &mut header);
    if tlv.raw.get(..tlv.raw.len().saturating_sub(tlv.value.len())) != Some(header.as_slice()) {
        return false;
    }
    if !tlv.tag.is_constructed() {
        return true;
    }
    if depth >= MAX_DEPTH {
        return false;
    }
    let mut covered = 0usize;
    for child in tlv.children() {
        let Ok(child) = child else { return false };
        if !is_der_at(&child, depth + 1) {
            return false;
        }
        covered += child.raw.len();
    }
    // The iterator skips 00/FF padding (ISO 7816); DER has none.
    covered == tlv.value.len()
}

/// Appends a definite BER length (short form below 128, else `81`..`84` + bytes).
pub fn encode_length(len: usize, out: &mut Vec<u8>) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = (len as u64).to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        let significant = bytes.get(skip..).unwrap_or_default();
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
}

/// Number of bytes [`encode_length`] writes for `len`.
#[must_use]
pub const fn length_len(len: usize) -> usize {
    if len < 0x80 {
        1
    } else if len <= 0xFF {
        2
    } else if len <= 0xFFFF {
        3
    } else if len <= 0xFF_FFFF {
        4
    } else {
        5
    }
}

/// Appends `tag`, the length of `value` and `value`.
pub fn encode(tag: Tag, value: &[u8], out: &mut Vec<u8>) {
    tag.encode(out);
    encode_length(value.len(), out);
    out.extend_from_slice(value);
}

/// Returns `tag ‖ len ‖ value` as a new vector.
#[must_use]
pub fn encode_to_vec(tag: Tag, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(tag.len() + length_len(value.len()) + value.len());
    encode(tag, value, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    #[test]
    fn parses_ef_com_from_icao_d4() {
        let com = hex!("60145F0104303130365F36063034303030305C026175");
        let tlv = Tlv::parse_tagged(&com, Tag::new(0x60)).unwrap();
        let kids: Vec<_> = tlv.children().map(Result::unwrap).collect();
        assert_eq!(kids.len(), 3);
        assert_eq!(kids[0].tag, Tag::new(0x5F01));
        assert_eq!(kids[0].value, b"0106");
        assert_eq!(kids[0].offset, 2);
        assert_eq!(kids[2].tag, Tag::new(0x5C));
        assert_eq!(kids[2].value, &[0x61, 0x75]);
        assert_eq!(kids[2].raw, &hex!("5C026175"));
        assert_eq!(validate(&com), Ok(4));
    }

    #[test]
    fn long_lengths_and_three_byte_tags() {
        let mut v = Vec::new();
        encode(Tag::new(0x5F2E), &[0xAB; 300], &mut v);
        assert_eq!(&v[..5], &hex!("5F2E82012C"));
        let tlv = Tlv::parse_exact(&v).unwrap();
        assert_eq!(tlv.value.len(), 300);
        let three = hex!("BF8101 03 010203");
        let t = Tlv::parse_exact(&three).unwrap();
        assert_eq!(t.tag, Tag::new(0xBF8101));
        assert_eq!(t.tag.to_string(), "BF8101");
        let four_len = hex!("04 84 00000002 AABB");
        assert_eq!(Tlv::parse_exact(&four_len).unwrap().value, &hex!("AABB"));
    }

    #[test]
    fn rejects_malformed() {
        assert_eq!(Tlv::parse(&hex!("5F")), Err(TlvError::Truncated { offset: 0, needed: 1 }));
        assert!(matches!(Tlv::parse(&hex!("04 05 0102")), Err(TlvError::Truncated { .. })));
        assert_eq!(Tlv::parse(&hex!("30 80 0000")), Err(TlvError::IndefiniteLength { offset: 0 }));
        assert_eq!(Tlv::parse(&hex!("04 85 0000000001 00")), Err(TlvError::BadLength { offset: 0 }));
        assert_eq!(Tlv::parse(&hex!("1F818181 00")), Err(TlvError::BadTag { offset: 0 }));
        assert_eq!(Tlv::parse_exact(&hex!("0400 05")), Err(TlvError::TrailingData { offset: 2 }));
        assert_eq!(Tlv::parse(&hex!("FF00")), Err(TlvError::BadTag { offset: 0 }));
        // A huge claimed length fails cleanly instead of allocating or panicking.
        assert!(matches!(Tlv::parse(&hex!("04 84 FFFFFFFF 00")), Err(TlvError::Truncated { .. })));
    }

    #[test]
    fn header_gives_total_length_from_a_prefix() {
        let h = Header::parse(&hex!("75 82 4A 2F 7F 61")).unwrap();
        assert_eq!(h.tag, Tag::new(0x75));
        assert_eq!(h.total_len(), Some(4 + 0x4A2F));
        assert_eq!(Header::parse(&hex!("30 80")).unwrap().length, Length::Indefinite);
    }

    #[test]
    fn nesting_is_bounded() {
        let mut v = vec![0x04, 0x00];
        for _ in 0..MAX_DEPTH {
            v = encode_to_vec(Tag::new(0x30), &v);
        }
        assert!(matches!(validate(&v), Err(TlvError::TooDeep { .. })));
        let mut ok = vec![0x04, 0x00];
        for _ in 0..MAX_DEPTH - 1 {
            ok = encode_to_vec(Tag::new(0x30), &ok);
        }
        assert_eq!(validate(&ok), Ok(MAX_DEPTH));
    }

    #[test]
    fn offsets_of_nested_children_are_absolute() {
        let v = hex!("0100 7F61 06 02 01 01 7F60 00");
        let outer: Vec<_> = iter(&v).map(Result::unwrap).collect();
        assert_eq!(outer[1].offset, 2);
        let kids: Vec<_> = outer[1].children().map(Result::unwrap).collect();
        assert_eq!(kids[0].offset, 5);
        assert_eq!(kids[1].offset, 8);
        assert_eq!(kids[1].tag, Tag::new(0x7F60));
    }

    #[test]
    fn der_structure() {
        let der = hex!("3006 0201 05 0401 AA");
        assert!(is_der(&Tlv::parse_exact(&der).unwrap()));
        for not_der in [
            &hex!("308106 0201 05 0401 AA")[..], // long form for a short length
            &hex!("3007 0201 05 0401 AA 00"),    // padding after the last child
            &hex!("3007 0281 01 05 0401 AA"),    // non-minimal length inside
        ] {
            let t = Tlv::parse_exact(not_der).unwrap();
            assert!(!is_der(&t), "{not_der:02X?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn roundtrip(tag in proptest::sample::select(vec![0x04u32, 0x30, 0x5F1F, 0x7F61, 0x87, 0xBF8101]),
                     value in proptest::collection::vec(proptest::num::u8::ANY, 0..700)) {
            let enc = encode_to_vec(Tag::new(tag), &value);
            let t = Tlv::parse_exact(&enc).unwrap();
            proptest::prop_assert_eq!(t.tag.value(), tag);
            proptest::prop_assert_eq!(t.value, &value[..]);
            proptest::prop_assert_eq!(t.raw, &enc[..]);
        }

        #[test]
        fn never_panics(data in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
            let _ = validate(&data);
            let _ = Header::parse(&data);
        }
    }
}

/// BER to DER for what eMRTD security objects need (the NZ EF.SOD, `openssl cms -stream`
/// output): indefinite lengths become definite, constructed OCTET STRINGs (`24`) are
/// reassembled into one primitive `04`. Everything already definite is copied
/// byte-for-byte, so a DER input comes back unchanged (and borrowed).
pub mod ber {
    use std::borrow::Cow;

    use super::{Header, Length, MAX_DEPTH, TlvError, encode_length};

    /// Returns `input` as DER; borrowed when nothing needed normalising.
    ///
    /// # Errors
    /// [`TlvError`] for malformed BER, nesting deeper than [`MAX_DEPTH`], or trailing data.
    pub fn to_der(input: &[u8]) -> Result<Cow<'_, [u8]>, TlvError> {
        if !needs_work(input, 0, 0)? {
            return Ok(Cow::Borrowed(input));
        }
        let mut out = Vec::with_capacity(input.len());
        let used = normalize(input, 0, 0, &mut out)?;
        if used != input.len() {
            return Err(TlvError::TrailingData { offset: used });
        }
        Ok(Cow::Owned(out))
    }

    /// Whether any object in `buf` (one object at `base`) has an indefinite length or is a
    /// constructed OCTET STRING.
    fn needs_work(buf: &[u8], base: usize, depth: usize) -> Result<bool, TlvError> {
        let mut pos = 0;
        while pos < buf.len() {
            let rest = buf.get(pos..).unwrap_or_default();
            let h = Header::parse(rest).map_err(|e| shift(e, base + pos))?;
            let first = rest.first().copied().unwrap_or(0);
            let Length::Definite(len) = h.length else { return Ok(true) };
            if first == 0x24 {
                return Ok(true);
            }
            let end = h.header_len.checked_add(len).ok_or(TlvError::BadLength { offset: base + pos })?;
            let value = rest
                .get(h.header_len..end)
                .ok_or(TlvError::Truncated { offset: base + pos, needed: end.saturating_sub(rest.len()) })?;
            if first & 0x20 != 0 {
                if depth >= MAX_DEPTH {
                    return Err(TlvError::TooDeep { offset: base + pos });
                }
                if needs_work(value, base + pos + h.header_len, depth + 1)? {
                    return Ok(true);
                }
            }
            pos += end;
        }
        Ok(false)
    }

    fn shift(e: TlvError, by: usize) -> TlvError {
        match e {
            TlvError::Truncated { offset, needed } => TlvError::Truncated { offset: offset + by, needed },
            TlvError::BadTag { offset } => TlvError::BadTag { offset: offset + by },
            TlvError::BadLength { offset } => TlvError::BadLength { offset: offset + by },
            other => other,
        }
    }

    /// Normalises the one object at the start of `buf` into `out`; returns bytes consumed.
    fn normalize(buf: &[u8], base: usize, depth: usize, out: &mut Vec<u8>) -> Result<usize, TlvError> {
        if depth > MAX_DEPTH {
            return Err(TlvError::TooDeep { offset: base });
        }
        let h = Header::parse(buf).map_err(|e| shift(e, base))?;
        let tag_bytes = buf.get(..h.header_len - length_field_len(buf, h)).unwrap_or_default();
        let first = buf.first().copied().unwrap_or(0);
        let constructed = first & 0x20 != 0;
        if !constructed {
            let Length::Definite(len) = h.length else { return Err(TlvError::BadLength { offset: base }) };
            let end = h.header_len.checked_add(len).ok_or(TlvError::BadLength { offset: base })?;
            let raw =
                buf.get(..end).ok_or(TlvError::Truncated { offset: base, needed: end.saturating_sub(buf.len()) })?;
            out.extend_from_slice(raw);
            return Ok(end);
        }
        // Constructed: normalise the children into a scratch buffer, then emit.
        let mut children = Vec::new();
        let mut pos = h.header_len;
        let end = match h.length {
            Length::Definite(len) => Some(h.header_len.checked_add(len).ok_or(TlvError::BadLength { offset: base })?),
            Length::Indefinite => None,
        };
        loop {
            match end {
                Some(e) if pos >= e => break,
                None if buf.get(pos..pos + 2) == Some(&[0, 0]) => {
                    pos += 2;
                    break;
                }
                _ => {}
            }
            let rest = buf.get(pos..).unwrap_or_default();
            if rest.is_empty() {
                return Err(TlvError::Truncated { offset: base + pos, needed: 2 });
            }
            let limit = end.map_or(rest.len(), |e| e.saturating_sub(pos).min(rest.len()));
            pos += normalize(rest.get(..limit).unwrap_or(rest), base + pos, depth + 1, &mut children)?;
        }
        if end.is_some_and(|e| pos != e) {
            return Err(TlvError::BadLength { offset: base });
        }
        if first == 0x24 {
            // Reassemble the segments (each now a primitive 04) into one OCTET STRING.
            let mut content = Vec::new();
            for seg in super::iter(&children) {
                let seg = seg?;
                if seg.tag.value() != 0x04 {
                    return Err(TlvError::UnexpectedTag {
                        expected: super::Tag::new(0x04),
                        found: seg.tag,
                        offset: base,
                    });
                }
                content.extend_from_slice(seg.value);
            }
            out.push(0x04);
            encode_length(content.len(), out);
            out.extend_from_slice(&content);
        } else {
            out.extend_from_slice(tag_bytes);
            encode_length(children.len(), out);
            out.extend_from_slice(&children);
        }
        Ok(pos)
    }

    /// Bytes of the length field of the header at the start of `buf`.
    fn length_field_len(buf: &[u8], h: Header) -> usize {
        let tag_len = h.tag.len();
        match buf.get(tag_len) {
            Some(&b) if b > 0x80 => 1 + usize::from(b & 0x7F),
            _ => 1,
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use hex_literal::hex;

        #[test]
        fn der_is_returned_unchanged_and_borrowed() {
            let der = hex!("3006 0401AA 0201 05");
            assert!(matches!(to_der(&der).unwrap(), Cow::Borrowed(_)));
        }

        #[test]
        fn indefinite_lengths_and_segmented_octet_strings() {
            // SEQUENCE (indefinite) { [0] (indefinite) { OCTET STRING (constructed) { 04 02 AABB, 04 01 CC } } }
            let ber = hex!("3080 A080 2480 0402AABB 0401CC 0000 0000 0000");
            let der = to_der(&ber).unwrap();
            assert_eq!(der.as_ref(), &hex!("3007 A005 0403AABBCC"));
            assert!(matches!(to_der(&der).unwrap(), Cow::Borrowed(_)));
        }

        #[test]
        fn malformed_ber_is_rejected() {
            assert!(to_der(&hex!("3080 0401AA")).is_err()); // no end-of-contents
            assert!(to_der(&hex!("0480")).is_err()); // primitive with indefinite length
            assert!(to_der(&hex!("2480 0201 01 0000")).is_err()); // segment that is not 04
            let mut deep = vec![0x30, 0x80];
            for _ in 0..40 {
                deep.extend_from_slice(&[0x30, 0x80]);
            }
            assert!(to_der(&deep).is_err());
        }
    }
}
