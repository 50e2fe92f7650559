//! The named curves no RustCrypto crate covers, verified on our Montgomery fields
//! (`montgomery.rs`) with the same point arithmetic as the crates' curves: P-192, P-224,
//! brainpoolP192r1, brainpoolP224r1, brainpoolP320r1, brainpoolP512r1. The scalars
//! (u₁ = e/s, u₂ = r/s mod n) come from the caller, the runtime engine.
//!
//! Each curve's constants are read from the same hex as the engine's (`curves.rs`), once
//! per process, with its generator table. Every curve here doubles with a = −3: P-192 and
//! P-224 as they are, the brainpool curves on their twist (RFC 5639 §3), an isomorphism
//! that keeps x-coordinates comparable (times z²).

use std::sync::OnceLock;

use super::field::Fp;
use super::jacobian::{Affine, CoefficientA, batch_to_affine};
use super::montgomery::{Modulus, Mont, hex_limbs};
use super::p224;
use super::{W_G, add_be, odd_multiples, x_of_sum_is};
use crate::crypto::be::from_hex;
use crate::crypto::ec::{NamedCurve, curves};

/// A curve's constants in its field, and its generator table.
struct Prepared<F> {
    /// y² = x³ + ax + b: the curve a key must be on.
    a: F,
    b: F,
    /// The `a` the arithmetic runs with: −3, on the curve itself or on its twist.
    a_shape: CoefficientA<F>,
    /// (z², z³) of the isomorphism (x, y) ↦ (x·z², y·z³) to y² = x³ − 3x + b·z⁶, where
    /// the curve's own a is not −3 (the brainpool curves, RFC 5639 §3): a doubling then
    /// costs 3M + 5S instead of 2M + 8S.
    twist: Option<(F, F)>,
    /// The group order n, big-endian: r + n is the second candidate for x.
    n: Vec<u8>,
    /// The generator's table, on the twist where there is one.
    g_table: Vec<Affine<F>>,
}

/// z with a·z⁴ = −3, if one exists (p ≡ 3 mod 4: of ±√v exactly one is a square).
fn twist_by<M: Modulus<L>, const L: usize>(a: Mont<M, L>, minus_three: Mont<M, L>) -> Option<Mont<M, L>> {
    let v = minus_three * a.invert_vartime()?;
    let s = v.sqrt_vartime()?;
    let z = s.sqrt_vartime().or_else(|| (-s).sqrt_vartime())?;
    (z.square().square() == v).then_some(z)
}

fn prepare<M: Modulus<L>, const L: usize>(hex: &curves::Hex) -> Option<Prepared<Mont<M, L>>> {
    let element = |h: &str| Mont::<M, L>::from_be_bytes(&from_hex(h));
    let (a, b) = (element(hex.a)?, element(hex.b)?);
    let minus_three = -Mont::<M, L>::from_be_bytes(&[3])?;
    let (a_shape, twist) = if a == minus_three {
        (CoefficientA::MinusThree, None)
    } else {
        match twist_by(a, minus_three) {
            Some(z) => (CoefficientA::MinusThree, Some((z.square(), z.square() * z))),
            None => (CoefficientA::General(a), None),
        }
    };
    let g = twisted(&Affine { x: element(hex.gx)?, y: element(hex.gy)? }, twist.as_ref());
    let g_table = batch_to_affine(&odd_multiples(&g, W_G, &a_shape)?)?;
    Some(Prepared { a, b, a_shape, twist, n: from_hex(hex.n), g_table })
}

/// The image of `p` on the twist, or `p` where there is none.
fn twisted<F: Fp>(p: &Affine<F>, twist: Option<&(F, F)>) -> Affine<F> {
    match twist {
        Some((z2, z3)) => Affine { x: p.x * *z2, y: p.y * *z3 },
        None => *p,
    }
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
    // x(u₁·G + u₂·Q) < p is r or r + n; a candidate not below p is no candidate. On the
    // twist, x-coordinates are z² times the curve's.
    let candidates: Vec<Mont<M, L>> = [r.to_vec(), add_be(r, &curve.n)]
        .iter()
        .filter_map(|v| Mont::from_be_bytes(v))
        .map(|c| curve.twist.map_or(c, |(z2, _)| c * z2))
        .collect();
    let q = twisted(&q, curve.twist.as_ref());
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

#[cfg(test)]
mod tests {
    use super::super::field::Fp;
    use super::super::jacobian::CoefficientA;
    use super::super::montgomery::{Modulus, Mont};
    use super::{Bp192Field, Bp224Field, Bp320Field, Bp512Field, P192Field, P224Field, curves, prepare};

    /// Every curve here runs its doublings with a = −3: the NIST ones as they are, the
    /// brainpool ones on a twist whose points satisfy y² = x³ − 3x + b·z⁶ (checked on the
    /// whole generator table).
    fn runs_with_minus_three<M: Modulus<L>, const L: usize>(hex: &curves::Hex, twisted: bool) {
        let curve = prepare::<M, L>(hex).unwrap();
        assert!(matches!(curve.a_shape, CoefficientA::MinusThree), "{}", hex.p);
        assert_eq!(curve.twist.is_some(), twisted, "{}", hex.p);
        let three = Mont::<M, L>::from_be_bytes(&[3]).unwrap();
        let b = curve.twist.map_or(curve.b, |(z2, _)| curve.b * z2 * z2 * z2);
        for p in &curve.g_table {
            assert_eq!(p.y.square(), (p.x.square() - three) * p.x + b, "{}", hex.p);
        }
    }

    #[test]
    fn every_curve_doubles_with_a_minus_three() {
        runs_with_minus_three::<P192Field, 3>(&curves::P192, false);
        runs_with_minus_three::<P224Field, 4>(&curves::P224, false);
        runs_with_minus_three::<Bp192Field, 3>(&curves::BP192R1, true);
        runs_with_minus_three::<Bp224Field, 4>(&curves::BP224R1, true);
        runs_with_minus_three::<Bp320Field, 5>(&curves::BP320R1, true);
        runs_with_minus_three::<Bp512Field, 8>(&curves::BP512R1, true);
    }
}
