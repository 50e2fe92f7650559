//! The ledger in PostgreSQL (the rust-postgres client): one ledger for a fleet of kiosks.
//!
//! Counts stay right under concurrency: an update first makes sure the key's row exists
//! (`INSERT … ON CONFLICT DO NOTHING`, which waits for a concurrent insert of the same
//! key), then takes the row lock (`SELECT … FOR UPDATE`) and writes the new state in the
//! same transaction, so two kiosks failing one identity at the same moment are counted
//! one after the other. Migrations live in `migrations/postgres/`, numbered, recorded in
//! `passchip_schema`, and applied on connect under an advisory lock (two kiosks starting
//! together migrate once).
//!
//! The link: `?sslrootcert=CA.pem` in the URL makes it TLS (rustls), with the server's
//! certificate verified against that CA and its name against the host, and never falls
//! back to plain; `sslmode=require` without a CA is refused (an unverified server is a
//! man in the middle's chance to unblock people). Without either the link is plain TCP,
//! for a server on the kiosk's own machine or private network.

use std::sync::Mutex;

use postgres::{Client, NoTls};
use zeroize::Zeroizing;

use super::{AuditRow, KeyHash, KeyState, LedgerError, LedgerStore};

/// The migrations, in order: version `i + 1` is `MIGRATIONS[i]`.
const MIGRATIONS: &[&str] = &[include_str!("../../migrations/postgres/0001_init.sql")];

/// The advisory-lock id migrations run under ("passchip" in ASCII, folded).
const MIGRATION_LOCK: i64 = 0x7061_7373_6368_6970;

fn storage(e: postgres::Error) -> LedgerError {
    // The error text never holds the password (the client reports the server's message).
    LedgerError::Storage(e.to_string())
}

/// How the connection to the server is protected.
#[derive(Clone)]
enum Link {
    /// Plain TCP (or a Unix socket).
    Plain,
    /// TLS, the server verified against the caller's CA.
    Tls(tokio_postgres_rustls::MakeRustlsConnect),
}

impl Link {
    fn connect(&self, url: &str) -> Result<Client, LedgerError> {
        match self {
            Self::Plain => Client::connect(url, NoTls),
            Self::Tls(tls) => Client::connect(url, tls.clone()),
        }
        .map_err(storage)
    }
}

/// Splits `sslrootcert` off `url` (rust-postgres does not know it) and decides the link.
fn link_of(url: &str) -> Result<(Zeroizing<String>, Link), LedgerError> {
    let location = |m: &str| LedgerError::Location(m.to_string());
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut params: Vec<&str> = Vec::new();
    let (mut root, mut mode) = (None, None);
    for p in query.split('&').filter(|p| !p.is_empty()) {
        match p.split_once('=') {
            Some(("sslrootcert", v)) => root = Some(v),
            Some(("sslmode", v)) => mode = Some(v),
            _ => params.push(p),
        }
    }
    let link = match (root, mode) {
        (Some(_), Some("disable" | "prefer" | "allow")) => {
            return Err(location("sslrootcert asks for TLS: sslmode may only be require (or left out)"));
        }
        (None, Some("require" | "verify-ca" | "verify-full")) => {
            return Err(location("TLS needs the server's CA: add sslrootcert=PATH (PEM) to the URL"));
        }
        (None, Some("disable") | None) => Link::Plain,
        (None, Some(other)) => {
            return Err(location(&format!("sslmode={other}: use require with sslrootcert, or disable")));
        }
        (Some(path), _) => Link::Tls(tls_to(std::path::Path::new(path))?),
    };
    // The server may not talk us down to plain text: TLS is required whenever it is asked.
    params.push(if matches!(link, Link::Tls(_)) { "sslmode=require" } else { "sslmode=disable" });
    Ok((Zeroizing::new(format!("{base}?{}", params.join("&"))), link))
}

/// A TLS connector that trusts only the CA certificates in `path` (PEM).
fn tls_to(path: &std::path::Path) -> Result<tokio_postgres_rustls::MakeRustlsConnect, LedgerError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let location = |m: String| LedgerError::Location(m);
    let mut roots = rustls::RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(path).map_err(|e| location(format!("{}: {e}", path.display())))?;
    for cert in certs {
        let cert = cert.map_err(|e| location(format!("{}: {e}", path.display())))?;
        roots.add(cert).map_err(|e| location(format!("{}: {e}", path.display())))?;
    }
    if roots.is_empty() {
        return Err(location(format!("{}: no CA certificate in it", path.display())));
    }
    // ring's provider: rustls now deprecates it for lacking post-quantum key exchange,
    // which aws-lc-rs has at the price of a large C build (and no Windows cross-build
    // here). A ledger link on the bank's network is short-lived data: classical ECDHE.
    #[allow(deprecated)]
    let provider = rustls::crypto::ring::default_provider();
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| location(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// A ledger in a PostgreSQL database.
pub struct PostgresStore {
    url: Zeroizing<String>,
    link: Link,
    client: Mutex<Client>,
}

impl core::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("PostgresStore(..)")
    }
}

fn i32_of(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn u32_of(n: i32) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

fn secs(t: u64) -> i64 {
    i64::try_from(t).unwrap_or(i64::MAX)
}

fn unsecs(t: i64) -> u64 {
    u64::try_from(t).unwrap_or(0)
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user:password@host:port/database`, with
    /// `?sslrootcert=CA.pem` for TLS) and applies the migrations the database lacks.
    ///
    /// # Errors
    /// [`LedgerError::Location`] for a TLS setting passchip refuses or a CA file it cannot
    /// use; [`LedgerError::Storage`] when the server refuses (or its certificate does),
    /// also for a schema from a newer passchip.
    pub fn connect(url: &str) -> Result<Self, LedgerError> {
        let (url, link) = link_of(url)?;
        let mut client = link.connect(&url)?;
        migrate(&mut client)?;
        Ok(Self { url, link, client: Mutex::new(client) })
    }

    /// Whether the server says this connection is encrypted (`pg_stat_ssl`).
    ///
    /// # Errors
    /// [`LedgerError::Storage`].
    pub fn is_encrypted(&self) -> Result<bool, LedgerError> {
        self.with(|c| {
            let row = c.query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[]).map_err(storage)?;
            Ok(row.get(0))
        })
    }

    /// The schema version of the database.
    ///
    /// # Errors
    /// [`LedgerError::Storage`].
    pub fn schema_version(&self) -> Result<usize, LedgerError> {
        self.with(|c| {
            let v: i32 = c.query_one("SELECT max(version) FROM passchip_schema", &[]).map_err(storage)?.get(0);
            Ok(usize::try_from(v).unwrap_or(0))
        })
    }

    /// Runs `f` on the connection, connecting again first when the server closed it (a
    /// restarted database server; the fleet's kiosks go on).
    fn with<T>(&self, f: impl FnOnce(&mut Client) -> Result<T, LedgerError>) -> Result<T, LedgerError> {
        let mut client = self.client.lock().map_err(|_| LedgerError::Storage("poisoned".into()))?;
        if client.is_closed() {
            *client = self.link.connect(&self.url)?;
        }
        f(&mut client)
    }
}

fn migrate(client: &mut Client) -> Result<(), LedgerError> {
    let mut tx = client.transaction().map_err(storage)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).map_err(storage)?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS passchip_schema (version INTEGER NOT NULL)").map_err(storage)?;
    let version: Option<i32> = tx.query_one("SELECT max(version) FROM passchip_schema", &[]).map_err(storage)?.get(0);
    let version = usize::try_from(version.unwrap_or(0)).unwrap_or(usize::MAX);
    if version > MIGRATIONS.len() {
        return Err(LedgerError::Storage(format!(
            "the ledger's schema is version {version}, newer than this passchip knows ({})",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        tx.batch_execute(sql).map_err(storage)?;
        let v = i32::try_from(i + 1).unwrap_or(i32::MAX);
        tx.execute("INSERT INTO passchip_schema (version) VALUES ($1)", &[&v]).map_err(storage)?;
    }
    tx.commit().map_err(storage)
}

/// `f` of `key`'s state, under its row lock, written back, inside the caller's
/// transaction.
fn update_in(
    tx: &mut postgres::Transaction<'_>,
    key: &KeyHash,
    f: &dyn Fn(KeyState) -> KeyState,
) -> Result<KeyState, LedgerError> {
    let now = secs(crate::date::now_unix());
    tx.execute(
        "INSERT INTO passchip_attempts (key, consecutive, level, locked_until, blocked, updated)
         VALUES ($1, 0, 0, NULL, FALSE, $2) ON CONFLICT (key) DO NOTHING",
        &[&key.as_str(), &now],
    )
    .map_err(storage)?;
    let row = tx
        .query_one(
            "SELECT consecutive, level, locked_until, blocked FROM passchip_attempts WHERE key = $1 FOR UPDATE",
            &[&key.as_str()],
        )
        .map_err(storage)?;
    let next = f(state_of(&row));
    tx.execute(
        "UPDATE passchip_attempts SET consecutive = $2, level = $3, locked_until = $4, blocked = $5, updated = $6
         WHERE key = $1",
        &[
            &key.as_str(),
            &i32_of(next.consecutive),
            &i32_of(next.level),
            &next.locked_until.map(secs),
            &next.blocked,
            &now,
        ],
    )
    .map_err(storage)?;
    Ok(next)
}

fn append_in(c: &mut impl postgres::GenericClient, row: &AuditRow) -> Result<(), LedgerError> {
    c.execute(
        "INSERT INTO passchip_audit (time, host, identity, document, decision, reasons, access,
             passive_authentication, chip, trust_store_age_days)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            &secs(row.time),
            &row.host,
            &row.identity,
            &row.document,
            &row.decision,
            &row.reasons.join(" "),
            &row.access,
            &row.passive_authentication,
            &row.chip,
            &row.trust_store_age_days.map(secs),
        ],
    )
    .map_err(storage)?;
    Ok(())
}

fn state_of(row: &postgres::Row) -> KeyState {
    KeyState {
        consecutive: u32_of(row.get(0)),
        level: u32_of(row.get(1)),
        locked_until: row.get::<_, Option<i64>>(2).map(unsecs),
        blocked: row.get(3),
    }
}

impl LedgerStore for PostgresStore {
    fn state(&self, key: &KeyHash) -> Result<KeyState, LedgerError> {
        self.with(|c| {
            let row = c
                .query_opt(
                    "SELECT consecutive, level, locked_until, blocked FROM passchip_attempts WHERE key = $1",
                    &[&key.as_str()],
                )
                .map_err(storage)?;
            Ok(row.as_ref().map(state_of).unwrap_or_default())
        })
    }

    fn update(&self, key: &KeyHash, f: &dyn Fn(KeyState) -> KeyState) -> Result<KeyState, LedgerError> {
        self.with(|c| {
            let mut tx = c.transaction().map_err(storage)?;
            let next = update_in(&mut tx, key, f)?;
            tx.commit().map_err(storage)?;
            Ok(next)
        })
    }

    fn record(
        &self,
        keys: &[&KeyHash],
        f: &dyn Fn(KeyState) -> KeyState,
        row: &AuditRow,
    ) -> Result<Vec<KeyState>, LedgerError> {
        self.with(|c| {
            let mut tx = c.transaction().map_err(storage)?;
            // Row locks in one order everywhere (by key), so two kiosks counting the same
            // person with different documents never deadlock.
            let mut order: Vec<usize> = (0..keys.len()).collect();
            order.sort_by(|&a, &b| keys.get(a).cmp(&keys.get(b)));
            let mut states = vec![KeyState::default(); keys.len()];
            for i in order {
                if let (Some(key), Some(slot)) = (keys.get(i), states.get_mut(i)) {
                    *slot = update_in(&mut tx, key, f)?;
                }
            }
            append_in(&mut tx, row)?;
            tx.commit().map_err(storage)?;
            Ok(states)
        })
    }

    fn reset(&self, key: &KeyHash) -> Result<(), LedgerError> {
        self.with(|c| {
            c.execute("DELETE FROM passchip_attempts WHERE key = $1", &[&key.as_str()]).map_err(storage)?;
            Ok(())
        })
    }

    fn append(&self, row: &AuditRow) -> Result<(), LedgerError> {
        self.with(|c| append_in(c, row))
    }

    fn audit(&self, since: u64) -> Result<Vec<AuditRow>, LedgerError> {
        self.with(|c| {
            let rows = c
                .query(
                    "SELECT time, host, identity, document, decision, reasons, access, passive_authentication, chip,
                         trust_store_age_days
                     FROM passchip_audit WHERE time >= $1 ORDER BY time, id",
                    &[&secs(since)],
                )
                .map_err(storage)?;
            Ok(rows
                .iter()
                .map(|r| AuditRow {
                    time: unsecs(r.get(0)),
                    host: r.get(1),
                    identity: r.get(2),
                    document: r.get(3),
                    decision: r.get(4),
                    reasons: r.get::<_, String>(5).split_whitespace().map(String::from).collect(),
                    access: r.get(6),
                    passive_authentication: r.get(7),
                    chip: r.get(8),
                    trust_store_age_days: r.get::<_, Option<i64>>(9).map(unsecs),
                })
                .collect())
        })
    }

    fn purge(&self, before: u64) -> Result<usize, LedgerError> {
        self.with(|c| {
            let n = c.execute("DELETE FROM passchip_audit WHERE time < $1", &[&secs(before)]).map_err(storage)?;
            Ok(usize::try_from(n).unwrap_or(usize::MAX))
        })
    }
}
