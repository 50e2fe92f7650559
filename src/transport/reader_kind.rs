//! Which reader holds the document. Bank desks often have a contact reader with the
//! employee's login card next to the NFC reader, so "the first reader with a card" picks
//! the wrong one. A contactless reader that follows PC/SC part 3 (§3.1.3.2.3) builds the
//! ATR of an ISO/IEC 14443-4 card as `3B 8n 80 01 <historical bytes> TCK`; a card with
//! another ATR sits in a contact slot. Without a card, names with "CL", "PICC",
//! "Contactless" or "NFC" hint at a contactless reader.

/// What a reader (or the card in it) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "snake_case"))]
pub enum ReaderKind {
    /// Contactless (NFC): the card's ATR has the PC/SC part 3 form, or the name says so.
    Contactless,
    /// A contact card is in it: its ATR is not the contactless form.
    Contact,
    /// No card, and the name does not say.
    Unknown,
}

/// Whether an ATR has the PC/SC part 3 form of a contactless ISO/IEC 14443-4 card.
#[must_use]
pub fn is_contactless_atr(atr: &[u8]) -> bool {
    matches!(atr, [0x3B, t0, 0x80, 0x01, ..] if t0 & 0xF0 == 0x80)
}

/// Whether a reader's name says it is contactless.
#[must_use]
pub fn contactless_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let words: Vec<&str> = upper.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    upper.contains("CONTACTLESS")
        || upper.contains("PICC")
        || words.iter().any(|w| {
            *w == "CL"
                || *w == "NFC"
                || w.strip_suffix("CL")
                    .is_some_and(|model| !model.is_empty() && model.chars().all(|c| c.is_ascii_digit()))
        })
}

/// The kind of a reader named `name` holding a card with `atr` (empty: no card).
#[must_use]
pub fn kind(name: &str, atr: &[u8]) -> ReaderKind {
    if !atr.is_empty() {
        return if is_contactless_atr(atr) { ReaderKind::Contactless } else { ReaderKind::Contact };
    }
    if contactless_name(name) { ReaderKind::Contactless } else { ReaderKind::Unknown }
}

/// The reader chosen for a document, and why (said to the user).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// Index into the list given.
    pub index: usize,
    /// Why this one, in words.
    pub why: String,
}

/// Chooses among readers `(name, card present, ATR)` when the user named none: a card
/// with a contactless ATR first, then a card in a reader whose name says contactless,
/// then any card whose kind is unknown; never a contact card. `Err` lists the readers
/// holding only contact cards (empty: no card at all).
///
/// # Errors
/// The names of the readers that hold contact cards, when no other card is present.
pub fn choose<'a>(readers: impl IntoIterator<Item = (&'a str, bool, &'a [u8])>) -> Result<Choice, Vec<String>> {
    let mut best: Option<(u8, usize, String)> = None;
    let mut contact = Vec::new();
    for (i, (name, present, atr)) in readers.into_iter().enumerate() {
        if !present {
            continue;
        }
        let (rank, why) = if is_contactless_atr(atr) {
            (3, "its card answers as a contactless card (PC/SC part 3 ATR)".to_string())
        } else if atr.is_empty() && contactless_name(name) {
            (2, "its name says it is contactless".to_string())
        } else if atr.is_empty() {
            (1, "it holds the only card whose kind is not known".to_string())
        } else {
            contact.push(name.to_string());
            continue;
        };
        if best.as_ref().is_none_or(|(r, _, _)| rank > *r) {
            best = Some((rank, i, why));
        }
    }
    match best {
        Some((_, index, why)) => {
            let why = if contact.is_empty() {
                why
            } else {
                format!("{why}; the contact card in {} was left alone", contact.join(", "))
            };
            Ok(Choice { index, why })
        }
        None => Err(contact),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The virtual passport's ATR, a MIFARE storage card through a PC/SC part 3 reader,
    /// and a contact card (a T=0 bank card).
    const PASSPORT: &[u8] = &[0x3B, 0x8A, 0x80, 0x01, 0x80, 0x31, 0xF8, 0x73, 0xF7, 0x41, 0xE0, 0x82, 0x90, 0x00, 0x75];
    const STORAGE: &[u8] = &[
        0x3B, 0x8F, 0x80, 0x01, 0x80, 0x4F, 0x0C, 0xA0, 0x00, 0x00, 0x03, 0x06, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00,
        0x00, 0x6A,
    ];
    const CONTACT: &[u8] = &[0x3B, 0x7F, 0x96, 0x00, 0x00, 0x80, 0x31, 0x80, 0x65, 0xB0, 0x85, 0x03, 0x00, 0xEF, 0x12];

    #[test]
    fn kinds_from_the_atr_then_the_name() {
        assert_eq!(kind("Any", PASSPORT), ReaderKind::Contactless);
        assert_eq!(kind("Any", STORAGE), ReaderKind::Contactless);
        assert_eq!(kind("OMNIKEY 5422CL Smartcard Reader", CONTACT), ReaderKind::Contact);
        assert_eq!(
            kind("HID Global OMNIKEY 5422CL Smartcard Reader [OMNIKEY 5422CL] 01 00", &[]),
            ReaderKind::Contactless
        );
        assert_eq!(kind("ACS ACR1252 Dual Reader [ACR1252 Dual Reader PICC] 00 00", &[]), ReaderKind::Contactless);
        assert_eq!(kind("SCM Microsystems SCL3711 Contactless", &[]), ReaderKind::Contactless);
        assert_eq!(kind("Identiv uTrust 3700 F CL Reader", &[]), ReaderKind::Contactless);
        assert_eq!(kind("Generic USB Smart Card Reader", &[]), ReaderKind::Unknown);
        assert_eq!(kind("CLOUD 2700 R Smart Card Reader", &[]), ReaderKind::Unknown, "CLOUD is not CL");
    }

    #[test]
    fn the_contactless_card_wins_and_a_contact_card_is_never_taken() {
        let c = choose([("Desk contact reader", true, CONTACT), ("NFC pad", true, PASSPORT)]).unwrap();
        assert_eq!(c.index, 1);
        assert!(c.why.contains("PC/SC part 3") && c.why.contains("contact card in Desk contact reader"), "{}", c.why);
        assert_eq!(
            choose([("Desk contact reader", true, CONTACT), ("NFC pad", false, &[][..])]),
            Err(vec!["Desk contact reader".into()])
        );
        assert_eq!(choose([("A", false, &[][..])]), Err(vec![]));
        let c = choose([("Generic", true, &[][..]), ("ACR122U PICC Interface", true, &[][..])]).unwrap();
        assert_eq!(c.index, 1);
    }
}
