//! Checks of how the chip was opened, made once the files are read: a document that
//! supports PACE opened with BAC (a downgrade, ICAO 9303-11 §9.2.1: its PACEInfo is in
//! DG14, which the SOD signs), and a DG1 that is not the document the MRZ key opened.

use std::collections::BTreeMap;

use super::anti_cloning::covered_by_sod;
use crate::access::AccessProtocol;
use crate::lds::{Dg1, Dg14, LdsFile, Sod};
use crate::mrz::MrzKey;

/// The chip was opened with a weaker protocol than the document supports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Downgrade {
    /// What the document supports (`PACE`).
    pub expected: AccessProtocol,
    /// What the session used (`BAC`).
    pub used: AccessProtocol,
    /// How it was seen, and why it matters.
    pub reason: String,
}

/// A downgrade to BAC, seen from DG14's PACEInfo (when DG14 hashes to the SOD's value:
/// passive authentication then says whether the SOD is genuine) or from a BAC fallback
/// the caller allowed.
pub(crate) fn detect_downgrade(
    access: AccessProtocol,
    files: &BTreeMap<LdsFile, Vec<u8>>,
    bac_fallback: Option<&str>,
) -> Option<Downgrade> {
    if access != AccessProtocol::Bac {
        return None;
    }
    let sod = files.get(&LdsFile::Sod).and_then(|b| Sod::parse(b).ok());
    let dg14_lists_pace = LdsFile::dg(14)
        .and_then(|f| files.get(&f))
        .filter(|b| covered_by_sod(sod.as_ref(), 14, b))
        .and_then(|b| Dg14::parse(b).ok())
        .is_some_and(|d| d.infos.pace().next().is_some());
    let reason = match (dg14_lists_pace, bac_fallback) {
        (true, None) => "DG14, which the SOD covers, lists PACE, but the chip was opened with BAC: EF.CardAccess \
                         was hidden or PACE was not offered (a man in the middle can record BAC and search its \
                         MRZ key offline)"
            .to_string(),
        (true, Some(why)) => format!("DG14, which the SOD covers, lists PACE; {why}"),
        (false, Some(why)) => format!("the chip offered PACE; {why}"),
        (false, None) => return None,
    };
    Some(Downgrade { expected: AccessProtocol::Pace, used: AccessProtocol::Bac, reason })
}

/// Whether DG1's MRZ names another document than the MRZ key that opened the chip: a chip
/// that answers to one MRZ but holds another document's DG1 (a substitution).
pub(crate) fn dg1_differs_from(dg1: Option<&Dg1>, key: &MrzKey) -> bool {
    match dg1 {
        Some(d) => !crate::crypto::ct_eq(&d.mrz.access_key().mrz_information(), &key.mrz_information()),
        None => false,
    }
}
