//! The checks that look past the signature: data-group hashes against the SOD, the
//! country of signer and anchor, revocation.

use std::collections::BTreeMap;

use super::builder::Builder;
use super::report::{CheckName, DataGroupCheck, DgStatus, Status};
use crate::date::Date;
use crate::lds::{DgNumber, Sod};
use crate::pki::cert::Cert;
use crate::pki::country;
use crate::pki::store::TrustStore;

pub(super) fn data_group_checks(sod: &Sod, dgs: &BTreeMap<DgNumber, Vec<u8>>) -> Vec<DataGroupCheck> {
    let so = &sod.security_object;
    let mut out = Vec::new();
    for n in DgNumber::all() {
        let status = match (dgs.get(&n), so.hashes.get(&n)) {
            (Some(content), Some(expected)) => {
                if crate::crypto::ct_eq(&so.hash_alg.digest(content), expected) {
                    DgStatus::Matched
                } else {
                    DgStatus::Mismatch
                }
            }
            (Some(_), None) => DgStatus::NotInSod,
            (None, Some(_)) => DgStatus::NotRead,
            (None, None) => continue,
        };
        out.push(DataGroupCheck { data_group: n.get(), status });
    }
    out
}

pub(super) fn country_check(b: &mut Builder, dsc: &Cert, csca: &Cert, issuing_state: Option<&str>) {
    let dsc_c = dsc.subject_country();
    let csca_c = csca.subject_country();
    let (Some(d), Some(c)) = (dsc_c.clone(), csca_c.clone()) else {
        b.set(
            CheckName::CountryConsistency,
            Status::NotPerformed,
            Some(format!("country missing from DSC ({dsc_c:?}) or CSCA ({csca_c:?})")),
        );
        return;
    };
    if d != c {
        b.fail(CheckName::CountryConsistency, format!("DSC country {d} differs from CSCA country {c}"));
        return;
    }
    match issuing_state {
        None => b.pass_note(CheckName::CountryConsistency, format!("DSC and CSCA are both {d}; issuing state unknown")),
        Some(s) => match country::alpha2(s) {
            Some(a2) if a2 == d => b.pass_note(CheckName::CountryConsistency, format!("{s} = {d}")),
            Some(a2) => b.fail(
                CheckName::CountryConsistency,
                format!("document issued by {s} ({a2}) but signed under {d} certificates"),
            ),
            None => b.set(
                CheckName::CountryConsistency,
                Status::NotPerformed,
                Some(format!("issuing state code {s:?} is not a known country")),
            ),
        },
    }
}

pub(super) fn revocation_check(b: &mut Builder, dsc: &Cert, csca: &Cert, store: &TrustStore, at: u64) {
    let Ok(key) = csca.public_key() else {
        b.set(CheckName::DscNotRevoked, Status::NotPerformed, Some("CSCA key unusable".to_string()));
        return;
    };
    let crls: Vec<_> = store.crls_for(csca.subject_name()).filter(|c| c.verify_signed_by(key).is_ok()).collect();
    if crls.is_empty() {
        b.set(CheckName::DscNotRevoked, Status::NotPerformed, Some(format!("no CRL signed by {}", csca.subject())));
        return;
    }
    // A revocation is final, whichever signed CRL says it (one issued by `at`).
    if crls.iter().any(|c| c.this_update() <= at && c.is_revoked(dsc.serial())) {
        b.fail(CheckName::DscNotRevoked, format!("DSC serial {} is on the CSCA's CRL", dsc.serial_hex()));
        return;
    }
    // "Not revoked" needs a current CRL: thisUpdate ≤ at ≤ nextUpdate (RFC 5280 §5.1.2.5);
    // a CRL without nextUpdate says nothing of when to look again: out of date.
    let current = crls.iter().any(|c| c.this_update() <= at && c.next_update().is_some_and(|n| at <= n));
    if current {
        b.pass(CheckName::DscNotRevoked);
    } else {
        let why = format!(
            "CRL out of date: no CRL of {} covers {} (thisUpdate ≤ date ≤ nextUpdate; one without nextUpdate counts as out of date)",
            csca.subject(),
            Date::from_unix(at)
        );
        b.set(CheckName::DscNotRevoked, Status::NotPerformed, Some(why));
    }
}
