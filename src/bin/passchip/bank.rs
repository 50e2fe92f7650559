//! The bank verdict (`passchip.verification/1`) of a read, for `demo --identity` and
//! `read --identity`: the e-ID's person against the document just read.

use std::path::Path;

use passchip::date::Date;
use passchip::identity::verification::{AccessInfo, DocumentEvidence, Verification};
use passchip::kiosk::Visit;
use passchip::lds::LdsFile;
use passchip::reader::DocumentRead;

/// Decides for the e-ID result in `identity` (the JSON forms of `passchip match`).
/// Without `visit` (no trust store), nothing vouches for the document and the decision
/// says so.
pub fn decide(
    identity: &Path,
    read: &DocumentRead,
    visit: Option<&Visit>,
    today: Date,
) -> Result<Verification, String> {
    let text = std::fs::read_to_string(identity).map_err(|e| format!("{}: {e}", identity.display()))?;
    let person =
        passchip::identity::asserted::from_json(&text, None).map_err(|e| format!("{}: {e}", identity.display()))?;
    let mrz = &read.dg1.as_ref().ok_or("the document has no DG1")?.mrz;
    let access = AccessInfo::of(read);
    let evidence = DocumentEvidence {
        access: Some(&access),
        passive_authentication: visit.map(Visit::passive_authentication),
        mrz,
        has_dg11: LdsFile::dg(11).is_some_and(|f| read.files.contains_key(&f)),
        chip: visit.map(Visit::chip),
    };
    Ok(Verification::decide(&person, evidence, today, &Default::default()))
}
