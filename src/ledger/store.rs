//! Where the ledger keeps its state: one trait, and an in-memory store for tests and
//! short-lived tools.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{AuditRow, KeyHash, KeyState, LedgerError};

/// The ledger's storage. Every update of a key is atomic: two kiosks failing the same
/// identity at the same moment never grant an extra try.
pub trait LedgerStore {
    /// The state of `key` (the default state for a key never seen).
    ///
    /// # Errors
    /// [`LedgerError::Storage`].
    fn state(&self, key: &KeyHash) -> Result<KeyState, LedgerError>;

    /// Replaces the state of `key` by `f` of it, atomically, and returns the new state.
    ///
    /// # Errors
    /// [`LedgerError::Storage`].
    fn update(&self, key: &KeyHash, f: &dyn Fn(KeyState) -> KeyState) -> Result<KeyState, LedgerError>;

    /// Replaces the state of every key by `f` of it and appends `row`, all at once where
    /// the store can (one transaction: a decision is counted for the person, for the
    /// document and in the trail, or not at all). Returns the new states in the order of
    /// `keys`. The default runs [`LedgerStore::update`] per key, then
    /// [`LedgerStore::append`].
    ///
    /// # Errors
    /// [`LedgerError::Storage`].
    fn record(
        &self,
        keys: &[&KeyHash],
        f: &dyn Fn(KeyState) -> KeyState,
        row: &AuditRow,
    ) -> Result<Vec<KeyState>, LedgerError> {
        let states = keys.iter().map(|k| self.update(k, f)).collect::<Result<Vec<_>, _>>()?;
        self.append(row)?;
        Ok(states)
    }

    /// Forgets `key`'s failures, lock and block (an operator's unblock).
    ///
    /// # Errors
    /// [`LedgerError::Storage`].
    fn reset(&self, key: &KeyHash) -> Result<(), LedgerError>;

    /// Appends a row to the audit trail.
    ///
    /// # Errors
    /// [`LedgerError::Storage`].
    fn append(&self, row: &AuditRow) -> Result<(), LedgerError>;

    /// The audit rows at or after `since` (Unix seconds), oldest first.
    ///
    /// # Errors
    /// [`LedgerError::Storage`].
    fn audit(&self, since: u64) -> Result<Vec<AuditRow>, LedgerError>;

    /// Deletes the audit rows before `before`; returns how many.
    ///
    /// # Errors
    /// [`LedgerError::Storage`].
    fn purge(&self, before: u64) -> Result<usize, LedgerError>;
}

/// A boxed store (what [`super::open_store`] gives) is a store.
impl<T: LedgerStore + ?Sized> LedgerStore for Box<T> {
    fn state(&self, key: &KeyHash) -> Result<KeyState, LedgerError> {
        (**self).state(key)
    }
    fn update(&self, key: &KeyHash, f: &dyn Fn(KeyState) -> KeyState) -> Result<KeyState, LedgerError> {
        (**self).update(key, f)
    }
    fn record(
        &self,
        keys: &[&KeyHash],
        f: &dyn Fn(KeyState) -> KeyState,
        row: &AuditRow,
    ) -> Result<Vec<KeyState>, LedgerError> {
        (**self).record(keys, f, row)
    }
    fn reset(&self, key: &KeyHash) -> Result<(), LedgerError> {
        (**self).reset(key)
    }
    fn append(&self, row: &AuditRow) -> Result<(), LedgerError> {
        (**self).append(row)
    }
    fn audit(&self, since: u64) -> Result<Vec<AuditRow>, LedgerError> {
        (**self).audit(since)
    }
    fn purge(&self, before: u64) -> Result<usize, LedgerError> {
        (**self).purge(before)
    }
}

/// A store in memory.
#[derive(Debug, Default)]
pub struct MemoryStore {
    keys: Mutex<HashMap<KeyHash, KeyState>>,
    rows: Mutex<Vec<AuditRow>>,
}

fn poisoned<T>(_: T) -> LedgerError {
    LedgerError::Storage("a thread panicked while holding the ledger".into())
}

impl LedgerStore for MemoryStore {
    fn state(&self, key: &KeyHash) -> Result<KeyState, LedgerError> {
        Ok(self.keys.lock().map_err(poisoned)?.get(key).copied().unwrap_or_default())
    }

    fn update(&self, key: &KeyHash, f: &dyn Fn(KeyState) -> KeyState) -> Result<KeyState, LedgerError> {
        let mut keys = self.keys.lock().map_err(poisoned)?;
        let next = f(keys.get(key).copied().unwrap_or_default());
        keys.insert(key.clone(), next);
        Ok(next)
    }

    fn reset(&self, key: &KeyHash) -> Result<(), LedgerError> {
        self.keys.lock().map_err(poisoned)?.remove(key);
        Ok(())
    }

    fn append(&self, row: &AuditRow) -> Result<(), LedgerError> {
        self.rows.lock().map_err(poisoned)?.push(row.clone());
        Ok(())
    }

    fn audit(&self, since: u64) -> Result<Vec<AuditRow>, LedgerError> {
        Ok(self.rows.lock().map_err(poisoned)?.iter().filter(|r| r.time >= since).cloned().collect())
    }

    fn purge(&self, before: u64) -> Result<usize, LedgerError> {
        let mut rows = self.rows.lock().map_err(poisoned)?;
        let n = rows.len();
        rows.retain(|r| r.time >= before);
        Ok(n - rows.len())
    }
}
