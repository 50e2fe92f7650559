//! PACE benchmarks: the terminal's side of a whole handshake per mapping (GM, IM, CAM) on
//! brainpoolP256r1, P-256 and brainpoolP512r1, and DH-2048 (RFC 5114 group 2); beside it,
//! one constant-time scalar multiplication by our runtime engine (its fixed-window path,
//! which every curve without a RustCrypto crate takes, and its boxed ladder), by `mul_ct`
//! (which takes the RustCrypto fast path on this curve) and by the `bp256` crate, with and
//! without the conversion to affine coordinates our functions include. Run: `cargo bench --bench pace`.
//!
//! Host side only: each case is recorded once against the virtual chip with fixed
//! "randomness", then the chip's answers are replayed, so the chip's work is not measured.

use std::collections::VecDeque;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use passchip::emulator::{DocumentSpec, VirtualChip, VirtualDocument};
use passchip::lds::security_infos::{Cipher, KeyAgreement, Mapping, PaceProtocol};
use passchip::low_level::access::pace::{PacePassword, authenticate};
use passchip::low_level::crypto::ec::{Curve, NamedCurve};
use passchip::low_level::crypto::{RandomSource, RngError};
use passchip::transport::{InProcess, Transport, TransportError};

/// The same bytes every run: the handshake is then reproducible and replayable.
struct Fixed(u8);
impl RandomSource for Fixed {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), RngError> {
        for b in buf {
            self.0 = self.0.wrapping_mul(31).wrapping_add(7);
            *b = self.0;
        }
        Ok(())
    }
}

struct Recorder<T>(T, Vec<Vec<u8>>);
impl<T: Transport> Transport for Recorder<T> {
    fn transmit(&mut self, c: &[u8]) -> Result<Vec<u8>, TransportError> {
        let r = self.0.transmit(c)?;
        self.1.push(r.clone());
        Ok(r)
    }
}

struct Replay(VecDeque<Vec<u8>>);
impl Transport for Replay {
    fn transmit(&mut self, _: &[u8]) -> Result<Vec<u8>, TransportError> {
        Ok(self.0.pop_front().unwrap_or_else(|| vec![0x6D, 0x00]))
    }
}

fn record(protocol: PaceProtocol, id: u32) -> Option<(PaceProtocol, u32, PacePassword, Vec<Vec<u8>>)> {
    let doc = VirtualDocument::build(DocumentSpec {
        pace: Some((protocol, id)),
        signature: None,
        ..DocumentSpec::specimen()
    });
    let password = PacePassword::can(&doc.spec().can);
    let mut rec = Recorder(InProcess::new(VirtualChip::new(doc)), Vec::new());
    authenticate(&mut rec, &password, protocol, id, &mut Fixed(1)).ok()?;
    Some((protocol, id, password, rec.1))
}

fn handshakes(c: &mut Criterion) {
    let mut g = c.benchmark_group("pace_handshake_host");
    g.sample_size(20).measurement_time(Duration::from_secs(4));
    let cases = [
        ("gm", KeyAgreement::Ecdh, Mapping::Gm),
        ("im", KeyAgreement::Ecdh, Mapping::Im),
        ("cam", KeyAgreement::Ecdh, Mapping::Cam),
    ];
    for (name, ka, mapping) in cases {
        for (curve, id) in [("bp256", 13), ("p256", 12), ("bp512", 17)] {
            let protocol = PaceProtocol { key_agreement: ka, mapping, cipher: Cipher::Aes128 };
            let Some((p, id, pw, answers)) = record(protocol, id) else { continue };
            g.bench_function(format!("{name}/{curve}"), |b| {
                b.iter(|| {
                    let mut chip = Replay(answers.clone().into());
                    black_box(authenticate(&mut chip, &pw, p, id, &mut Fixed(1)).is_ok())
                });
            });
        }
    }
    for (name, mapping) in [("gm", Mapping::Gm), ("im", Mapping::Im)] {
        let protocol = PaceProtocol { key_agreement: KeyAgreement::Dh, mapping, cipher: Cipher::Aes128 };
        let Some((p, id, pw, answers)) = record(protocol, 2) else { continue };
        g.bench_function(format!("{name}/dh2048"), |b| {
            b.iter(|| {
                let mut chip = Replay(answers.clone().into());
                black_box(authenticate(&mut chip, &pw, p, id, &mut Fixed(1)).is_ok())
            });
        });
    }
    g.finish();
}

fn scalar_mult(c: &mut Criterion) {
    let mut g = c.benchmark_group("scalar_mult_bp256");
    g.sample_size(30).measurement_time(Duration::from_secs(3));
    let k = [0x5Au8; 32];
    let Ok(curve) = Curve::named(NamedCurve::BrainpoolP256r1) else { return };
    g.bench_function("engine_windowed_ct", |b| {
        b.iter(|| black_box(curve.mul_windowed(black_box(&k), curve.generator())))
    });
    g.bench_function("engine_ladder_ct", |b| b.iter(|| black_box(curve.mul_ladder(black_box(&k), curve.generator()))));
    g.bench_function("mul_ct_fast_path", |b| b.iter(|| black_box(curve.mul_ct(black_box(&k), curve.generator()))));
    g.bench_function("engine_vartime", |b| b.iter(|| black_box(curve.mul_vartime(black_box(&k), curve.generator()))));
    let Ok(sk) = bp256::r1::SecretKey::from_slice(&k) else { return };
    let scalar = *sk.to_nonzero_scalar();
    g.bench_function("bp256_crate", |b| {
        b.iter(|| black_box(bp256::r1::ProjectivePoint::GENERATOR * black_box(scalar)))
    });
    g.bench_function("bp256_crate_affine", |b| {
        b.iter(|| black_box((bp256::r1::ProjectivePoint::GENERATOR * black_box(scalar)).to_affine()))
    });
    g.finish();
}

criterion_group!(benches, handshakes, scalar_mult);
criterion_main!(benches);
