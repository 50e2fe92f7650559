//! The attempt ledger and the audit trail a bank keeps around passport checks.
//!
//! A fraudster holding a stolen BankID tries document after document; a stolen passport
//! is tried against e-ID after e-ID. So a verification that ends in `reject` is a failed
//! attempt, counted twice: against the e-ID identity (its national ID number) and
//! against the document (issuing state and number). `accept` restarts both counts;
//! `review` counts for neither. A key at its limit is locked, then locked longer, then
//! blocked ([`Policy`]), and a locked key is refused before any card is read
//! ([`Ledger::gate`]). Every decision is appended to the audit trail ([`AuditRow`]).
//!
//! Privacy: identities and document numbers are stored only as keyed hashes
//! (HMAC-SHA-256 under a key the bank holds, [`KeyHasher`]); no names, dates, faces or raw
//! numbers reach the ledger or the trail.
//!
//! Storage is behind one trait ([`LedgerStore`]): in memory for tests, SQLite for a
//! single kiosk or desktop (`SqliteStore`, feature `ledger`), PostgreSQL for a fleet of
//! kiosks sharing one ledger (`PostgresStore`, feature `ledger-postgres`); [`open_store`]
//! opens either by URL.

mod attempt;
mod audit;
mod policy;
#[cfg(feature = "ledger-postgres")]
mod postgres;
#[cfg(feature = "ledger")]
mod sqlite;
mod store;

use hmac::{KeyInit, Mac};
use zeroize::Zeroizing;

pub use attempt::{Admission, Admitted, AdmittedPerson, AuditContext, identity_text};
pub use audit::AuditRow;
pub use policy::{Gate, KeyState, Policy, Step};
#[cfg(feature = "ledger-postgres")]
pub use postgres::PostgresStore;
#[cfg(feature = "ledger")]
pub use sqlite::SqliteStore;
pub use store::{LedgerStore, MemoryStore};

/// The ledger or its store failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// The database refused.
    #[error("ledger storage: {0}")]
    Storage(String),
    /// The bank's hashing key is unusable.
    #[error("ledger key: {0}")]
    Key(&'static str),
    /// The caller named a ledger passchip cannot open.
    #[error("ledger location: {0}")]
    Location(String),
}

/// Any store, as [`open_store`] gives it.
pub type AnyStore = Box<dyn LedgerStore + Send + Sync>;

/// Opens the store a URL names: `sqlite:PATH` (created if missing), or
/// `postgres://user:password@host/db` / `postgresql://…` (feature `ledger-postgres`,
/// for a fleet of kiosks sharing one ledger). Migrations are applied on open.
///
/// # Errors
/// [`LedgerError::Location`] for another scheme (or PostgreSQL without its feature);
/// [`LedgerError::Storage`] when the database refuses.
pub fn open_store(url: &str) -> Result<AnyStore, LedgerError> {
    if let Some(path) = url.strip_prefix("sqlite:") {
        #[cfg(feature = "ledger")]
        return Ok(Box::new(SqliteStore::open(std::path::Path::new(path))?));
        #[cfg(not(feature = "ledger"))]
        return Err(LedgerError::Location(format!("{path}: SQLite needs the `ledger` feature")));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        #[cfg(feature = "ledger-postgres")]
        return Ok(Box::new(PostgresStore::connect(url)?));
        #[cfg(not(feature = "ledger-postgres"))]
        return Err(LedgerError::Location("PostgreSQL needs the `ledger-postgres` feature".into()));
    }
    Err(LedgerError::Location("expected sqlite:PATH or postgres://…".into()))
}

/// A keyed hash of an identity or a document: what the ledger stores instead of them.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyHash(String);

impl KeyHash {
    /// The hash, hex.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl core::fmt::Debug for KeyHash {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "KeyHash({})", self.0.get(..12).unwrap_or(""))
    }
}

/// HMAC-SHA-256 under the bank's key: equal inputs give equal hashes, and nobody without
/// the key can tell which person or document a hash stands for.
pub struct KeyHasher {
    key: Zeroizing<Vec<u8>>,
}

impl core::fmt::Debug for KeyHasher {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("KeyHasher(..)")
    }
}

impl KeyHasher {
    /// A hasher under `key` (at least 32 bytes, from the bank's configuration).
    ///
    /// # Errors
    /// [`LedgerError::Key`] for a key shorter than 32 bytes.
    pub fn new(key: &[u8]) -> Result<Self, LedgerError> {
        if key.len() < 32 {
            return Err(LedgerError::Key("at least 32 bytes are needed"));
        }
        Ok(Self { key: Zeroizing::new(key.to_vec()) })
    }

    fn hash(&self, domain: &str, value: &str) -> KeyHash {
        let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(&self.key) else {
            return KeyHash(String::new());
        };
        mac.update(domain.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        KeyHash(base16ct::lower::encode_string(&mac.finalize().into_bytes()))
    }

    /// The key of an e-ID identity: its national ID number, as the scheme gives it
    /// (country-prefixed, e.g. `SE198504122386`, `EE38001085718`).
    #[must_use]
    pub fn identity(&self, national_id: &str) -> KeyHash {
        self.hash("identity", &national_id.trim().to_ascii_uppercase())
    }

    /// The key of a document: issuing state (MRZ code) and document number.
    #[must_use]
    pub fn document(&self, issuing_state: &str, number: &str) -> KeyHash {
        let number: String = number.chars().filter(|c| *c != '<' && !c.is_whitespace()).collect();
        self.hash("document", &format!("{}/{}", issuing_state.trim().to_ascii_uppercase(), number.to_ascii_uppercase()))
    }
}

/// Where time comes from: the system clock, or a test's.
pub trait Clock: Send + Sync {
    /// Now, Unix seconds.
    fn now(&self) -> u64;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> u64 {
        crate::date::now_unix()
    }
}

/// The outcome the ledger counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Counted {
    /// `reject`: a failed attempt for both keys.
    Failure,
    /// `accept`: both counts start again.
    Success,
    /// `review`: counts for neither.
    Neither,
}

impl Counted {
    /// How a bank decision counts.
    #[must_use]
    pub fn of(decision: crate::identity::verification::Decision) -> Self {
        use crate::identity::verification::Decision;
        match decision {
            Decision::Reject => Self::Failure,
            Decision::Accept => Self::Success,
            _ => Self::Neither,
        }
    }
}

/// The ledger: a store, a policy, the bank's hasher and a clock.
pub struct Ledger<S> {
    store: S,
    policy: Policy,
    hasher: KeyHasher,
    clock: Box<dyn Clock>,
}

impl<S> core::fmt::Debug for Ledger<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Ledger").field("policy", &self.policy).finish_non_exhaustive()
    }
}

impl<S: LedgerStore> Ledger<S> {
    /// A ledger on `store` under `policy`, hashing with `hasher`, on the system clock.
    pub fn new(store: S, policy: Policy, hasher: KeyHasher) -> Self {
        Self { store, policy, hasher, clock: Box::new(SystemClock) }
    }

    /// The same ledger on another clock (tests).
    #[must_use]
    pub fn with_clock(mut self, clock: Box<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The hasher, for keys of the identity and document at hand.
    pub fn hasher(&self) -> &KeyHasher {
        &self.hasher
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Whether `key` may try now.
    ///
    /// # Errors
    /// [`LedgerError`] from the store: fail closed, the caller refuses.
    pub fn gate(&self, key: &KeyHash) -> Result<Gate, LedgerError> {
        Ok(self.policy.gate(&self.store.state(key)?, self.clock.now()))
    }

    /// The stricter gate of several keys (an identity and a document).
    ///
    /// # Errors
    /// [`LedgerError`] from the store.
    pub fn gate_all(&self, keys: &[&KeyHash]) -> Result<Gate, LedgerError> {
        let mut worst = Gate::Open;
        for k in keys {
            worst = worst.stricter(self.gate(k)?);
        }
        Ok(worst)
    }

    /// Counts a decision for `keys` and appends `row` to the trail, in one transaction
    /// where the store has them.
    ///
    /// # Errors
    /// [`LedgerError`] from the store.
    pub fn record(&self, keys: &[&KeyHash], counted: Counted, row: &AuditRow) -> Result<Vec<KeyState>, LedgerError> {
        let now = self.clock.now();
        match counted {
            Counted::Failure => self.store.record(keys, &|s| self.policy.after_failure(s, now), row),
            Counted::Success => self.store.record(keys, &|s| self.policy.after_success(s), row),
            Counted::Neither => {
                let states = keys.iter().map(|k| self.store.state(k)).collect::<Result<Vec<_>, _>>()?;
                self.store.append(row)?;
                Ok(states)
            }
        }
    }

    /// An operator unblocks (and unlocks) `key`.
    ///
    /// # Errors
    /// [`LedgerError`] from the store.
    pub fn unblock(&self, key: &KeyHash) -> Result<(), LedgerError> {
        self.store.reset(key)
    }

    /// Deletes audit rows older than `days` (the bank's retention).
    ///
    /// # Errors
    /// [`LedgerError`] from the store.
    pub fn purge_older_than(&self, days: u64) -> Result<usize, LedgerError> {
        self.store.purge(self.clock.now().saturating_sub(days.saturating_mul(86_400)))
    }
}
