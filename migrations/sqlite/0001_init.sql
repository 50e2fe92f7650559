-- passchip ledger, SQLite, version 1: attempt counters per keyed hash, and the audit trail.
CREATE TABLE attempts (
    key          TEXT PRIMARY KEY,
    consecutive  INTEGER NOT NULL,
    level        INTEGER NOT NULL,
    locked_until INTEGER,
    blocked      INTEGER NOT NULL,
    updated      INTEGER NOT NULL
);
CREATE TABLE audit (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    time                   INTEGER NOT NULL,
    host                   TEXT NOT NULL,
    identity               TEXT,
    document               TEXT,
    decision               TEXT NOT NULL,
    reasons                TEXT NOT NULL,
    access                 TEXT,
    passive_authentication TEXT,
    chip                   TEXT,
    trust_store_age_days   INTEGER
);
CREATE INDEX audit_time ON audit (time);
