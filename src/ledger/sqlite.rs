//! The ledger in SQLite (rusqlite with its bundled SQLite): the embedded default for one
//! kiosk or desktop. Schema migrations live in `migrations/sqlite/`, numbered, and are
//! applied on open (`PRAGMA user_version` says which ran). Every update runs in a
//! `BEGIN IMMEDIATE` transaction, so two processes on one file never lose a count.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{AuditRow, KeyHash, KeyState, LedgerError, LedgerStore};

/// The migrations, in order: version `i + 1` is `MIGRATIONS[i]`.
const MIGRATIONS: &[&str] = &[include_str!("../../migrations/sqlite/0001_init.sql")];

fn storage(e: rusqlite::Error) -> LedgerError {
    LedgerError::Storage(e.to_string())
}

/// A ledger in a SQLite file.
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

impl core::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SqliteStore(..)")
    }
}

impl SqliteStore {
    /// Opens (or creates) the ledger at `path` and applies the migrations it lacks.
    ///
    /// # Errors
    /// [`LedgerError::Storage`], also for a file from a newer passchip.
    pub fn open(path: &Path) -> Result<Self, LedgerError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::lds::dump::make_private_dir(dir).map_err(|e| LedgerError::Storage(e.to_string()))?;
        }
        let conn = Connection::open(path).map_err(storage)?;
        // WAL: kiosks reading a key's state do not wait for one writing the trail, and a
        // commit is one sequential write. Synchronous stays FULL: a count survives a power
        // cut.
        let _: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(storage)?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(storage)?;
        Self::from_connection(conn)
    }

    /// A ledger in memory (tests).
    ///
    /// # Errors
    /// [`LedgerError::Storage`].
    pub fn in_memory() -> Result<Self, LedgerError> {
        Self::from_connection(Connection::open_in_memory().map_err(storage)?)
    }

    fn from_connection(mut conn: Connection) -> Result<Self, LedgerError> {
        conn.busy_timeout(Duration::from_secs(10)).map_err(storage)?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(storage)?;
        let version = usize::try_from(version).unwrap_or(usize::MAX);
        if version > MIGRATIONS.len() {
            return Err(LedgerError::Storage(format!(
                "the ledger's schema is version {version}, newer than this passchip knows ({})",
                MIGRATIONS.len()
            )));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive).map_err(storage)?;
            tx.execute_batch(sql).map_err(storage)?;
            tx.pragma_update(None, "user_version", i64::try_from(i + 1).unwrap_or(i64::MAX)).map_err(storage)?;
            tx.commit().map_err(storage)?;
        }
        Ok(Self { conn: Mutex::new(conn) })
    }

    /// The schema version of the open file.
    ///
    /// # Errors
    /// [`LedgerError::Storage`].
    pub fn schema_version(&self) -> Result<usize, LedgerError> {
        let conn = self.conn.lock().map_err(|_| LedgerError::Storage("poisoned".into()))?;
        let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(storage)?;
        Ok(usize::try_from(v).unwrap_or(0))
    }
}

fn read_state(conn: &Connection, key: &KeyHash) -> Result<KeyState, LedgerError> {
    conn.query_row(
        "SELECT consecutive, level, locked_until, blocked FROM attempts WHERE key = ?1",
        params![key.as_str()],
        |r| {
            Ok(KeyState {
                consecutive: r.get(0)?,
                level: r.get(1)?,
                locked_until: r.get::<_, Option<i64>>(2)?.and_then(|t| u64::try_from(t).ok()),
                blocked: r.get(3)?,
            })
        },
    )
    .optional()
    .map_err(storage)
    .map(Option::unwrap_or_default)
}

/// `f` of `key`'s state, written back, inside the caller's transaction.
fn update_in(conn: &Connection, key: &KeyHash, f: &dyn Fn(KeyState) -> KeyState) -> Result<KeyState, LedgerError> {
    let next = f(read_state(conn, key)?);
    conn.execute(
        "INSERT INTO attempts (key, consecutive, level, locked_until, blocked, updated)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (key) DO UPDATE SET consecutive = ?2, level = ?3, locked_until = ?4, blocked = ?5, updated = ?6",
        params![
            key.as_str(),
            next.consecutive,
            next.level,
            next.locked_until.map(secs),
            next.blocked,
            secs(crate::date::now_unix())
        ],
    )
    .map_err(storage)?;
    Ok(next)
}

fn append_in(conn: &Connection, row: &AuditRow) -> Result<(), LedgerError> {
    conn.execute(
        "INSERT INTO audit (time, host, identity, document, decision, reasons, access, passive_authentication, chip, trust_store_age_days)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            secs(row.time),
            row.host,
            row.identity,
            row.document,
            row.decision,
            row.reasons.join(" "),
            row.access,
            row.passive_authentication,
            row.chip,
            row.trust_store_age_days.map(secs)
        ],
    )
    .map_err(storage)?;
    Ok(())
}

fn secs(t: u64) -> i64 {
    i64::try_from(t).unwrap_or(i64::MAX)
}

impl LedgerStore for SqliteStore {
    fn state(&self, key: &KeyHash) -> Result<KeyState, LedgerError> {
        let conn = self.conn.lock().map_err(|_| LedgerError::Storage("poisoned".into()))?;
        read_state(&conn, key)
    }

    fn update(&self, key: &KeyHash, f: &dyn Fn(KeyState) -> KeyState) -> Result<KeyState, LedgerError> {
        let mut conn = self.conn.lock().map_err(|_| LedgerError::Storage("poisoned".into()))?;
        // IMMEDIATE: the write lock is taken before the read, so no other process reads
        // the same count in between.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(storage)?;
        let next = update_in(&tx, key, f)?;
        tx.commit().map_err(storage)?;
        Ok(next)
    }

    fn record(
        &self,
        keys: &[&KeyHash],
        f: &dyn Fn(KeyState) -> KeyState,
        row: &AuditRow,
    ) -> Result<Vec<KeyState>, LedgerError> {
        let mut conn = self.conn.lock().map_err(|_| LedgerError::Storage("poisoned".into()))?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(storage)?;
        let states = keys.iter().map(|k| update_in(&tx, k, f)).collect::<Result<Vec<_>, _>>()?;
        append_in(&tx, row)?;
        tx.commit().map_err(storage)?;
        Ok(states)
    }

    fn reset(&self, key: &KeyHash) -> Result<(), LedgerError> {
        let conn = self.conn.lock().map_err(|_| LedgerError::Storage("poisoned".into()))?;
        conn.execute("DELETE FROM attempts WHERE key = ?1", params![key.as_str()]).map_err(storage)?;
        Ok(())
    }

    fn append(&self, row: &AuditRow) -> Result<(), LedgerError> {
        let conn = self.conn.lock().map_err(|_| LedgerError::Storage("poisoned".into()))?;
        append_in(&conn, row)
    }

    fn audit(&self, since: u64) -> Result<Vec<AuditRow>, LedgerError> {
        let conn = self.conn.lock().map_err(|_| LedgerError::Storage("poisoned".into()))?;
        let mut stmt = conn
            .prepare(
                "SELECT time, host, identity, document, decision, reasons, access, passive_authentication, chip, trust_store_age_days
                 FROM audit WHERE time >= ?1 ORDER BY time, id",
            )
            .map_err(storage)?;
        let rows = stmt
            .query_map(params![secs(since)], |r| {
                let reasons: String = r.get(5)?;
                Ok(AuditRow {
                    time: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                    host: r.get(1)?,
                    identity: r.get(2)?,
                    document: r.get(3)?,
                    decision: r.get(4)?,
                    reasons: reasons.split_whitespace().map(String::from).collect(),
                    access: r.get(6)?,
                    passive_authentication: r.get(7)?,
                    chip: r.get(8)?,
                    trust_store_age_days: r.get::<_, Option<i64>>(9)?.and_then(|d| u64::try_from(d).ok()),
                })
            })
            .map_err(storage)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(storage)
    }

    fn purge(&self, before: u64) -> Result<usize, LedgerError> {
        let conn = self.conn.lock().map_err(|_| LedgerError::Storage("poisoned".into()))?;
        conn.execute("DELETE FROM audit WHERE time < ?1", params![secs(before)]).map_err(storage)
    }
}
