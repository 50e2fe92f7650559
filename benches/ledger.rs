//! Decisions recorded per second by the attempt ledger: one decision is what a kiosk does
//! after a verdict (the person's and the document's gates read, both counts updated and
//! the audit row appended in one transaction). SQLite on a file in the temporary folder;
//! PostgreSQL when `PASSCHIP_TEST_POSTGRES` names a server (a database of its own is made
//! there). Run: `cargo bench --bench ledger`; docs/performance.md has the figures.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use passchip::ledger::{AuditRow, Counted, KeyHasher, Ledger, LedgerStore, Policy, PostgresStore, SqliteStore};

/// One decision: both gates, then the count and the trail.
fn decide<S: LedgerStore>(l: &Ledger<S>, i: u64) {
    let id = l.hasher().identity(&format!("SE1985041{:05}", i % 1000));
    let doc = l.hasher().document("SWE", &format!("AA{:07}", i % 1000));
    let gate = l.gate_all(&[&id, &doc]).unwrap();
    let mut row = AuditRow::new(passchip::date::now_unix(), "bench-kiosk", "review");
    row.identity = Some(id.as_str().to_string());
    row.document = Some(doc.as_str().to_string());
    row.reasons = vec!["DOCUMENT_AUTHENTIC".into(), "CHIP_AUTHENTIC".into(), "HOLDER_MISMATCH".into()];
    let counted = if gate.is_open() { Counted::Failure } else { Counted::Neither };
    l.record(&[&id, &doc], counted, &row).unwrap();
}

fn ledger<S: LedgerStore>(store: S) -> Ledger<S> {
    // Never locks: every decision does the full work.
    Ledger::new(store, Policy::block_after(u32::MAX), KeyHasher::new(&[9; 32]).unwrap())
}

fn sqlite(c: &mut Criterion) {
    let path = std::env::temp_dir().join(format!("passchip-bench-ledger-{}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let l = ledger(SqliteStore::open(&path).unwrap());
    let mut g = c.benchmark_group("ledger");
    g.throughput(Throughput::Elements(1));
    let mut i = 0;
    g.bench_function("sqlite_decision", |b| {
        b.iter(|| {
            i += 1;
            decide(&l, i);
        });
    });
    g.finish();
    drop(l);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

fn postgres(c: &mut Criterion) {
    let Ok(admin) = std::env::var("PASSCHIP_TEST_POSTGRES") else {
        eprintln!("PASSCHIP_TEST_POSTGRES is not set: no PostgreSQL figure");
        return;
    };
    let db = format!("passchip_bench_{}", std::process::id());
    let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
    client.batch_execute(&format!("DROP DATABASE IF EXISTS {db}")).unwrap();
    client.batch_execute(&format!("CREATE DATABASE {db}")).unwrap();
    let (server, _) = admin.split('?').next().unwrap().rsplit_once('/').unwrap();
    let url = format!("{server}/{db}");
    let l = ledger(PostgresStore::connect(&url).unwrap());
    let mut g = c.benchmark_group("ledger");
    g.throughput(Throughput::Elements(1));
    let mut i = 0;
    g.bench_function("postgres_decision", |b| {
        b.iter(|| {
            i += 1;
            decide(&l, i);
        });
    });
    // A fleet: 8 kiosks (threads, each its own connection) deciding at once.
    g.throughput(Throughput::Elements(8));
    let kiosks: Vec<_> = (0..8).map(|_| ledger(PostgresStore::connect(&url).unwrap())).collect();
    g.bench_function("postgres_8_kiosks", |b| {
        b.iter(|| {
            i += 1;
            std::thread::scope(|s| {
                for (k, l) in kiosks.iter().enumerate() {
                    let n = i * 8 + k as u64;
                    s.spawn(move || decide(l, n));
                }
            });
        });
    });
    g.finish();
    drop((l, kiosks));
    let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {db}"));
}

fn config() -> Criterion {
    Criterion::default().sample_size(20).measurement_time(Duration::from_secs(5)).warm_up_time(Duration::from_secs(1))
}

criterion_group! { name = benches; config = config(); targets = sqlite, postgres }
criterion_main!(benches);
