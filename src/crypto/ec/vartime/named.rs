//! The named curves no RustCrypto crate covers, verified on our Montgomery fields
//! (`montgomery.rs`) with the same point arithmetic as the crates' curves: P-192, P-224,
//! brainpoolP192r1, brainpoolP224r1, brainpoolP320r1, brainpoolP512r1. The scalars
//! (u₁ = e/s, u₂ = r/s mod n) come from the caller, the runtime engine.
//!
//! Each curve's constants are read from the same hex as the engine's (`curves.rs`), once
//! per process, with its generator table.

use std::sync::OnceLock;

use super::field::Fp;
use super::jacobian::{Affine, CoefficientA, batch_to_affine};
use super::montgomery::{Modulus, Mont, hex_limbs};
use super::p224;
use super::{W_G, odd_multiples, x_of_sum_is};
use crate::crypto::be::from_hex;
use crate::crypto::ec::{NamedCurve, curves};

/// A curve's constants in its field, and its generator table.
struct Prepared<F> {
    a: F,
    a_shape: CoefficientA<F>,
    b: F,
    /// The group order n, big-endian: r + n is the second candidate for x.
    n: Vec<u8>,
    g_table: Vec<Affine<F>>,
}

fn prepare<M: Modulus<L>, const L: usize>(hex: &curves::Hex) -> Option<Prepared<Mont<M, L>>> {
    let element = |h: &str| Mont::<M, L>::from_be_bytes(&from_hex(h));
    let (a, b) = (element(hex.a)?, element(hex.b)?);
    let g = Affine { x: element(hex.gx)?, y: element(hex.gy)? };
    let three = Mont::<M, L>::from_be_bytes(&[3])?;
    let a_shape = if a == -three { CoefficientA::MinusThree } else { CoefficientA::General(a) };
    let g_table = batch_to_affine(&odd_multiples(&g, W_G, &a_shape)?)?;
    Some(Prepared { a, a_shape, b, n: from_hex(hex.n), g_table })
}

/// a + b for big-endian integers, one byte longer than the longer of them.
fn add_be(a: &[u8], b: &[u8]) -> Vec<u8> {
    let len = a.len().max(b.len()) + 1;
    let mut out = vec![0u8; len];
    let mut carry = 0u16;
    let digit = |v: &[u8], i: usize| v.len().checked_sub(i + 1).and_then(|at| v.get(at)).copied().unwrap_or(0);
    for (i, slot) in out.iter_mut().rev().enumerate() {
        let sum = u16::from(digit(a, i)) + u16::from(digit(b, i)) + carry;
        *slot = sum.to_be_bytes()[1];
        carry = sum >> 8;
    }
    out
}

fn verify_on<M: Modulus<L>, const L: usize>(
    prepared: &OnceLock<Option<Prepared<Mont<M, L>>>>,
    hex: &curves::Hex,
    (x, y): (&[u8], &[u8]),
    u1: &[u8],
    u2: &[u8],
    r: &[u8],
) -> Option<bool> {
    let curve = prepared.get_or_init(|| prepare(hex)).as_ref()?;
    let q = Affine { x: Mont::from_be_bytes(x)?, y: Mont::from_be_bytes(y)? };
    if q.y.square() != (q.x.square() + curve.a) * q.x + curve.b {
        return None;
    }
    // x(u₁·G + u₂·Q) < p is r or r + n; a candidate not below p is no candidate.
    let candidates: Vec<Mont<M, L>> =
        [r.to_vec(), add_be(r, &curve.n)].iter().filter_map(|v| Mont::from_be_bytes(v)).collect();
    x_of_sum_is(&curve.a_shape, &curve.g_table, &q, u1, u2, &candidates)
}

macro_rules! named_fields {
    ($($curve:ident => $field:ident, $limbs:literal, $hex:path $(, mul = $mul:path)?;)*) => {
        $(
            #[derive(Clone, Copy, PartialEq, Eq, Debug)]
            pub(super) struct $field;
            impl Modulus<$limbs> for $field {
                const P: [u64; $limbs] = hex_limbs($hex.p);
                $(
                    #[inline(always)]
                    fn mul(a: &[u64; $limbs], b: &[u64; $limbs]) -> [u64; $limbs] {
                        $mul(a, b)
                    }
                )?
            }
        )*

        /// Whether this path serves `curve`.
        pub(in crate::crypto::ec) fn serves(curve: NamedCurve) -> bool {
            matches!(curve, $(NamedCurve::$curve)|*)
        }

        /// Whether x(u₁·G + u₂·Q) ≡ r (mod n) on `curve`, for the affine key (x, y) and
        /// the big-endian u₁, u₂ and r (1 ≤ r < n, checked by the caller). `None` when
        /// this path does not serve the curve or the key is not a point of it (the
        /// caller's engine then decides).
        pub(in crate::crypto::ec) fn verify(
            curve: NamedCurve,
            key: (&[u8], &[u8]),
            u1: &[u8],
            u2: &[u8],
            r: &[u8],
        ) -> Option<bool> {
            match curve {
                $(NamedCurve::$curve => {
                    static PREPARED: OnceLock<Option<Prepared<Mont<$field, $limbs>>>> = OnceLock::new();
                    verify_on(&PREPARED, &$hex, key, u1, u2, r)
                })*
                _ => None,
            }
        }
    };
}

named_fields! {
    P192 => P192Field, 3, curves::P192;
    P224 => P224Field, 4, curves::P224, mul = p224::mul;
    BrainpoolP192r1 => Bp192Field, 3, curves::BP192R1;
    BrainpoolP224r1 => Bp224Field, 4, curves::BP224R1;
    BrainpoolP320r1 => Bp320Field, 5, curves::BP320R1;
    BrainpoolP512r1 => Bp512Field, 8, curves::BP512R1;
}
