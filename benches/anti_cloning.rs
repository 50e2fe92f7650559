//! Anti-cloning benchmarks: what the terminal (or a bank server) spends on Chip and
//! Active Authentication. Run: `cargo bench --bench anti_cloning`.
//!
//! * `aa_verify/*`: re-verifying Active Authentication evidence (host side only): RSA-2048
//!   ISO/IEC 9796-2, ECDSA P-256 (RustCrypto fast path) and brainpoolP256r1.
//! * `ca_key/*`: decoding and validating a DG14 Chip Authentication key.
//! * `read_anti_cloning/*`: the whole anti-cloning step of a read against the virtual
//!   chip (host and chip together, in one process): CA ECDH brainpoolP256r1 AES-128, and
//!   CA plus AA RSA-2048.

#![allow(clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use passchip::emulator::{AaSpec, DocumentSpec, VirtualChip, VirtualDocument};
use passchip::lds::{Dg14, LdsFile};
use passchip::low_level::chip_auth::ChipPublicKey;
use passchip::low_level::crypto::ec::NamedCurve;
use passchip::low_level::crypto::hash::HashAlg;
use passchip::reader::{Credentials, ReadOptions, Session};
use passchip::transport::InProcess;

fn doc(aa: Option<AaSpec>) -> VirtualDocument {
    VirtualDocument::build(DocumentSpec { active_authentication: aa, ..DocumentSpec::specimen() })
}

fn evidence(aa: AaSpec) -> passchip::low_level::active_auth::AaEvidence {
    let d = doc(Some(aa));
    let creds = Credentials::Mrz(d.mrz_key());
    let read = passchip::reader::read_document(InProcess::new(VirtualChip::new(d)), &creds, ReadOptions::default())
        .expect("read");
    read.anti_cloning.active_authentication_evidence.clone().expect("AA evidence")
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("aa_verify");
    for (name, aa) in [
        ("rsa2048_iso9796", AaSpec::Rsa { bits: 2048, hash: HashAlg::Sha256 }),
        ("ecdsa_p256", AaSpec::Ecdsa { curve: NamedCurve::P256, hash: HashAlg::Sha256, der: false }),
        ("ecdsa_bp256", AaSpec::Ecdsa { curve: NamedCurve::BrainpoolP256r1, hash: HashAlg::Sha256, der: false }),
    ] {
        let e = evidence(aa);
        g.bench_function(name, |b| b.iter(|| black_box(e.verify()).is_ok()));
    }
    g.finish();

    let d = doc(None);
    let dg14 = Dg14::parse(d.file(LdsFile::dg(14).expect("dg14")).expect("DG14")).expect("parse");
    let spki = dg14.infos.chip_authentication()[0].public_key.clone();
    c.bench_function("ca_key/bp256_from_spki", |b| b.iter(|| ChipPublicKey::from_spki(black_box(&spki)).is_ok()));

    let mut g = c.benchmark_group("read_anti_cloning");
    g.sample_size(20).measurement_time(Duration::from_secs(5));
    for (name, aa) in
        [("ca_bp256", None), ("ca_bp256_aa_rsa2048", Some(AaSpec::Rsa { bits: 2048, hash: HashAlg::Sha256 }))]
    {
        let d = doc(aa);
        let key = d.mrz_key();
        g.bench_function(name, |b| {
            b.iter_batched(
                || {
                    let mut s = Session::new(InProcess::new(VirtualChip::new(d.clone())), ReadOptions::default());
                    s.select_application().expect("select");
                    let mut s = s.bac(&key).map_err(|(_, e)| e).expect("bac");
                    let mut files = std::collections::BTreeMap::new();
                    for n in [14u8, 15] {
                        if let Some(f) = LdsFile::dg(n)
                            && let Ok(Some(b)) = s.read_file(f)
                        {
                            files.insert(f, b);
                        }
                    }
                    (s, files)
                },
                |(mut s, files)| black_box(s.anti_cloning(&files, &mut passchip::low_level::crypto::OsRandom)),
                criterion::BatchSize::SmallInput,
            );
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
