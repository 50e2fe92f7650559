//! `passchip demo`: the whole read flow against the built-in virtual passport.

use std::time::Instant;

use clap::Args;
use passchip::date::Date;
use passchip::emulator::{AaSpec, ChipProfile, DocumentSpec, VirtualChip, VirtualDocument};
use passchip::identity::verification::ChipAuthenticity;
use passchip::kiosk::{Visit, VisitOutcome};
use passchip::low_level::crypto::ec::NamedCurve;
use passchip::low_level::crypto::hash::HashAlg;
use passchip::mrz::{Mrz, Sex};
use passchip::pki::{PaOptions, PassiveAuthentication, TrustSource, TrustStore, Verdict};
use passchip::reader::{AccessPolicy, Credentials, PartialRead, ReadOptions, read_document_resuming};
use passchip::transport::InProcess;
use serde::Serialize;

use crate::summary::{DocumentSummary, FaceSummary, FileSummary, HolderDetails};

/// Options of `passchip demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Print the result as JSON (schema `passchip.demo/1`, docs/json.md).
    #[arg(long)]
    json: bool,
    /// Read a synthetic document generated from this seed instead of the specimen.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Use BAC instead of PACE.
    #[arg(long)]
    bac: bool,
    /// Make the virtual chip a clone: genuine signed files, other private keys (chip
    /// authentication then fails and the verdict says so).
    #[arg(long)]
    cloned: bool,
    /// Which kind of chip the virtual passport models.
    #[arg(long, value_enum, default_value_t = ChipKind::Modern)]
    chip: ChipKind,
    /// A bank e-ID result (JSON, as for `passchip match`): read, verify and match the
    /// virtual passport's holder end to end.
    #[arg(long, value_name = "FILE")]
    identity: Option<std::path::PathBuf>,
    /// Give the virtual chip an Active Authentication key (ECDSA P-256 in DG15).
    #[arg(long)]
    active_authentication: bool,
    /// The Active Authentication challenge, 8 bytes in hex, as a bank server would send
    /// its nonce (default: random).
    #[arg(long, value_name = "HEX")]
    aa_challenge: Option<String>,
    /// Write the read as a dump folder (the files, EF.CardSecurity, the Active
    /// Authentication evidence) and the virtual CSCA as `virtual-CSCA.der`, for `passchip verify`
    /// (with --allow-test-pki: it is a test PKI).
    #[arg(long, value_name = "DIR")]
    out: Option<std::path::PathBuf>,
    /// Write the portrait from DG2 to FILE: as stored on the chip, or decoded to PNG when
    /// FILE ends in `.png`.
    #[arg(long, value_name = "FILE")]
    face: Option<std::path::PathBuf>,
    /// With --out and --face: replace an existing dump folder's files or face file
    /// (without it, a folder that is not empty or a file that exists is refused).
    #[arg(long)]
    force: bool,
    /// Give the virtual passport DG5–DG16 with this full name in DG11, as the issuing
    /// state writes it in its own script (`ФЁДОРОВА<<АННА`).
    #[arg(long, value_name = "NAME")]
    dg11_name: Option<String>,
    /// Make the virtual chip play an attack (each one passchip refuses; docs/security.md).
    #[arg(long, value_enum, value_name = "MODE")]
    hostile: Option<crate::hostile::Attack>,
    /// Verify against these trust anchors (the flags of `verify`, e.g. --trust-store DIR
    /// --allow-test-pki) instead of the virtual CSCA built in. The default trust folder is
    /// not used by the demo.
    #[command(flatten)]
    trust: crate::trust::TrustArgs,
    /// With --identity: the attempt ledger (consulted when --ledger, --ledger-key-file or
    /// $PASSCHIP_LEDGER_KEY is given).
    #[command(flatten)]
    ledger: crate::ledger_cmd::LedgerArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ChipKind {
    /// Extended length up to 64 KiB.
    Modern,
    /// Short APDUs only.
    NoExtended,
    /// Short APDUs of at most 160 bytes.
    Le160,
}

impl ChipKind {
    /// The emulator's profile for this kind.
    pub fn profile(self) -> ChipProfile {
        match self {
            Self::Modern => ChipProfile::modern(),
            Self::NoExtended => ChipProfile::no_extended_length(),
            Self::Le160 => ChipProfile::legacy_le160(),
        }
    }
}

#[derive(Debug, Serialize)]
struct Report {
    schema: &'static str,
    /// `genuine`, `not_genuine`, `not_verified` or `expired` (as the kiosk shows it).
    verdict: &'static str,
    document: DocumentSummary,
    /// DG11 when read: the holder's names in the issuing state's script.
    #[serde(skip_serializing_if = "Option::is_none")]
    holder_details: Option<HolderDetails>,
    face: Option<FaceSummary>,
    access: AccessSummary,
    files: Vec<FileSummary>,
    missing: Vec<String>,
    eac_protected: Vec<String>,
    stats: Stats,
    verification: Verification,
    #[serde(skip_serializing_if = "Option::is_none")]
    bank_verification: Option<passchip::identity::verification::Verification>,
}

#[derive(Debug, Serialize)]
struct AccessSummary {
    protocol: String,
    secure_messaging: String,
    extended_length: bool,
    pace: Option<passchip::low_level::access::pace::PaceOutcome>,
    downgrade: Option<passchip::reader::Downgrade>,
    dg1_differs_from_access_mrz: bool,
}

#[derive(Debug, Serialize)]
struct Stats {
    apdus: u64,
    read_binary: u64,
    bytes_sent: u64,
    bytes_received: u64,
    content_bytes: usize,
    elapsed_ms: f64,
}

#[derive(Debug, Serialize)]
struct Verification {
    passive_authentication: PassiveAuthentication,
    chip_authenticity: ChipAuthenticity,
}

/// Reads, verifies and prints the virtual passport. `Ok(true)` when it verifies as
/// genuine (the exit status is 1 otherwise: a clone, a downgrade, an attack).
pub fn run(args: &DemoArgs, matches: &clap::ArgMatches) -> Result<bool, Box<dyn std::error::Error>> {
    let started = Instant::now();
    // The person is admitted before any card is read.
    let check = match &args.identity {
        Some(path) => match crate::bank::start(path, &args.ledger)? {
            crate::bank::Start::Go(check) => Some(check),
            crate::bank::Start::Refused(v) => {
                crate::bank::print_refusal(&v, args.json)?;
                eprintln!("passchip demo: {}", crate::bank::refusal_text(&v));
                return Ok(false);
            }
        },
        None => None,
    };
    let spec = args.seed.map_or_else(DocumentSpec::specimen, DocumentSpec::from_seed);
    let active_authentication = if args.active_authentication {
        Some(AaSpec::Ecdsa { curve: NamedCurve::P256, hash: HashAlg::Sha256, der: false })
    } else {
        spec.active_authentication
    };
    // `--bac` reads a BAC passport: a PACE passport opened with BAC is a downgrade.
    let pace = if args.bac { None } else { spec.pace };
    let mut spec = DocumentSpec { cloned: args.cloned, active_authentication, pace, ..spec };
    if let Some(name) = &args.dg11_name {
        spec.extra_data_groups = true;
        spec.dg11_full_name = Some(name.clone());
    }
    if let Some(attack) = args.hostile {
        spec = attack.spec(spec);
    }
    let doc = VirtualDocument::build(spec);
    let profile = args.chip.profile();
    // The user would type the MRZ printed on the data page; we take it from the document.
    let key = Mrz::parse(&doc.mrz_text())?.access_key();
    // The verifier trusts the virtual document's CSCA, as a bank trusts a master list (and,
    // for the attacks that bring the attacker's own card, that card's CSCA as well).
    let mut store = TrustStore::new();
    let doc_pki_csca = doc.pki().map(|p| p.csca().der().to_vec());
    let attacker = crate::hostile::attacker_card();
    if args.trust.given() {
        store = args.trust.load(matches, Date::today()).map_err(|e| e.0)?.0;
    } else {
        for pki in [doc.pki(), args.hostile.and(attacker.pki())].into_iter().flatten() {
            store.add(pki.csca().clone(), TrustSource::File { path: "built-in virtual CSCA".into() });
        }
    }
    let policy = if args.bac { AccessPolicy::BacOnly } else { AccessPolicy::Auto };
    let mut options = ReadOptions::default().with_access(policy);
    if let Some(hex) = &args.aa_challenge {
        options = options.with_aa_challenge(crate::challenge::parse(hex).map_err(|e| format!("--aa-challenge: {e}"))?);
    }
    let chip = match args.hostile {
        Some(attack) => attack.chip(&doc, profile.clone()),
        None => VirtualChip::with_profile(doc.clone(), profile.clone()),
    };
    let credentials = if args.hostile.is_some_and(crate::hostile::Attack::uses_can) {
        Credentials::Can { can: doc.spec().can.clone().into(), mrz: None }
    } else {
        Credentials::Mrz(key)
    };
    let mut partial = PartialRead::new();
    let read =
        match read_document_resuming(InProcess::new(chip), &credentials, options.clone(), &mut partial, &mut |_| {}) {
            // The card left the field: the holder puts "it" back (for the swap attack, the
            // attacker's own card of the same model).
            Err(e) if e.is_interrupted() => {
                if !args.json {
                    eprintln!("passchip demo: {e}");
                }
                let next = VirtualChip::with_profile(
                    if args.hostile.is_some() { attacker.clone() } else { doc.clone() },
                    profile,
                );
                read_document_resuming(InProcess::new(next), &credentials, options, &mut partial, &mut |_| {})?
            }
            other => other?,
        };
    if let Some(path) = &args.face {
        let dg2 = passchip::lds::LdsFile::dg(2).and_then(|f| read.files.get(&f)).ok_or("the chip has no DG2")?;
        let written = super::face::write(dg2, path, args.force)?;
        if !args.json {
            eprintln!("face written to {written}");
        }
    }
    if let Some(dir) = &args.out {
        read.dump().write(dir, crate::overwrite(args.force))?;
        if let Some(pki) = doc_pki_csca.as_ref() {
            let path = dir.join("virtual-CSCA.der");
            if args.force {
                let _ = std::fs::remove_file(&path);
            }
            passchip::lds::dump::write_private_file(&path, pki)?;
            eprintln!(
                "passchip demo: {} is passchip's TEST PKI (anyone can derive its private keys): \
                 `passchip verify` and `trust import` take it only with --allow-test-pki",
                path.display()
            );
        }
    }
    let visit = Visit::verify(read, &store, &PaOptions::at(Date::today()));
    let read = visit.read();
    let bank = match check {
        Some(check) => Some(check.decide(read, Some(&visit), Date::today())?),
        None => None,
    };
    let accepted = bank.as_ref().is_none_or(|v| v.decision() == passchip::identity::verification::Decision::Accept);
    let mut report = build_report(&visit, started.elapsed().as_secs_f64() * 1000.0)?;
    report.bank_verification = bank;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_text(&report);
    }
    Ok(visit.genuine() && accepted)
}

fn build_report(visit: &Visit, elapsed_ms: f64) -> Result<Report, Box<dyn std::error::Error>> {
    let read = visit.read();
    let extended = read.extended_length;
    let pa = visit.passive_authentication().clone();
    let chip_authenticity = visit.chip().clone();
    let mrz = &read.dg1.as_ref().ok_or("the document has no DG1")?.mrz;
    Ok(Report {
        schema: "passchip.demo/1",
        verdict: match visit.outcome() {
            VisitOutcome::Genuine => "genuine",
            VisitOutcome::NotGenuine => "not_genuine",
            VisitOutcome::Expired => "expired",
            _ => "not_verified",
        },
        document: DocumentSummary::from_mrz(mrz),
        holder_details: HolderDetails::of(read, Some(visit.passive_authentication())),
        face: FaceSummary::from_dg2(passchip::lds::LdsFile::dg(2).and_then(|f| read.files.get(&f)).map(Vec::as_slice)),
        access: AccessSummary {
            protocol: read.access.to_string(),
            secure_messaging: read.suite.to_string(),
            extended_length: extended,
            pace: read.pace.clone(),
            downgrade: read.downgrade.clone(),
            dg1_differs_from_access_mrz: read.dg1_differs_from_access_mrz,
        },
        files: FileSummary::of(read),
        missing: read.missing.iter().map(|f| f.name()).collect(),
        eac_protected: read.eac_protected.iter().map(|f| f.name()).collect(),
        stats: Stats {
            apdus: read.stats.apdus,
            read_binary: read.stats.read_binary,
            bytes_sent: read.stats.bytes_sent,
            bytes_received: read.stats.bytes_received,
            content_bytes: read.content_bytes(),
            elapsed_ms,
        },
        verification: Verification { passive_authentication: pa, chip_authenticity },
        bank_verification: None,
    })
}

fn print_text(r: &Report) {
    let d = &r.document;
    let sex = match d.sex {
        Sex::Male => "M",
        Sex::Female => "F",
        _ => "unspecified",
    };
    println!("passchip demo: built-in virtual passport\n");
    println!(
        "  {}\n",
        match r.verdict {
            "genuine" => "GENUINE: signed by its issuing state, the chip proven original",
            "not_genuine" => "NOT GENUINE: see the reasons below",
            "expired" => "EXPIRED",
            _ => "NOT VERIFIED: see the reasons below",
        }
    );
    println!("  Document      {} ({}), issued by {}", d.kind, d.format, d.issuing_state);
    println!("  Number        {}", d.document_number);
    println!("  Holder        {}, {}", d.primary_identifier, d.secondary_identifier);
    println!("  Nationality   {}", d.nationality);
    println!("  Born          {}   sex {}", d.date_of_birth, sex);
    println!("  Expires       {}", d.date_of_expiry);
    if !d.optional_data.is_empty() {
        println!("  Optional data {}", d.optional_data);
    }
    if let Some(h) = &r.holder_details {
        h.print();
    }
    if !d.mrz_check_digit_failures.is_empty() {
        let fields: Vec<String> = d.mrz_check_digit_failures.iter().map(ToString::to_string).collect();
        println!("  WARNING       MRZ check digits wrong on the chip: {}", fields.join(", "));
    }
    println!();
    let pace = r.access.pace.as_ref().map_or(String::new(), |p| {
        let ka = code(&p.protocol.key_agreement);
        let mapping = code(&p.protocol.mapping);
        match p.parameter_id {
            Some(id) => {
                let curve = passchip::low_level::access::pace::domain_name(p.protocol.key_agreement, id);
                format!(" {ka}-{mapping}, {}, {curve} (parameter {id})", p.password)
            }
            None => format!(" {ka}-{mapping}, {}, explicit parameters (no parameter ID)", p.password),
        }
    });
    println!(
        "  Access        {}{pace} ({} secure messaging{})",
        r.access.protocol,
        r.access.secure_messaging,
        if r.access.extended_length { ", extended length" } else { ", short APDUs" }
    );
    if let Some(d) = &r.access.downgrade {
        println!("  WARNING       opened with {} although the document supports {}: {}", d.used, d.expected, d.reason);
    }
    if r.access.dg1_differs_from_access_mrz {
        println!("  WARNING       DG1 names another document than the MRZ that opened the chip (a substitution)");
    }
    crate::summary::print_contents(&r.files, r.face.as_ref(), &r.missing, &r.eac_protected);
    let s = &r.stats;
    println!(
        "  Link          {} APDUs ({} READ BINARY), {} bytes sent, {} received, {} bytes of file content",
        s.apdus, s.read_binary, s.bytes_sent, s.bytes_received, s.content_bytes
    );
    println!("  Time          {:.1} ms", s.elapsed_ms);
    println!();
    let pa = &r.verification.passive_authentication;
    let verdict = if pa.verdict() == Verdict::Valid { "VALID" } else { "INVALID" };
    println!("  Passive authentication: {verdict}");
    if let (Some(s), Some(a)) = (pa.signer(), pa.anchor()) {
        println!("    signed by   {} [{}]", s.subject, s.key);
        println!("    trusted via {} [{}]", a.certificate.subject, a.certificate.key);
    }
    for c in pa.checks().iter().filter(|c| c.status() != passchip::pki::Status::Passed) {
        println!("    {}", crate::summary::check_line(c));
    }
    let chip = &r.verification.chip_authenticity;
    let by = if chip.proven_by().is_empty() { String::new() } else { format!(" by {}", chip.proven_by().join(", ")) };
    println!("  Chip authenticity (anti-cloning): {}{by}", chip.status().to_string().to_uppercase());
    for reason in chip.reasons() {
        println!("    {reason}");
    }
    if let Some(v) = &r.bank_verification {
        let reasons: Vec<String> = v.reasons().iter().map(code).collect();
        println!();
        println!("  Bank verification: {}", code(&v.decision()).to_uppercase());
        if let Some(h) = v.holder_match() {
            let holder: Vec<String> = h.reasons().iter().map(code).collect();
            println!("    holder match   {} ({})", code(&h.outcome()).replace('_', " "), holder.join(", "));
        }
        println!("    reasons        {}", reasons.join(", "));
        if let Some(gate) = v.attempts() {
            println!("    attempts       {gate}");
        }
    }
}

/// A reason code as its JSON string.
fn code<T: Serialize>(x: &T) -> String {
    serde_json::to_value(x).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
}
