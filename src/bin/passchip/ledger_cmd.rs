//! `passchip attempts status|unblock` and `passchip audit export`: the attempt ledger and
//! the audit trail (SQLite or PostgreSQL; the bank's hashing key from
//! `PASSCHIP_LEDGER_KEY`, hex, or `--ledger-key-file`). [`LedgerArgs`] is shared with
//! `read` and `demo`, which consult the ledger around `--identity`.
//!
//! Exit status: `attempts status` 0 when the key may try, 1 when it is locked or blocked;
//! `attempts unblock` and `audit export` 0; every command 2 on usage or storage errors.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use passchip::date::Date;
use passchip::ledger::{AnyStore, Gate, KeyHash, KeyHasher, Ledger, LedgerStore, Policy};
use serde::Serialize;

use crate::trust::UsageError;

/// Where the ledger is and how it hashes.
#[derive(Args)]
pub struct LedgerArgs {
    /// The attempt ledger: `sqlite:PATH` or `postgres://user:password@host/db` (default:
    /// $PASSCHIP_LEDGER, else the platform's data folder, Linux
    /// ~/.local/share/passchip/ledger.sqlite).
    #[arg(long, value_name = "URL", env = "PASSCHIP_LEDGER", hide_env_values = true)]
    ledger: Option<String>,
    /// A file holding the bank's hashing key (at least 32 bytes, raw or hex); default:
    /// $PASSCHIP_LEDGER_KEY (hex).
    #[arg(long, value_name = "FILE")]
    ledger_key_file: Option<PathBuf>,
    /// This kiosk's or host's name in the audit trail (default: the host name).
    #[arg(long, value_name = "ID")]
    host_id: Option<String>,
    /// The attempt schedule, `FAILURES:STEP,…` with steps `30m`, `3h`, `2d` or `block`
    /// (default `3:3h,24h,block`; an internet bank's `5:block`).
    #[arg(long, value_name = "SCHEDULE", env = "PASSCHIP_ATTEMPT_POLICY")]
    attempt_policy: Option<String>,
    /// Delete audit rows older than this many days whenever a decision is recorded
    /// (default: keep them; `passchip audit purge` deletes on demand).
    #[arg(long, value_name = "DAYS", env = "PASSCHIP_AUDIT_RETENTION_DAYS")]
    audit_retention_days: Option<u64>,
}

impl std::fmt::Debug for LedgerArgs {
    /// The location is left out: a PostgreSQL URL carries the ledger user's password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LedgerArgs")
            .field("ledger", &self.ledger.as_ref().map(|_| ".."))
            .field("ledger_key_file", &self.ledger_key_file)
            .field("host_id", &self.host_id)
            .field("attempt_policy", &self.attempt_policy)
            .field("audit_retention_days", &self.audit_retention_days)
            .finish()
    }
}

/// Whose attempts.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct Subject {
    /// The e-ID identity: country and national ID number (`SE198504122386`, `EE38001085718`).
    #[arg(long, value_name = "ID")]
    national_id: Option<String>,
    /// The document: issuing state (MRZ code) and number (`SWE:AA1234567`).
    #[arg(long, value_name = "STATE:NUMBER")]
    document: Option<String>,
}

/// `passchip attempts …`.
#[derive(Debug, Subcommand)]
pub enum AttemptsCommand {
    /// Whether an identity or a document may try now, and its count.
    Status {
        #[command(flatten)]
        subject: Subject,
        #[command(flatten)]
        ledger: LedgerArgs,
        /// Print as JSON (schema `passchip.attempts/1`).
        #[arg(long)]
        json: bool,
    },
    /// An operator unblocks (and unlocks) an identity or a document.
    Unblock {
        #[command(flatten)]
        subject: Subject,
        #[command(flatten)]
        ledger: LedgerArgs,
    },
}

/// `passchip audit …`.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Deletes audit rows older than the retention.
    Purge {
        /// Rows older than this many days go.
        #[arg(long, value_name = "DAYS")]
        older_than: u64,
        #[command(flatten)]
        ledger: LedgerArgs,
    },
    /// The audit trail: every decision, with identities and documents as keyed hashes.
    Export {
        /// Rows from this date (YYYY-MM-DD) on.
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        #[command(flatten)]
        ledger: LedgerArgs,
        /// JSON lines (one `passchip.audit-row/1` object per line).
        #[arg(long)]
        json: bool,
    },
}

fn usage(e: impl std::fmt::Display) -> UsageError {
    UsageError(e.to_string())
}

impl LedgerArgs {
    /// Whether a ledger is configured: a location or the bank's key was given. `read` and
    /// `demo` consult it only then.
    pub fn configured(&self) -> bool {
        self.ledger.is_some() || self.ledger_key_file.is_some() || std::env::var_os("PASSCHIP_LEDGER_KEY").is_some()
    }

    /// This host's name in the audit trail.
    pub fn host(&self) -> String {
        self.host_id.clone().unwrap_or_else(|| whoami::hostname().unwrap_or_else(|_| "unknown-host".into()))
    }

    /// Opens the ledger under the configured (or default) policy.
    pub fn open(&self) -> Result<Ledger<AnyStore>, UsageError> {
        let url = match self.ledger.as_deref() {
            Some(url) => url.to_string(),
            None => directories::BaseDirs::new()
                .map(|d| format!("sqlite:{}", d.data_dir().join("passchip").join("ledger.sqlite").display()))
                .ok_or_else(|| UsageError("no home folder for the ledger: give --ledger sqlite:PATH".into()))?,
        };
        let key = match &self.ledger_key_file {
            Some(f) => {
                let bytes =
                    zeroize::Zeroizing::new(std::fs::read(f).map_err(|e| usage(format!("{}: {e}", f.display())))?);
                let text = zeroize::Zeroizing::new(String::from_utf8_lossy(&bytes).trim().to_string());
                match base16ct::mixed::decode_vec(&text) {
                    Ok(k) if text.len() >= 64 => zeroize::Zeroizing::new(k),
                    _ => zeroize::Zeroizing::new(bytes.to_vec()),
                }
            }
            None => {
                let hex = zeroize::Zeroizing::new(std::env::var("PASSCHIP_LEDGER_KEY").map_err(|_| {
                    UsageError(
                        "the ledger needs the bank's hashing key: PASSCHIP_LEDGER_KEY (hex, 32 bytes or more) or --ledger-key-file"
                            .into(),
                    )
                })?);
                zeroize::Zeroizing::new(
                    base16ct::mixed::decode_vec(hex.trim()).map_err(|_| usage("PASSCHIP_LEDGER_KEY: not hex"))?,
                )
            }
        };
        let hasher = KeyHasher::new(&key).map_err(usage)?;
        let store = passchip::ledger::open_store(&url).map_err(|e| UsageError(format!("the attempt ledger: {e}")))?;
        let policy = match &self.attempt_policy {
            Some(text) => Policy::parse(text).map_err(|e| UsageError(format!("--attempt-policy: {e}")))?,
            None => Policy::default(),
        };
        Ok(Ledger::new(store, policy, hasher))
    }

    /// The audit retention, in days, when one is configured.
    pub fn retention_days(&self) -> Option<u64> {
        self.audit_retention_days
    }
}

impl Subject {
    fn key(&self, hasher: &KeyHasher) -> Result<KeyHash, UsageError> {
        match (&self.national_id, &self.document) {
            (Some(id), _) => Ok(hasher.identity(&passchip::ledger::identity_text(None, id, Date::today()))),
            (None, Some(d)) => {
                let (state, number) = d
                    .split_once(':')
                    .ok_or_else(|| UsageError(format!("--document {d:?}: expected STATE:NUMBER (SWE:AA1234567)")))?;
                Ok(hasher.document(state, number))
            }
            (None, None) => Err(UsageError("give --national-id or --document".into())),
        }
    }
}

#[derive(Serialize)]
struct Status {
    schema: &'static str,
    gate: Gate,
    consecutive_failures: u32,
    steps_taken: u32,
}

/// Runs an `attempts` command: `Ok(true)` for exit 0.
pub fn attempts(command: &AttemptsCommand) -> Result<bool, UsageError> {
    match command {
        AttemptsCommand::Status { subject, ledger, json } => {
            let l = ledger.open()?;
            let key = subject.key(l.hasher())?;
            let gate = l.gate(&key).map_err(usage)?;
            let state = l.store().state(&key).map_err(usage)?;
            if *json {
                let s = Status {
                    schema: "passchip.attempts/1",
                    gate,
                    consecutive_failures: state.consecutive,
                    steps_taken: state.level,
                };
                println!("{}", serde_json::to_string_pretty(&s).map_err(usage)?);
            } else {
                match gate {
                    Gate::Open => println!("may try ({} failure(s) in a row)", state.consecutive),
                    Gate::Locked { until } => println!("LOCKED until {} UTC", time(until)),
                    Gate::Blocked => println!("BLOCKED until an operator unblocks it"),
                }
            }
            Ok(gate == Gate::Open)
        }
        AttemptsCommand::Unblock { subject, ledger } => {
            let l = ledger.open()?;
            l.unblock(&subject.key(l.hasher())?).map_err(usage)?;
            println!("unblocked");
            Ok(true)
        }
    }
}

/// Runs an `audit` command.
pub fn audit(command: &AuditCommand) -> Result<bool, UsageError> {
    let (since, ledger, json) = match command {
        AuditCommand::Export { since, ledger, json } => (since, ledger, json),
        AuditCommand::Purge { older_than, ledger } => {
            let n = ledger.open()?.purge_older_than(*older_than).map_err(usage)?;
            println!("{n} audit row(s) older than {older_than} days deleted");
            return Ok(true);
        }
    };
    let since = match since {
        Some(s) => Date::parse(s).map_err(|e| UsageError(format!("--since: {e}")))?.to_unix(),
        None => 0,
    };
    let l = ledger.open()?;
    for row in l.store().audit(since).map_err(usage)? {
        if *json {
            let mut v = serde_json::to_value(&row).map_err(usage)?;
            if let Some(o) = v.as_object_mut() {
                o.insert("schema".into(), "passchip.audit-row/1".into());
            }
            println!("{}", serde_json::to_string(&v).map_err(usage)?);
        } else {
            println!("{}  {:<8} {:<7} {}", time(row.time), row.host, row.decision, row.reasons.join(" "));
        }
    }
    Ok(true)
}

fn time(t: u64) -> String {
    let d = Date::from_unix(t);
    let s = t % 86_400;
    format!("{d} {:02}:{:02}", s / 3600, (s % 3600) / 60)
}
