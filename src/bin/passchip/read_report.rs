//! What `passchip read` concludes and prints: integrity always, passive authentication and
//! chip authenticity with a trust store, the bank verdict with `--identity`
//! (`passchip.read/1`).

use passchip::identity::verification::{ChipAuthenticity, Decision, Verification as BankVerification};
use passchip::kiosk::{Visit, VisitOutcome};
use passchip::lds::LdsFile;
use passchip::pki::{Integrity, PassiveAuthentication, Status};
use passchip::reader::{DocumentRead, SessionStats};
use serde::Serialize;

use crate::summary::{DocumentSummary, FaceSummary, FileSummary, HolderDetails};
use crate::trust::StoreSummary;

/// The `verification` object: as `passchip.demo/1` has it, with the store used.
#[derive(Serialize)]
pub struct Verification<'a> {
    /// `genuine`, `not_genuine`, `not_verified` or `expired`.
    pub decision: &'static str,
    pub trust_store: &'a StoreSummary,
    pub passive_authentication: &'a PassiveAuthentication,
    pub chip_authenticity: &'a ChipAuthenticity,
}

#[derive(Serialize)]
pub struct Access<'a> {
    protocol: String,
    secure_messaging: String,
    extended_length: bool,
    pace: Option<&'a passchip::low_level::access::pace::PaceOutcome>,
    bac_fallback: Option<&'a str>,
    downgrade: Option<&'a passchip::reader::Downgrade>,
    dg1_differs_from_access_mrz: bool,
}

#[derive(Serialize)]
pub struct Stats {
    pub wait_ms: f64,
    pub connect_ms: f64,
    #[serde(flatten)]
    pub session: SessionStats,
}

/// `passchip.read/1`.
#[derive(Serialize)]
pub struct Report<'a> {
    schema: &'static str,
    reader: &'a str,
    /// Why this reader: the one named, or the contactless card among several.
    reader_chosen_because: &'a str,
    atr: String,
    document: Option<DocumentSummary>,
    /// DG11 when read: the holder's names in the issuing state's script.
    #[serde(skip_serializing_if = "Option::is_none")]
    holder_details: Option<HolderDetails>,
    face: Option<FaceSummary>,
    access: Access<'a>,
    files: Vec<FileSummary>,
    missing: Vec<String>,
    eac_protected: Vec<String>,
    interruptions: &'a [passchip::reader::Interruption],
    anti_cloning: &'a passchip::reader::AntiCloningRead,
    /// EF.SOD's hashes and signature against what was read, with no trust anchor.
    integrity: &'a Integrity,
    /// With a trust store; `null` without one (or with `--no-verify`).
    verification: Option<Verification<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bank_verification: Option<&'a BankVerification>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stats: Option<Stats>,
}

/// Everything a read concluded.
pub struct Concluded<'a> {
    pub reader: &'a str,
    pub reader_chosen_because: &'a str,
    pub atr: String,
    pub read: &'a DocumentRead,
    pub integrity: &'a Integrity,
    pub visit: Option<(&'a Visit, &'a StoreSummary)>,
    pub bank: Option<&'a BankVerification>,
    pub stats: Option<Stats>,
    /// `--no-verify`.
    pub verify_skipped: bool,
}

fn decision(v: &Visit) -> &'static str {
    match v.outcome() {
        VisitOutcome::Genuine => "genuine",
        VisitOutcome::NotGenuine => "not_genuine",
        VisitOutcome::Expired => "expired",
        _ => "not_verified",
    }
}

impl Concluded<'_> {
    /// Why the exit status is 1, if it is: the read's own findings first, then integrity,
    /// the verdict and the bank decision.
    pub fn failure(&self) -> Option<String> {
        let read = self.read;
        let a = &read.anti_cloning;
        let failed: Vec<&str> = [
            ("PACE-CAM", a.pace_cam.failed()),
            ("Chip Authentication", a.chip_authentication.failed()),
            ("Active Authentication", a.active_authentication.failed()),
        ]
        .into_iter()
        .filter(|(_, f)| *f)
        .map(|(n, _)| n)
        .collect();
        if !failed.is_empty() {
            return Some(format!("the chip failed {}: it is not the original chip", failed.join(" and ")));
        }
        if read.dg1_differs_from_access_mrz {
            return Some("DG1 names another document than the MRZ that opened the chip".into());
        }
        if let Some(d) = &read.downgrade {
            return Some(format!("the chip was opened with {} although the document supports {}", d.used, d.expected));
        }
        if self.verify_skipped {
            return None;
        }
        if !self.integrity.intact() {
            return Some(format!("the data is not intact: {}", self.integrity.problems.join("; ")));
        }
        if let Some((visit, _)) = self.visit
            && !visit.genuine()
        {
            return Some(format!("the document is {}", decision(visit).replace('_', " ")));
        }
        if let Some(bank) = self.bank
            && bank.decision() != Decision::Accept
        {
            let d = serde_json::to_value(bank.decision()).ok().and_then(|v| v.as_str().map(String::from));
            return Some(format!("the bank decision is {}", d.unwrap_or_default()));
        }
        None
    }

    pub fn report(&self) -> Report<'_> {
        let read = self.read;
        Report {
            schema: "passchip.read/1",
            reader: self.reader,
            reader_chosen_because: self.reader_chosen_because,
            atr: self.atr.clone(),
            document: read.dg1.as_ref().map(|d| DocumentSummary::from_mrz(&d.mrz)),
            holder_details: HolderDetails::of(read, self.visit.map(|(v, _)| v.passive_authentication())),
            face: FaceSummary::from_dg2(LdsFile::dg(2).and_then(|f| read.files.get(&f)).map(Vec::as_slice)),
            access: Access {
                protocol: read.access.to_string(),
                secure_messaging: read.suite.to_string(),
                extended_length: read.extended_length,
                pace: read.pace.as_ref(),
                bac_fallback: read.bac_fallback.as_deref(),
                downgrade: read.downgrade.as_ref(),
                dg1_differs_from_access_mrz: read.dg1_differs_from_access_mrz,
            },
            files: FileSummary::of(read),
            missing: read.missing.iter().map(|f| f.name()).collect(),
            eac_protected: read.eac_protected.iter().map(|f| f.name()).collect(),
            interruptions: &read.interruptions,
            anti_cloning: &read.anti_cloning,
            integrity: self.integrity,
            verification: self.visit.map(|(v, store)| Verification {
                decision: decision(v),
                trust_store: store,
                passive_authentication: v.passive_authentication(),
                chip_authenticity: v.chip(),
            }),
            bank_verification: self.bank,
            stats: self.stats.as_ref().map(|s| Stats {
                wait_ms: s.wait_ms,
                connect_ms: s.connect_ms,
                session: s.session,
            }),
        }
    }

    /// The summary for a person: the decision first, in one word, then why.
    pub fn print(&self) {
        let r = self.report();
        println!("passchip read: {}\n", r.reader);
        println!("  {}\n", self.headline());
        for reason in self.reasons() {
            println!("    {reason}");
        }
        if !self.reasons().is_empty() {
            println!();
        }
        if let Some(d) = &r.document {
            println!("  Document      {} ({}), issued by {}", d.kind, d.format, d.issuing_state);
            println!("  Number        {}", d.document_number);
            println!("  Holder        {}, {}", d.primary_identifier, d.secondary_identifier);
            println!("  Nationality   {}", d.nationality);
            println!("  Born          {}", d.date_of_birth);
            println!("  Expires       {}", d.date_of_expiry);
        }
        if let Some(h) = &r.holder_details {
            h.print();
        }
        println!(
            "  Access        {} ({} secure messaging, {})",
            r.access.protocol,
            r.access.secure_messaging,
            if r.access.extended_length { "extended length" } else { "short APDUs" }
        );
        if let Some(f) = r.access.bac_fallback {
            println!("  Note          {f}");
        }
        crate::summary::print_contents(&r.files, r.face.as_ref(), &r.missing, &r.eac_protected);
        for i in r.interruptions {
            println!("  Resumed       the card left during {i}; the read went on where it stopped");
        }
        let integrity = if self.integrity.intact() {
            "intact: every data group matches EF.SOD, whose signature holds under its DSC".to_string()
        } else {
            format!("BROKEN: {}", self.integrity.problems.join("; "))
        };
        println!("  Integrity     {integrity}");
        match self.visit {
            Some((visit, store)) => {
                let pa = visit.passive_authentication();
                let verdict = if pa.verdict() == passchip::pki::Verdict::Valid { "valid" } else { "INVALID" };
                println!("  Signature     {verdict}");
                if let (Some(s), Some(a)) = (pa.signer(), pa.anchor()) {
                    println!("    signed by   {} [{}]", s.subject, s.key);
                    println!("    trusted via {} [{}]", a.certificate.subject, a.certificate.key);
                }
                let chip = visit.chip();
                let by = if chip.proven_by().is_empty() {
                    String::new()
                } else {
                    format!(" by {}", chip.proven_by().join(", "))
                };
                println!("  Chip          {}{by}", chip.status().to_string().replace('_', " "));
                println!("  Trust store   {}", store.describe());
            }
            None => {
                let a = &r.anti_cloning;
                println!(
                    "  Anti-cloning  PACE-CAM {}, CA {}, AA {} (the keys' authenticity needs a trust store)",
                    a.pace_cam.status().replace('_', " "),
                    a.chip_authentication.status().replace('_', " "),
                    a.active_authentication.status().replace('_', " ")
                );
            }
        }
        if let Some(v) = self.bank {
            let code = |x: &dyn erased::Code| x.code();
            match v.holder_match() {
                Some(h) => {
                    let holder: Vec<String> = h.reasons().iter().map(|r| code(r)).collect();
                    println!(
                        "  Bank          {} (holder match: {})",
                        code(&v.decision()).to_uppercase(),
                        if holder.is_empty() { code(&h.outcome()) } else { holder.join(", ") }
                    );
                }
                None => println!("  Bank          {}", crate::bank::refusal_text(v)),
            }
            if let Some(gate) = v.attempts() {
                println!("  Attempts      {gate}");
            }
        }
        if let Some(s) = &r.stats {
            let p = &s.session.phases;
            println!(
                "  Link          {} APDUs ({} READ BINARY), {} bytes sent, {} received",
                s.session.apdus, s.session.read_binary, s.session.bytes_sent, s.session.bytes_received
            );
            println!(
                "  Time          wait {:.0} ms, connect {:.0} ms, access {:.0} ms ({} APDUs), read {:.0} ms ({} APDUs), anti-cloning {:.0} ms ({} APDUs)",
                s.wait_ms,
                s.connect_ms,
                p.access.elapsed.as_secs_f64() * 1000.0,
                p.access.apdus,
                p.read.elapsed.as_secs_f64() * 1000.0,
                p.read.apdus,
                p.anti_cloning.elapsed.as_secs_f64() * 1000.0,
                p.anti_cloning.apdus
            );
        }
    }

    /// GENUINE / NOT GENUINE / NOT VERIFIED / EXPIRED, and what it rests on.
    fn headline(&self) -> String {
        let caught = self.failure().filter(|_| {
            let a = &self.read.anti_cloning;
            a.pace_cam.failed() || a.chip_authentication.failed() || a.active_authentication.failed()
        });
        if caught.is_some() || self.read.dg1_differs_from_access_mrz {
            return "NOT GENUINE".into();
        }
        if self.verify_skipped {
            return "NOT VERIFIED (--no-verify: a plain read)".into();
        }
        if !self.integrity.intact() {
            return "NOT GENUINE: the data was changed or does not parse".into();
        }
        match self.visit {
            Some((v, _)) => match v.outcome() {
                VisitOutcome::Genuine => "GENUINE: signed by its issuing state, the chip proven original".into(),
                VisitOutcome::NotGenuine => "NOT GENUINE".into(),
                VisitOutcome::Expired => "EXPIRED".into(),
                _ => "NOT VERIFIED".into(),
            },
            None => "NOT VERIFIED: no trust store (the data is intact; who signed it is not checked — \
                     `passchip trust import` a master list)"
                .into(),
        }
    }

    /// The reasons under the headline: what failed or was not checked, in words.
    fn reasons(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(f) = self.failure() {
            out.push(f);
        }
        if let Some((v, _)) = self.visit {
            for c in v.passive_authentication().checks().iter().filter(|c| c.status() != Status::Passed) {
                out.push(crate::summary::check_line(c));
            }
            for r in v.chip().reasons() {
                out.push(r.clone());
            }
        }
        out.dedup();
        out
    }
}

/// Reason codes as their JSON strings.
mod erased {
    pub trait Code {
        fn code(&self) -> String;
    }
    impl<T: serde::Serialize> Code for T {
        fn code(&self) -> String {
            serde_json::to_value(self).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
        }
    }
}
