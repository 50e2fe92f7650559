//! Wycheproof (C2SP/wycheproof, Apache-2.0; `fixtures/wycheproof/PROVENANCE.md`) through
//! passchip's own paths: every ECDSA vector (DER and IEEE P1363) through
//! `sig::verify` as passive authentication calls it, the P1363 ones also through the
//! runtime engine alone (the oracle of the RustCrypto path and the only path of
//! brainpoolP224r1/P320r1/P512r1 and P-224); every ECDH vector through the key parser
//! and `mul_ct`, the secret-scalar path of PACE and Chip Authentication (checked against
//! the engine's fixed window); RSASSA-PSS with either MGF1 hash and any salt length,
//! parameters taken from the key's AlgorithmIdentifier where the file gives them;
//! RSASSA-PKCS1-v1_5; and the curve parameters of `ec_prime_order_curves_test.json`
//! through `Curve::from_params` and `validate_custom`.
//!
//! "valid" must verify and "invalid" must not. Where Wycheproof leaves a case
//! "acceptable", passchip's decision is fixed below (`ACCEPTABLE`) and asserted, so a
//! change of behaviour is a test failure, not a silent drift; docs/security.md ("Wycheproof")
//! gives the reasons.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeMap;

use passchip::low_level::crypto::ec::{Curve, DomainParams, NamedCurve};
use passchip::low_level::crypto::hash::HashAlg;
use passchip::low_level::crypto::sig::{self, AlgorithmId, PublicKey, SignatureAlgorithm};
use passchip::low_level::tlv::Tlv;
use serde_json::Value;

/// passchip's decision on each flag Wycheproof leaves "acceptable": accept (`true`) or
/// refuse (`false`).
const ACCEPTABLE: &[(&str, bool)] = &[
    // ECDH: a public key with explicit parameters equal to the named curve's is the
    // same key (eMRTD keys in DG14 usually come so).
    ("UnnamedCurve", true),
    // ECDH: compressed points are not used by eMRTDs (TR-03111 uncompressed); refused.
    ("CompressedPublic", false),
    ("CompressedPoint", false),
    // ECDH: parameters that differ from the curve agreed on are another curve: refused.
    ("ModifiedGenerator", false),
    ("ModifiedCofactor", false),
    ("ModifiedCurveParameter", false),
    ("WrongOrder", false),
    ("NoCofactor", false),
    // ECDH: a NULL or other unused parameter in the SPKI is not a curve: refused.
    ("UnusedParam", false),
    // ECDH: BER or otherwise non-DER SubjectPublicKeyInfo; decided case by case, see
    // `ecdh`: if passchip accepts one, its shared secret must still be right.
    ("InvalidAsn", false),
    // PKCS#1 v1.5: DigestInfo without the NULL parameters: refused, as the rsa crate
    // compares the whole encoded message.
    ("MissingNull", false),
];

fn acceptable_decision(flags: &[String]) -> Option<bool> {
    flags.iter().find_map(|f| ACCEPTABLE.iter().find(|(name, _)| name == f).map(|&(_, d)| d))
}

fn load(name: &str) -> Value {
    let path = format!("{}/fixtures/wycheproof/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_slice(&std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))).unwrap()
}

fn files(prefix: &str, suffix: &str) -> Vec<String> {
    let dir = format!("{}/fixtures/wycheproof", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(prefix) && n.ends_with(suffix))
        .collect();
    names.sort();
    names
}

fn hex(v: &Value) -> Vec<u8> {
    let s = v.as_str().unwrap_or_else(|| panic!("not a hex string: {v}"));
    assert!(s.len().is_multiple_of(2), "odd hex {s}");
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn hash(name: &str) -> HashAlg {
    match name {
        "SHA-1" => HashAlg::Sha1,
        "SHA-224" => HashAlg::Sha224,
        "SHA-256" => HashAlg::Sha256,
        "SHA-384" => HashAlg::Sha384,
        "SHA-512" => HashAlg::Sha512,
        other => panic!("hash {other} not in the fixtures"),
    }
}

fn named(name: &str) -> NamedCurve {
    match name {
        "secp224r1" => NamedCurve::P224,
        "secp256r1" => NamedCurve::P256,
        "secp384r1" => NamedCurve::P384,
        "secp521r1" => NamedCurve::P521,
        other => NamedCurve::ALL.into_iter().find(|c| c.name() == other).unwrap_or_else(|| panic!("curve {other}")),
    }
}

/// The same key with its curve given as explicit parameters (SEC 1 C.2
/// SpecifiedECDomain, cofactor included), as DG14 and many CSCA certificates carry it.
fn explicit_spki(curve: NamedCurve, point: &[u8]) -> Vec<u8> {
    use passchip::low_level::tlv::{Tag, encode_to_vec};
    let d = DomainParams::named(curve);
    let len = d.p.len();
    let int = |v: &[u8]| {
        let v = &v[v.iter().take_while(|&&b| b == 0).count()..];
        let mut body = if v.first().is_none_or(|&b| b & 0x80 != 0) { vec![0] } else { vec![] };
        body.extend_from_slice(v);
        encode_to_vec(Tag::new(0x02), &body)
    };
    let octets = |v: &[u8]| {
        let mut padded = vec![0; len.saturating_sub(v.len())];
        padded.extend_from_slice(v);
        encode_to_vec(Tag::new(0x04), &padded)
    };
    let seq = |parts: &[&[u8]]| encode_to_vec(Tag::new(0x30), &parts.concat());
    let oid = |dotted: &str| {
        let o: const_oid::ObjectIdentifier = dotted.parse().unwrap();
        encode_to_vec(Tag::new(0x06), o.as_bytes())
    };
    let mut base = vec![0x04];
    base.extend_from_slice(
        &[vec![0; len - d.gx.len()], d.gx.clone(), vec![0; len - d.gy.len()], d.gy.clone()].concat(),
    );
    let params = seq(&[
        &int(&[1]),
        &seq(&[&oid("1.2.840.10045.1.1"), &int(&d.p)]),
        &seq(&[&octets(&d.a), &octets(&d.b)]),
        &encode_to_vec(Tag::new(0x04), &base),
        &int(&d.n),
        &int(&[1]),
    ]);
    let mut bits = vec![0];
    bits.extend_from_slice(point);
    seq(&[&seq(&[&oid("1.2.840.10045.2.1"), &params]), &encode_to_vec(Tag::new(0x03), &bits)])
}

/// The outcomes of one file: every disagreement, and what passchip did with each
/// "acceptable" flag.
#[derive(Default)]
struct Tally {
    checked: usize,
    wrong: Vec<String>,
}

impl Tally {
    /// Records the outcome of one test vector.
    fn record(&mut self, file: &str, test: &Value, accepted: bool) {
        self.checked += 1;
        let flags: Vec<String> =
            test["flags"].as_array().into_iter().flatten().filter_map(|f| f.as_str().map(str::to_owned)).collect();
        let expected = match test["result"].as_str().unwrap() {
            "valid" => true,
            "invalid" => false,
            "acceptable" => match acceptable_decision(&flags) {
                Some(decision) => decision,
                None => {
                    self.wrong.push(format!("{file} #{}: acceptable {flags:?} without a decision", test["tcId"]));
                    return;
                }
            },
            other => panic!("result {other}"),
        };
        if accepted != expected {
            self.wrong.push(format!(
                "{file} #{} ({flags:?}, {}): expected {}, passchip {}",
                test["tcId"],
                test["comment"].as_str().unwrap_or(""),
                if expected { "accept" } else { "refuse" },
                if accepted { "accepted" } else { "refused" },
            ));
        }
    }

    fn assert_clean(self, what: &str, at_least: usize) {
        assert!(self.checked >= at_least, "{what}: only {} vectors checked", self.checked);
        assert!(self.wrong.is_empty(), "{what}: {} disagreements:\n{}", self.wrong.len(), self.wrong.join("\n"));
    }
}

fn tests_of(group: &Value) -> &Vec<Value> {
    group["tests"].as_array().unwrap()
}

#[test]
fn ecdsa_der_signatures_named_and_explicit() {
    let mut tally = Tally::default();
    let mut with_explicit = Tally::default();
    let mut digest_path = Tally::default();
    let names = files("ecdsa_", "_test.json").into_iter().filter(|n| !n.contains("p1363"));
    for file in names {
        let doc = load(&file);
        assert_eq!(doc["schema"], "ecdsa_verify_schema_v1.json", "{file}");
        for group in doc["testGroups"].as_array().unwrap() {
            let key = PublicKey::from_spki(&hex(&group["publicKeyDer"])).unwrap_or_else(|e| panic!("{file}: {e}"));
            let alg = SignatureAlgorithm::Ecdsa { hash: hash(group["sha"].as_str().unwrap()) };
            // The same key once more with explicit parameters: it must decide alike.
            let curve = named(group["publicKey"]["curve"].as_str().unwrap());
            let explicit = PublicKey::from_spki(&explicit_spki(curve, &hex(&group["publicKey"]["uncompressed"])))
                .unwrap_or_else(|e| panic!("{file} (explicit): {e}"));
            assert!(matches!(explicit, PublicKey::Ec { explicit: true, .. }), "{file}");
            for test in tests_of(group) {
                let (msg, signature) = (hex(&test["msg"]), hex(&test["sig"]));
                tally.record(&file, test, sig::verify(&key, &alg, &msg, &signature).is_ok());
                with_explicit.record(&file, test, sig::verify(&explicit, &alg, &msg, &signature).is_ok());
                // The digest path never takes ring: the crates' fields with our Jacobian
                // arithmetic on P-256/384/521 and brainpoolP256/384r1, the engine elsewhere.
                let digest = alg.hash().digest(&msg);
                digest_path.record(&file, test, sig::verify_digest(&key, &alg, &digest, &signature).is_ok());
            }
        }
    }
    tally.assert_clean("ECDSA (DER)", 5000);
    with_explicit.assert_clean("ECDSA (DER, explicit parameters)", 5000);
    digest_path.assert_clean("ECDSA (DER, digest path)", 5000);
}

#[test]
fn ecdsa_p1363_signatures_through_the_library_and_the_engine() {
    let mut tally = Tally::default();
    let mut engine = Tally::default();
    for file in files("ecdsa_", "_p1363_test.json") {
        let doc = load(&file);
        assert_eq!(doc["schema"], "ecdsa_p1363_verify_schema_v1.json", "{file}");
        for group in doc["testGroups"].as_array().unwrap() {
            let key = PublicKey::from_spki(&hex(&group["publicKeyDer"])).unwrap_or_else(|e| panic!("{file}: {e}"));
            let h = hash(group["sha"].as_str().unwrap());
            let alg = SignatureAlgorithm::EcdsaPlain { hash: h };
            let PublicKey::Ec { curve, point, .. } = &key else { panic!("{file}: not an EC key") };
            for test in tests_of(group) {
                let (msg, signature) = (hex(&test["msg"]), hex(&test["sig"]));
                tally.record(&file, test, sig::verify(&key, &alg, &msg, &signature).is_ok());
                // The engine on its own, for every signature of the right shape.
                if signature.len() == 2 * curve.scalar_bytes() {
                    let (r, s) = signature.split_at(signature.len() / 2);
                    engine.record(&file, test, curve.verify_ecdsa_engine(point, &h.digest(&msg), r, s));
                }
            }
        }
    }
    tally.assert_clean("ECDSA (P1363)", 3000);
    engine.assert_clean("ECDSA (P1363, engine)", 3000);
}

/// One ECDH vector: the peer's key parsed as passchip parses a Chip Authentication or
/// certificate key, on the curve agreed (`curve`), then `mul_ct`. `None` when refused.
fn ecdh(curve: &Curve, public: &[u8], private: &[u8]) -> Option<Vec<u8>> {
    let PublicKey::Ec { curve: theirs, point, .. } = PublicKey::from_spki(public).ok()? else { return None };
    if !theirs.same_parameters(curve) {
        return None;
    }
    let shared = curve.mul_ct(private, &point)?;
    // The engine's fixed window agrees with the constant-time path, whichever that is.
    assert_eq!(curve.mul_windowed(private, &point).map(|p| curve.x_bytes(&p)), Some(curve.x_bytes(&shared)));
    Some(curve.x_bytes(&shared))
}

#[test]
fn ecdh_through_the_key_parser_and_mul_ct() {
    let mut tally = Tally::default();
    let mut explicit_checked = 0usize;
    for file in files("ecdh_", "_test.json") {
        let doc = load(&file);
        for group in doc["testGroups"].as_array().unwrap() {
            assert_eq!(group["encoding"], "asn", "{file}");
            let curve = Curve::named(named(group["curve"].as_str().unwrap())).unwrap();
            let named_curve = named(group["curve"].as_str().unwrap());
            for test in tests_of(group) {
                let (public, private) = (hex(&test["public"]), hex(&test["private"]));
                let shared = ecdh(&curve, &public, &private);
                if let Some(s) = &shared {
                    // Whatever passchip accepts, it must compute right, "acceptable" or not.
                    assert_eq!(s, &hex(&test["shared"]), "{file} #{}: wrong shared secret", test["tcId"]);
                }
                tally.record(&file, test, shared.is_some());
                // A key passchip took by name, given again with explicit parameters.
                if let Ok(PublicKey::Ec { point, explicit: false, curve: theirs }) = PublicKey::from_spki(&public) {
                    let again = explicit_spki(named_curve, &theirs.encode_point(&point));
                    assert_eq!(ecdh(&curve, &again, &private), shared, "{file} #{} (explicit)", test["tcId"]);
                    explicit_checked += 1;
                }
            }
        }
    }
    tally.assert_clean("ECDH", 3000);
    assert!(explicit_checked > 2000, "only {explicit_checked} ECDH keys given again explicitly");
}

/// The key's PSS parameters when its AlgorithmIdentifier carries them, else the group's.
fn pss_algorithm(file: &str, group: &Value) -> SignatureAlgorithm {
    let from_group = SignatureAlgorithm::RsaPss {
        hash: hash(group["sha"].as_str().unwrap()),
        mgf1: hash(group["mgfSha"].as_str().unwrap()),
        salt_len: usize::try_from(group["sLen"].as_u64().unwrap()).unwrap(),
    };
    if !file.contains("_params_") {
        return from_group;
    }
    let der = hex(&group["publicKeyDer"]);
    let spki = Tlv::parse_exact(&der).unwrap();
    let alg = AlgorithmId::parse(spki.children().next().unwrap().unwrap()).unwrap();
    let parsed = SignatureAlgorithm::from_algorithm_id(&alg, None).unwrap();
    assert_eq!(parsed, from_group, "{file}: RSASSA-PSS-params read wrong");
    parsed
}

#[test]
fn rsassa_pss_any_mgf1_hash_and_salt() {
    let mut tally = Tally::default();
    for file in files("rsa_pss_", "_test.json") {
        let doc = load(&file);
        for group in doc["testGroups"].as_array().unwrap() {
            assert_eq!(group["mgf"], "MGF1", "{file}");
            let key = PublicKey::from_spki(&hex(&group["publicKeyDer"])).unwrap_or_else(|e| panic!("{file}: {e}"));
            let alg = pss_algorithm(&file, group);
            for test in tests_of(group) {
                tally.record(&file, test, sig::verify(&key, &alg, &hex(&test["msg"]), &hex(&test["sig"])).is_ok());
            }
        }
    }
    tally.assert_clean("RSASSA-PSS", 1000);
}

#[test]
fn rsassa_pkcs1_v1_5() {
    let mut tally = Tally::default();
    for file in files("rsa_signature_", "_test.json") {
        let doc = load(&file);
        for group in doc["testGroups"].as_array().unwrap() {
            let key = PublicKey::from_spki(&hex(&group["publicKeyDer"])).unwrap_or_else(|e| panic!("{file}: {e}"));
            let alg = SignatureAlgorithm::RsaPkcs1 { hash: hash(group["sha"].as_str().unwrap()) };
            for test in tests_of(group) {
                tally.record(&file, test, sig::verify(&key, &alg, &hex(&test["msg"]), &hex(&test["sig"])).is_ok());
            }
        }
    }
    tally.assert_clean("RSASSA-PKCS1-v1_5", 400);
}

#[test]
fn prime_order_curves_build_and_validate_by_size() {
    let doc = load("ec_prime_order_curves_test.json");
    let mut seen = BTreeMap::new();
    for group in doc["testGroups"].as_array().unwrap() {
        for test in tests_of(group) {
            let name = test["name"].as_str().unwrap();
            assert_eq!(test["result"], "valid", "{name}");
            let field = |k: &str| hex(&test[k]);
            let params = DomainParams {
                p: field("p"),
                a: field("a"),
                b: field("b"),
                gx: field("gx"),
                gy: field("gy"),
                n: field("n"),
                cofactor: u32::try_from(test["h"].as_u64().unwrap()).unwrap(),
            };
            let curve = Curve::from_params(&params).unwrap_or_else(|e| panic!("{name}: {e}"));
            // Standard curves are recognised whatever way they arrive.
            if let Some(known) = NamedCurve::ALL.into_iter().find(|c| c.oid() == test["oid"].as_str().unwrap()) {
                assert_eq!(curve.named_curve(), Some(known), "{name}");
                assert!(curve.same_parameters(&Curve::named(known).unwrap()), "{name}");
            }
            // Every curve of the file is sound; only the size rule (n ≥ 224 bits) may
            // refuse one as a custom PACE group.
            let verdict = curve.validate_custom();
            if curve.order_bits() >= 224 {
                assert_eq!(verdict, Ok(()), "{name}");
            } else {
                assert!(verdict.is_err(), "{name} ({} bits) accepted", curve.order_bits());
            }
            seen.insert(name.to_owned(), curve.order_bits());
        }
    }
    assert_eq!(seen.len(), 26, "{seen:?}");
}
