-- passchip ledger, PostgreSQL, version 1: attempt counters per keyed hash, and the audit
-- trail. Prefixed: a bank's fleet database may hold other tables.
CREATE TABLE passchip_attempts (
    key          TEXT PRIMARY KEY,
    consecutive  INTEGER NOT NULL,
    level        INTEGER NOT NULL,
    locked_until BIGINT,
    blocked      BOOLEAN NOT NULL,
    updated      BIGINT NOT NULL
);
CREATE TABLE passchip_audit (
    id                     BIGSERIAL PRIMARY KEY,
    time                   BIGINT NOT NULL,
    host                   TEXT NOT NULL,
    identity               TEXT,
    document               TEXT,
    decision               TEXT NOT NULL,
    reasons                TEXT NOT NULL,
    access                 TEXT,
    passive_authentication TEXT,
    chip                   TEXT,
    trust_store_age_days   BIGINT
);
CREATE INDEX passchip_audit_time ON passchip_audit (time);
