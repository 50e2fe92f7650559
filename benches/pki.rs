//! Passive-authentication benchmarks: a whole verification with an RSA-2048 chain and
//! with a brainpoolP256r1 (explicit parameters) chain, beside the raw cost of the two
//! signature verifications and the data-group hashes in the same run; and loading the
//! German master list (588 CSCAs); and one ECDSA verification per curve, through the
//! library's path (RustCrypto where it covers the curve) and through the runtime engine
//! alone. Run: `cargo bench --bench pki`; `benches/ecdsa_vs_openssl.sh` puts the ECDSA
//! figures beside `openssl speed` on the same machine.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use passchip::date::Date;
use passchip::emulator::{DocumentSpec, SignatureScheme, VirtualDocument};
use passchip::lds::{DgNumber, LdsFile, Sod};
use passchip::low_level::crypto::hash::HashAlg;
use passchip::low_level::crypto::sig::{self, AlgorithmId, SignatureAlgorithm};
use passchip::pki::{Cert, PaOptions, PassiveAuthentication, TrustSource, TrustStore};

struct Case {
    sod: Vec<u8>,
    dgs: BTreeMap<DgNumber, Vec<u8>>,
    store: TrustStore,
    csca: Cert,
}

fn case(scheme: SignatureScheme) -> Option<Case> {
    let doc = VirtualDocument::build(DocumentSpec { signature: Some(scheme), ..DocumentSpec::specimen() });
    let csca = doc.pki()?.csca().clone();
    let mut store = TrustStore::new();
    store.add(csca.clone(), TrustSource::File { path: "bench".into() });
    let dgs =
        doc.files().filter_map(|(f, b)| if let LdsFile::Dg(n) = f { Some((n, b.to_vec())) } else { None }).collect();
    Some(Case { sod: doc.file(LdsFile::Sod)?.to_vec(), dgs, store, csca })
}

/// The signature math alone: SOD signature, DSC certificate signature, DG hashes.
fn raw(c: &Case, sod: &Sod, dsc: &Cert, alg: &SignatureAlgorithm) -> bool {
    let Some(signer) = sod.signed_data.signers.first() else { return false };
    let key = dsc.public_key().ok();
    let a = key.is_some_and(|k| {
        sig::verify(k, alg, signer.signed_bytes(&sod.signed_data.econtent), &signer.signature).is_ok()
    });
    let b = c.csca.public_key().is_ok_and(|k| dsc.verify_signed_by(k).is_ok());
    let h: usize = c.dgs.values().map(|d| HashAlg::Sha256.digest(d).len()).sum();
    a && b && h > 0
}

fn pa(cr: &mut Criterion) {
    let at = PaOptions::at(Date::parse("2026-11-21").unwrap_or(Date { year: 2026, month: 11, day: 21 }));
    let schemes = [
        ("rsa2048_sha256", SignatureScheme::RsaPkcs1(HashAlg::Sha256)),
        (
            "brainpoolp256r1_explicit_sha256",
            SignatureScheme::Ecdsa {
                curve: passchip::low_level::crypto::ec::NamedCurve::BrainpoolP256r1,
                explicit: true,
                hash: HashAlg::Sha256,
            },
        ),
    ];
    for (name, scheme) in schemes {
        let Some(c) = case(scheme) else { continue };
        let Ok(sod) = Sod::parse(&c.sod) else { continue };
        let Some(dsc) = sod.signed_data.certificates.first().and_then(|d| Cert::from_der(d).ok()) else { continue };
        let Some(signer) = sod.signed_data.signers.first() else { continue };
        let Ok(alg_t) = passchip::low_level::tlv::Tlv::parse_exact(&signer.signature_algorithm) else { continue };
        let Ok(alg) =
            AlgorithmId::parse(alg_t).and_then(|a| SignatureAlgorithm::from_algorithm_id(&a, signer.digest_alg()))
        else {
            continue;
        };
        let mut g = cr.benchmark_group(format!("pa_{name}"));
        g.bench_function("passive_authentication", |b| {
            b.iter(|| PassiveAuthentication::verify(black_box(&c.sod), &c.dgs, &c.store, &at).verdict())
        });
        g.bench_function("raw_signatures_and_hashes", |b| b.iter(|| raw(&c, &sod, &dsc, &alg)));
        g.finish();
    }
}

fn masterlist(cr: &mut Criterion) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/external/gmrtd/masterlist/");
    let (Ok(ml), Ok(root)) = (
        std::fs::read(format!("{dir}DE_ML_2026-05-28-08-28-45.ml")),
        std::fs::read(format!("{dir}DE_ROOT_CA_CSCA07.cer")),
    ) else {
        return;
    };
    let Ok(root) = Cert::from_der(&root) else { return };
    let mut g = cr.benchmark_group("masterlist");
    g.sample_size(10);
    g.bench_function("load_de_588", |b| {
        b.iter(|| {
            let mut s = TrustStore::new();
            s.add_master_list(
                black_box(&ml),
                &root,
                "DE",
                passchip::date::Date::parse("2026-08-01").unwrap_or(passchip::date::Date::today()),
            )
            .map(|(n, _)| n)
        })
    });
    g.finish();
    trust_folder(cr, &ml);
}

/// Opening a trust folder that holds the German master list (588 CSCAs, verified at
/// import) and finding the CSCA of one DSC: what `passchip verify`/`read` pay per command.
fn trust_folder(cr: &mut Criterion, ml: &[u8]) {
    use passchip::pki::folder::{ImportOptions, TrustFolder};
    let dir = std::env::temp_dir().join(format!("passchip-bench-trust-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let at = passchip::date::Date::parse("2026-08-01").unwrap_or(passchip::date::Date::today());
    let Ok(mut folder) = TrustFolder::open(&dir) else { return };
    if folder.import(ml, "DE_ML", None, &ImportOptions::at(at)).is_err() || folder.save().is_err() {
        return;
    }
    let dsc = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/external/gmrtd/doc/DE/DSC.der"))
        .ok()
        .and_then(|d| Cert::from_der(&d).ok());
    let Some(dsc) = dsc else { return };
    let mut g = cr.benchmark_group("trust_folder");
    g.bench_function("open_de_588_and_find_csca", |b| {
        b.iter(|| TrustStore::open(black_box(&dir)).map(|s| s.issuer_candidates(&dsc).len()))
    });
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

/// One ECDSA verification (SHA-256) per curve: `library` is what passive authentication
/// calls (`sig::verify`: a message and a DER signature), `engine` the runtime-curve engine
/// on its own (digest given).
fn ecdsa(cr: &mut Criterion) {
    use passchip::low_level::crypto::ec::{Curve, NamedCurve};
    let curves = NamedCurve::ALL;
    let message = b"ecdsa bench";
    let digest = HashAlg::Sha256.digest(message);
    let alg = SignatureAlgorithm::Ecdsa { hash: HashAlg::Sha256 };
    for named in curves {
        let Ok(curve) = Curve::named(named) else { continue };
        let d = vec![0x5Au8; curve.scalar_bytes()];
        let k = vec![0x3Cu8; curve.scalar_bytes()];
        let Some(q) = curve.mul_vartime(&d, curve.generator()) else { continue };
        let Some((r, s)) = curve.sign_ecdsa_test_key(&d, &k, &digest) else { continue };
        if !curve.verify_ecdsa(&q, &digest, &r, &s) {
            continue;
        }
        let mut g = cr.benchmark_group(format!("ecdsa_verify_{}", named.name()));
        let der = der_signature(&r, &s);
        let key = sig::PublicKey::Ec { curve: Box::new(curve.clone()), point: q.clone(), explicit: false };
        if sig::verify(&key, &alg, message, &der).is_err() {
            continue;
        }
        g.bench_function("library", |b| b.iter(|| sig::verify(black_box(&key), &alg, message, &der)));
        // The digest path (`Curve::verify_ecdsa`): the crates' fields with our Jacobian
        // wNAF arithmetic on the five curves they cover, our Montgomery fields on the
        // other named ones.
        g.bench_function("digest_path", |b| b.iter(|| curve.verify_ecdsa(black_box(&q), &digest, &r, &s)));
        g.bench_function("engine", |b| b.iter(|| curve.verify_ecdsa_engine(black_box(&q), &digest, &r, &s)));
        // The RustCrypto crate on its own, key and signature decoded beforehand: what the
        // library's conversions cost on top of it.
        let point = curve.encode_point(&q);
        match named {
            NamedCurve::P256 => crate_alone::<p256::NistP256>(&mut g, &point, &digest, &r, &s),
            NamedCurve::P384 => crate_alone::<p384::NistP384>(&mut g, &point, &digest, &r, &s),
            NamedCurve::P521 => crate_alone::<p521::NistP521>(&mut g, &point, &digest, &r, &s),
            NamedCurve::BrainpoolP256r1 => crate_alone::<bp256::r1::BrainpoolP256r1>(&mut g, &point, &digest, &r, &s),
            NamedCurve::BrainpoolP384r1 => crate_alone::<bp384::r1::BrainpoolP384r1>(&mut g, &point, &digest, &r, &s),
            _ => {}
        }
        g.finish();
    }
}

/// `SEQUENCE { r INTEGER, s INTEGER }` in DER, for unsigned big-endian r and s.
fn der_signature(r: &[u8], s: &[u8]) -> Vec<u8> {
    fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        if body.len() >= 0x80 {
            out.push(0x81);
        }
        out.push(body.len() as u8);
        out.extend_from_slice(body);
        out
    }
    let int = |v: &[u8]| {
        let zeros = v.iter().take_while(|&&b| b == 0).count().min(v.len().saturating_sub(1));
        let v = v.get(zeros..).unwrap_or_default();
        let mut body = if v.first().is_some_and(|b| b & 0x80 != 0) { vec![0] } else { vec![] };
        body.extend_from_slice(v);
        tlv(0x02, &body)
    };
    tlv(0x30, &[int(r), int(s)].concat())
}

fn crate_alone<C>(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    point: &[u8],
    digest: &[u8],
    r: &[u8],
    s: &[u8],
) where
    C: ecdsa::EcdsaCurve + elliptic_curve::CurveArithmetic,
    elliptic_curve::FieldBytesSize<C>: elliptic_curve::sec1::ModulusSize,
    elliptic_curve::AffinePoint<C>: elliptic_curve::sec1::FromSec1Point<C> + elliptic_curve::sec1::ToSec1Point<C>,
{
    let Ok(key) = elliptic_curve::PublicKey::<C>::from_sec1_bytes(point) else { return };
    let (Ok(r), Ok(s)) = (elliptic_curve::FieldBytes::<C>::try_from(r), elliptic_curve::FieldBytes::<C>::try_from(s))
    else {
        return;
    };
    let Ok(signature) = ecdsa::Signature::<C>::from_scalars(r, s) else { return };
    let q = key.to_projective();
    g.bench_function("rustcrypto_alone", |b| {
        b.iter(|| ecdsa::hazmat::verify_prehashed::<C>(black_box(&q), digest, &signature).is_ok())
    });
}

fn config() -> Criterion {
    Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3))
}

criterion_group! { name = benches; config = config(); targets = pa, masterlist, ecdsa }
criterion_main!(benches);
