//! Passive authentication (ICAO 9303-11 §5.1, 9303-12 §7): is the chip's data what the
//! issuing state signed?
//!
//! The result is one immutable [`PassiveAuthentication`] report with one [`Check`] per
//! property, each `passed`, `failed` or `not_performed` with a reason, and a verdict
//! derived from them: `valid` only when every required check passed. A check that could
//! not be made is never counted as passed.
//!
//! # JSON (schema `passchip.pa/1`)
//! ```text
//! { "schema": "passchip.pa/1", "verdict": "valid" | "invalid", "evaluated_at": "YYYY-MM-DD",
//!   "checks": [ { "check": "<name>", "status": "passed|failed|not_performed", "reason": "…" }, … ],
//!   "data_groups": [ { "data_group": 1, "status": "matched|mismatch|not_in_sod|not_read",
//!                      "hash_algorithm": "SHA-256" }, … ],
//!   "signer": { "subject", "issuer", "serial", "key", "not_before", "not_after" } | null,
//!   "anchor": { "subject", "key", "not_before", "not_after", "source": {…}, "link_certificate" } | null,
//!   "document_expired": true | false | null }
//! ```
//! Check names, in report order: `sod_parsed`, `sod_content_type`, `sod_signed_attributes`,
//! `sod_signature`, `dsc_trusted` (DSC issued by a CSCA in the trust store),
//! `dsc_validity`, `csca_validity`, `dsc_key_usage`, `csca_constraints`,
//! `country_consistency`, `dsc_not_revoked`, `data_group_hashes`.
//! Required for `valid`: all of them except `dsc_not_revoked` (required only when the
//! caller demands revocation checking) and `country_consistency` when no issuing state is
//! known and the certificates agree.

use std::collections::BTreeMap;

use std::sync::Arc;

use crate::date::Date;
use crate::lds::{DgNumber, Sod};
use crate::pki::evidence::{AuthenticatedDocument, AuthenticatedSecurityInfos, Vouched};
use crate::pki::signed::{SignedDataError, verify_signed_data};
use crate::pki::store::{TrustSource, TrustStore};

mod builder;
mod checks;
mod options;
mod report;

use builder::Builder;
use checks::{country_check, data_group_checks, revocation_check};
pub use options::PaOptions;
pub use report::{AnchorSummary, CertSummary, Check, CheckName, DataGroupCheck, DgStatus, Status, Verdict};

/// The passive-authentication report. Built once by [`PassiveAuthentication::verify`];
/// immutable; the verdict is derived from the checks.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PassiveAuthentication {
    schema: &'static str,
    verdict: Verdict,
    evaluated_at: String,
    checks: Vec<Check>,
    data_groups: Vec<DataGroupCheck>,
    signer: Option<CertSummary>,
    anchor: Option<AnchorSummary>,
    document_expired: Option<bool>,
    #[cfg_attr(feature = "serde", serde(skip))]
    require_crl: bool,
    /// The signer and anchor, once the chain was found.
    #[cfg_attr(feature = "serde", serde(skip))]
    vouched: Option<Vouched>,
    /// What a valid verdict vouches for (shared, not copied, when the report is cloned).
    #[cfg_attr(feature = "serde", serde(skip))]
    authenticated: Option<Authenticated>,
}

/// The evidence a valid report hands out.
#[derive(Debug, Clone)]
enum Authenticated {
    Document(Arc<AuthenticatedDocument>),
    CardSecurity(Arc<AuthenticatedSecurityInfos>),
}

/// The reason recorded for `data_group_hashes` in an EF.CardSecurity report.
const NOT_APPLICABLE: &str = "not applicable: EF.CardSecurity carries no data group hashes";

impl PassiveAuthentication {
    /// Verifies `sod` and the data groups read (`dgs`, raw file contents) against `store`.
    /// A data group that was read but that the SOD does not cover is an injected group:
    /// `data_group_hashes` fails and names it.
    #[must_use]
    pub fn verify(sod: &[u8], dgs: &BTreeMap<DgNumber, Vec<u8>>, store: &TrustStore, options: &PaOptions) -> Self {
        Self::verify_document(sod, None, dgs, store, options)
    }

    /// [`PassiveAuthentication::verify`] with EF.COM as read (or as in a dump): a data group
    /// EF.COM lists that the SOD does not cover fails `data_group_hashes` too (EF.COM is
    /// signed by no one; a list that claims more than the SOD signs is an injection).
    #[must_use]
    pub fn verify_document(
        sod: &[u8],
        com: Option<&[u8]>,
        dgs: &BTreeMap<DgNumber, Vec<u8>>,
        store: &TrustStore,
        options: &PaOptions,
    ) -> Self {
        let mut b = Builder::default();
        let at = options.at;
        let mut report = Self::empty(options);
        let dg1_mrz = DgNumber::new(1).and_then(|n| dgs.get(&n)).and_then(|b| crate::lds::Dg1::parse(b).ok());
        report.document_expired = dg1_mrz.as_ref().map(|d| {
            let e = d.mrz.date_of_expiry;
            let expiry =
                Date { year: 2000 + i32::from(e.yy()), month: e.month().unwrap_or(12), day: e.day().unwrap_or(28) };
            expiry < at
        });
        let sod = match Sod::parse(sod) {
            Ok(s) => s,
            Err(e) => {
                b.fail(CheckName::SodParsed, e.to_string());
                report.checks = b.finish("EF.SOD could not be parsed");
                report.data_groups =
                    dgs.keys().map(|d| DataGroupCheck { data_group: d.get(), status: DgStatus::NotInSod }).collect();
                return report.finalise();
            }
        };
        b.pass_note(
            CheckName::SodParsed,
            format!(
                "LDSSecurityObject v{}, {} data group hashes ({}){}",
                sod.security_object.version,
                sod.security_object.hashes.len(),
                sod.security_object.hash_alg,
                if sod.signed_data.was_ber { "; BER encoding normalised" } else { "" }
            ) + if sod.form == crate::lds::sod::SodForm::BareContentInfo {
                "; stored as a bare ContentInfo, without the 77 tag of the file as read"
            } else {
                ""
            },
        );
        match sod.content_type.tolerance() {
            None => b.pass(CheckName::SodContentType),
            Some(why) => b.pass_note(CheckName::SodContentType, why.into()),
        }

        // Data-group hashes do not depend on the signature; they are always reported.
        report.data_groups = data_group_checks(&sod, dgs);
        let named = |status: DgStatus| -> Vec<String> {
            report.data_groups.iter().filter(|d| d.status == status).map(|d| format!("DG{}", d.data_group)).collect()
        };
        let (mismatched, injected) = (named(DgStatus::Mismatch), named(DgStatus::NotInSod));
        // EF.COM listing a group the SOD does not cover (those read are named above).
        let com_extra: Vec<String> = com
            .and_then(|c| crate::lds::EfCom::parse(c).ok())
            .map(|c| c.data_groups)
            .unwrap_or_default()
            .into_iter()
            .filter(|d| !sod.security_object.hashes.contains_key(d) && !dgs.contains_key(d))
            .map(|d| format!("DG{}", d.get()))
            .collect();
        let matched = report.data_groups.iter().filter(|d| d.status == DgStatus::Matched).count();
        let mut problems = Vec::new();
        if !mismatched.is_empty() {
            problems.push(format!("hash mismatch: {}", mismatched.join(", ")));
        }
        if !injected.is_empty() {
            problems.push(format!("read but not covered by the SOD (injected): {}", injected.join(", ")));
        }
        if !com_extra.is_empty() {
            problems.push(format!("listed in EF.COM but not covered by the SOD: {}", com_extra.join(", ")));
        }
        if !problems.is_empty() {
            b.fail(CheckName::DataGroupHashes, problems.join("; "));
        } else if matched == 0 {
            b.set(CheckName::DataGroupHashes, Status::NotPerformed, Some("no data group was read".to_string()));
        } else {
            b.pass_note(CheckName::DataGroupHashes, format!("{matched} data group(s) match"));
        }

        let issuing_state = options.issuing_state.clone().or(dg1_mrz.as_ref().map(|d| d.mrz.issuing_state.clone()));
        let mut report =
            report.signer_checks(&mut b, &sod.signed_data, store, options, issuing_state.as_deref(), "the SOD");
        if let (Verdict::Valid, Some(vouched)) = (report.verdict, report.vouched.clone()) {
            let matched: BTreeMap<DgNumber, Vec<u8>> = report
                .data_groups
                .iter()
                .filter(|d| d.status == DgStatus::Matched)
                .filter_map(|d| DgNumber::new(d.data_group))
                .filter_map(|n| dgs.get(&n).map(|b| (n, b.clone())))
                .collect();
            report.authenticated =
                Some(Authenticated::Document(Arc::new(AuthenticatedDocument::new(matched, vouched))));
        }
        report
    }

    /// The data groups this report vouches for: `Some` only with a `valid` verdict of
    /// [`PassiveAuthentication::verify`] (the groups whose hashes matched).
    #[must_use]
    pub fn authenticated_document(&self) -> Option<&AuthenticatedDocument> {
        match &self.authenticated {
            Some(Authenticated::Document(d)) => Some(d),
            _ => None,
        }
    }

    /// The SecurityInfos this report vouches for: `Some` only with a `valid` verdict of
    /// [`PassiveAuthentication::verify_card_security`].
    #[must_use]
    pub fn authenticated_card_security(&self) -> Option<&AuthenticatedSecurityInfos> {
        match &self.authenticated {
            Some(Authenticated::CardSecurity(c)) => Some(c),
            _ => None,
        }
    }

    /// A report with nothing checked yet (invalid until [`Self::finalise`]).
    fn empty(options: &PaOptions) -> Self {
        Self {
            schema: "passchip.pa/1",
            verdict: Verdict::Invalid,
            evaluated_at: options.at.to_string(),
            checks: Vec::new(),
            data_groups: Vec::new(),
            signer: None,
            anchor: None,
            document_expired: None,
            require_crl: options.require_crl,
            vouched: None,
            authenticated: None,
        }
    }

    /// Passive authentication of EF.CardSecurity (BSI TR-03110-3 A.1.2): the CMS
    /// signature, the DSC and its chain, exactly as for EF.SOD. The `sod_*` checks refer
    /// to EF.CardSecurity; `data_group_hashes` is not applicable and not required.
    #[must_use]
    pub fn verify_card_security(bytes: &[u8], store: &TrustStore, options: &PaOptions) -> Self {
        let mut b = Builder::default();
        let mut report = Self::empty(options);
        b.set(CheckName::DataGroupHashes, Status::NotPerformed, Some(NOT_APPLICABLE.to_string()));
        let cs = match crate::lds::CardSecurity::parse(bytes) {
            Ok(c) => c,
            Err(e) => {
                b.fail(CheckName::SodParsed, e.to_string());
                report.checks = b.finish("EF.CardSecurity could not be parsed");
                return report.finalise();
            }
        };
        b.pass_note(CheckName::SodParsed, format!("EF.CardSecurity, {} SecurityInfos", cs.infos.infos.len()));
        b.pass(CheckName::SodContentType);
        let mut report = report.signer_checks(
            &mut b,
            &cs.signed_data,
            store,
            options,
            options.issuing_state.as_deref(),
            "EF.CardSecurity",
        );
        if let (Verdict::Valid, Some(vouched)) = (report.verdict, report.vouched.clone()) {
            report.authenticated =
                Some(Authenticated::CardSecurity(Arc::new(AuthenticatedSecurityInfos::new(cs.infos, vouched))));
        }
        report
    }

    /// The signature, the signer and its chain to a trusted CSCA; then the report is final.
    fn signer_checks(
        mut self,
        b: &mut Builder,
        signed_data: &crate::lds::cms::SignedData,
        store: &TrustStore,
        options: &PaOptions,
        issuing_state: Option<&str>,
        object: &str,
    ) -> Self {
        let report = &mut self;
        let at = options.at;
        // The CMS signature.
        let signer = match verify_signed_data(signed_data) {
            Ok(s) => {
                b.pass(CheckName::SodSignedAttributes);
                let mut note = s.algorithm.to_string();
                if s.issuer_name_tolerated {
                    note.push_str(
                        "; signer matched by serial number: the SignerInfo names the issuer differently (RDNs in another order)",
                    );
                }
                if let Some(m) = s.curve_mismatch {
                    note.push_str(&format!(
                        "; tolerated issuer error: the DSC's key is stated on {} but lies on {}, the standardized curve of the same size, which verifies the signature (as on Lithuanian documents)",
                        m.stated, m.actual
                    ));
                }
                if s.signature_tolerated == crate::crypto::sig::Tolerated::NonCanonicalDerIntegers {
                    note.push_str("; tolerated issuer error: the ECDSA signature's integers are not canonical DER");
                }
                b.pass_note(CheckName::SodSignature, note);
                s.certificate
            }
            Err(e) => {
                match e {
                    SignedDataError::MessageDigestMismatch | SignedDataError::ContentTypeMismatch => {
                        b.fail(CheckName::SodSignedAttributes, e.to_string());
                        b.set(
                            CheckName::SodSignature,
                            Status::NotPerformed,
                            Some("signed attributes are wrong".into()),
                        );
                    }
                    SignedDataError::Signature(crate::crypto::sig::SigError::Invalid) => {
                        b.pass(CheckName::SodSignedAttributes);
                        b.fail(CheckName::SodSignature, e.to_string());
                    }
                    other => {
                        b.fail(CheckName::SodSignature, other.to_string());
                    }
                }
                report.checks = std::mem::take(b).finish(&format!("the signature of {object} could not be verified"));
                return self.finalise();
            }
        };
        report.signer = Some(CertSummary::of(&signer));

        // DSC validity and key usage need no anchor.
        let at_secs = at.to_unix();
        if signer.valid_at(at_secs) {
            b.pass(CheckName::DscValidity);
        } else {
            b.fail(
                CheckName::DscValidity,
                format!(
                    "DSC valid {} to {}, evaluated at {at}",
                    Date::from_unix(signer.not_before()),
                    Date::from_unix(signer.not_after())
                ),
            );
        }
        match signer.key_usage() {
            Ok(Some((true, _))) => b.pass(CheckName::DscKeyUsage),
            Ok(Some((false, _))) => b.fail(CheckName::DscKeyUsage, "keyUsage lacks digitalSignature".into()),
            Ok(None) => b.pass_note(CheckName::DscKeyUsage, "no keyUsage extension".into()),
            Err(e) => b.fail(CheckName::DscKeyUsage, e),
        }

        // The anchor.
        let candidates = store.issuer_candidates(&signer);
        let anchor = candidates.iter().find(|t| t.cert.public_key().is_ok_and(|k| signer.verify_signed_by(k).is_ok()));
        let Some(anchor) = anchor else {
            let reason = if store.is_empty() {
                "the trust store is empty: no CSCA to verify the DSC against".to_string()
            } else if candidates.is_empty() {
                format!("no CSCA in the trust store matches the DSC issuer {}", signer.issuer())
            } else {
                format!(
                    "{} candidate CSCA(s) for {}, none verifies the DSC signature",
                    candidates.len(),
                    signer.issuer()
                )
            };
            b.fail(CheckName::DscTrusted, reason);
            report.checks = std::mem::take(b).finish("no trusted CSCA for the DSC");
            return self.finalise();
        };
        let csca = &anchor.cert;
        // A link certificate is self-issued but signed by the previous CSCA key: its
        // authority key identifier names another key than its own. (Key identifiers
        // answer this without verifying the CSCA's own signature again.)
        let link = csca.is_self_issued()
            && matches!((csca.authority_key_id(), csca.subject_key_id()), (Some(a), Some(s)) if a != s);
        report.anchor = Some(AnchorSummary {
            certificate: CertSummary::of(csca),
            source: anchor.source.clone(),
            link_certificate: link,
        });
        // RFC 5280 §4.2: a critical extension the verifier does not process fails the chain.
        let unknown = signer.unknown_critical_extensions();
        if unknown.is_empty() {
            let unanchored = matches!(
                &anchor.source,
                TrustSource::MasterList { anchoring: super::masterlist::Anchoring::NotAnchored { .. }, .. }
            );
            let note = if unanchored {
                format!(
                    "{} (from a master list that is NOT anchored to a trusted root: it vouches for itself)",
                    csca.subject()
                )
            } else {
                csca.subject()
            };
            b.pass_note(CheckName::DscTrusted, note);
            report.vouched = Some(Vouched::new(&signer, csca));
        } else {
            b.fail(
                CheckName::DscTrusted,
                format!("the DSC has critical extensions passchip does not process: {}", unknown.join(", ")),
            );
        }
        if csca.valid_at(at_secs) {
            b.pass(CheckName::CscaValidity);
        } else {
            b.fail(
                CheckName::CscaValidity,
                format!("CSCA valid {} to {}", Date::from_unix(csca.not_before()), Date::from_unix(csca.not_after())),
            );
        }
        let unknown = csca.unknown_critical_extensions();
        match (csca.is_ca(), csca.key_usage()) {
            (Err(e), _) | (_, Err(e)) => b.fail(CheckName::CscaConstraints, e),
            _ if !unknown.is_empty() => b.fail(
                CheckName::CscaConstraints,
                format!("the CSCA has critical extensions passchip does not process: {}", unknown.join(", ")),
            ),
            (Ok(Some(false)), _) => b.fail(CheckName::CscaConstraints, "basicConstraints says it is not a CA".into()),
            (_, Ok(Some((_, false)))) => b.fail(CheckName::CscaConstraints, "keyUsage lacks keyCertSign".into()),
            (Ok(None), _) => b.pass_note(CheckName::CscaConstraints, "no basicConstraints extension".into()),
            _ => b.pass(CheckName::CscaConstraints),
        }
        country_check(b, &signer, csca, issuing_state);
        revocation_check(b, &signer, csca, store, at_secs);
        report.checks = std::mem::take(b).finish("not reached");
        self.finalise()
    }

    fn finalise(mut self) -> Self {
        let required_ok = self.checks.iter().all(|c| {
            c.status == Status::Passed
                || (c.name == CheckName::DataGroupHashes && c.reason.as_deref() == Some(NOT_APPLICABLE))
                || (c.name == CheckName::DscNotRevoked && !self.require_crl && c.status == Status::NotPerformed)
        });
        self.verdict = if required_ok { Verdict::Valid } else { Verdict::Invalid };
        self
    }

    /// The report schema name (`passchip.pa/1`).
    #[must_use]
    pub fn schema(&self) -> &'static str {
        self.schema
    }

    /// The verdict, derived from the checks.
    #[must_use]
    pub fn verdict(&self) -> Verdict {
        self.verdict
    }

    /// Every check, in report order.
    #[must_use]
    pub fn checks(&self) -> &[Check] {
        &self.checks
    }

    /// One check.
    #[must_use]
    pub fn check(&self, name: CheckName) -> Option<&Check> {
        self.checks.iter().find(|c| c.name == name)
    }

    /// The data-group results.
    #[must_use]
    pub fn data_groups(&self) -> &[DataGroupCheck] {
        &self.data_groups
    }

    /// The DSC, if the SOD could be checked.
    #[must_use]
    pub fn signer(&self) -> Option<&CertSummary> {
        self.signer.as_ref()
    }

    /// The CSCA the DSC chained to.
    #[must_use]
    pub fn anchor(&self) -> Option<&AnchorSummary> {
        self.anchor.as_ref()
    }

    /// Whether the document has expired at the evaluation date (from DG1), reported
    /// separately from certificate validity.
    #[must_use]
    pub fn document_expired(&self) -> Option<bool> {
        self.document_expired
    }

    /// The evaluation date.
    #[must_use]
    pub fn evaluated_at(&self) -> &str {
        &self.evaluated_at
    }
}
