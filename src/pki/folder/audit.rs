//! What in a trust folder needs attention: CSCAs expired or about to, CRLs past their
//! nextUpdate, master lists older than a bank's policy allows, countries without a CSCA.

use std::collections::BTreeSet;

use serde::Serialize;

use super::TrustFolder;
use super::index::CertKind;

const DAY: u64 = 86_400;

/// The audit's thresholds.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AuditOptions {
    /// The moment of the audit, Unix seconds.
    pub now: u64,
    /// A CSCA that expires within this many days is reported.
    pub expiring_within_days: u64,
    /// A master list signed (or, without signingTime, imported) longer ago than this many
    /// days is reported.
    pub master_list_max_age_days: u64,
    /// Countries (alpha-2) the bank expects documents from: one without any valid CSCA is
    /// reported.
    pub expected_countries: Vec<String>,
}

impl AuditOptions {
    /// Defaults at `now`: 90 days for expiring CSCAs and for master lists.
    #[must_use]
    pub fn at(now: u64) -> Self {
        Self { now, expiring_within_days: 90, master_list_max_age_days: 90, expected_countries: Vec::new() }
    }
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// The store holds nothing.
    EmptyStore,
    /// A CSCA or link certificate past its validity.
    CscaExpired,
    /// A country's newest CSCA expires soon, and no successor is in the store.
    CscaExpiring,
    /// A CRL past its nextUpdate: revocation cannot be checked against it.
    CrlOutOfDate,
    /// A master list older than the policy allows.
    MasterListOld,
    /// A country the bank expects, or one the store knows of, without any valid CSCA.
    CountryWithoutCsca,
    /// A certificate of passchip's test PKI.
    TestPki,
}

/// Whether a finding asks for action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// For the record: an expired CSCA only anchors documents that expired with it.
    Info,
    /// Verifications fail or lose a check until someone acts.
    Attention,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// What kind.
    pub kind: FindingKind,
    /// Whether it asks for action.
    pub severity: Severity,
    /// The country concerned, if one.
    pub country: Option<String>,
    /// What, in words.
    pub detail: String,
}

/// The audit's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Audit {
    /// Certificates examined.
    pub certificates: usize,
    /// CRLs examined.
    pub crls: usize,
    /// Master lists examined.
    pub master_lists: usize,
    /// What needs attention; empty when nothing does.
    pub findings: Vec<Finding>,
}

impl Audit {
    /// Whether nothing needs attention.
    #[must_use]
    pub fn is_clean(&self) -> bool {
        self.findings.iter().all(|f| f.severity == Severity::Info)
    }
}

fn date(secs: u64) -> String {
    crate::date::Date::from_unix(secs).to_string()
}

impl TrustFolder {
    /// Audits the store.
    #[must_use]
    pub fn audit(&self, options: &AuditOptions) -> Audit {
        let now = options.now;
        let mut findings = Vec::new();
        let certs = &self.index.certificates;
        if certs.is_empty() {
            findings.push(Finding {
                kind: FindingKind::EmptyStore,
                severity: Severity::Attention,
                country: None,
                detail: "the trust store holds no certificate: import a master list (passchip trust import)".into(),
            });
        }
        let mut with_valid = BTreeSet::new();
        let mut seen = BTreeSet::new();
        // Per country, the latest end of validity of a CSCA or link certificate.
        let mut latest: std::collections::BTreeMap<String, (u64, String)> = std::collections::BTreeMap::new();
        for c in certs.iter().map(|c| &c.info).filter(|c| c.kind != CertKind::Dsc) {
            let country = c.country.clone();
            seen.extend(country.clone());
            if c.test_pki {
                findings.push(Finding {
                    kind: FindingKind::TestPki,
                    severity: Severity::Attention,
                    country: country.clone(),
                    detail: format!("{}: passchip's test PKI, its private keys are public", c.subject),
                });
            }
            if let Some(cc) = &country {
                let e = latest.entry(cc.clone()).or_insert((0, String::new()));
                if c.not_after > e.0 {
                    *e = (c.not_after, c.subject.clone());
                }
            }
            if c.not_after < now {
                findings.push(Finding {
                    kind: FindingKind::CscaExpired,
                    severity: Severity::Info,
                    country,
                    detail: format!("{}: expired on {}", c.subject, date(c.not_after)),
                });
            } else if c.not_before <= now {
                with_valid.extend(country);
            }
        }
        let horizon = now.saturating_add(options.expiring_within_days.saturating_mul(DAY));
        for (country, (end, subject)) in &latest {
            if *end >= now && *end < horizon {
                findings.push(Finding {
                    kind: FindingKind::CscaExpiring,
                    severity: Severity::Attention,
                    country: Some(country.clone()),
                    detail: format!(
                        "{subject}: the newest CSCA of {country} expires on {}, no successor in the store",
                        date(*end)
                    ),
                });
            }
        }
        for c in self.index.crls.iter().map(|c| &c.info) {
            seen.extend(c.country.clone());
            match c.next_update {
                Some(n) if n < now => findings.push(Finding {
                    kind: FindingKind::CrlOutOfDate,
                    severity: Severity::Attention,
                    country: c.country.clone(),
                    detail: format!("CRL of {}: nextUpdate {} has passed: import a newer one", c.issuer, date(n)),
                }),
                _ => {}
            }
        }
        for m in &self.index.master_lists {
            let when = m.signed_at.unwrap_or(m.imported);
            let age = now.saturating_sub(when) / DAY;
            if age > options.master_list_max_age_days {
                findings.push(Finding {
                    kind: FindingKind::MasterListOld,
                    severity: Severity::Attention,
                    country: None,
                    detail: format!(
                        "master list {}: {} {} days ago (policy: {} days): import a newer one",
                        m.label,
                        if m.signed_at.is_some() { "signed" } else { "imported" },
                        age,
                        options.master_list_max_age_days
                    ),
                });
            }
        }
        let expected: BTreeSet<String> = options.expected_countries.iter().map(|c| c.to_ascii_uppercase()).collect();
        for country in seen.union(&expected) {
            if !with_valid.contains(country) {
                findings.push(Finding {
                    kind: FindingKind::CountryWithoutCsca,
                    severity: Severity::Attention,
                    country: Some(country.clone()),
                    detail: format!("{country}: no CSCA valid today"),
                });
            }
        }
        Audit {
            certificates: certs.len(),
            crls: self.index.crls.len(),
            master_lists: self.index.master_lists.len(),
            findings,
        }
    }
}
