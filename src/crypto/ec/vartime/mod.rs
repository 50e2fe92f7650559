//! ECDSA verification with public values only, faster than the RustCrypto crates' own
//! and than the engine's constant-time window. A verification is u₁·G + u₂·Q with public
//! scalars, so it may take variable time: Jacobian coordinates (`jacobian`), width-w NAF
//! scalars (`wnaf`), one doubling chain shared by both terms (Shamir's trick), a table
//! of affine odd multiples of G built once per process and added with mixed additions,
//! and a final comparison in Jacobian coordinates (x ≡ r means X = r·Z² or
//! X = (r + n)·Z²) that needs no inversion. What it must never see is a secret: the
//! crates' and the engine's constant-time arithmetic stay the path of every secret
//! scalar.
//!
//! Two kinds of field serve the same point arithmetic (`field::Fp`): the crates' field
//! elements (`FieldArithmetic::FieldElement`, fiat-crypto code) for the five curves they
//! cover, and our own Montgomery fields (`montgomery`, `named`) for the other named
//! curves, whose scalars the engine computes.
//!
//! It is checked against the crates' own verifier and the runtime engine (`tests.rs`,
//! and the differential fuzz target `ecdsa_paths`), and against every Wycheproof vector of
//! these curves (`tests/wycheproof.rs`, through `sig::verify` and `sig::verify_digest`).

mod field;
mod jacobian;
mod montgomery;
pub(super) mod named;
mod p224;
mod wnaf;

use std::sync::OnceLock;

use elliptic_curve::bigint::{ArrayEncoding, BitOps};
use elliptic_curve::ff::PrimeField;
use elliptic_curve::hazmat::FieldArithmetic;
use elliptic_curve::ops::{Invert, Reduce};
use elliptic_curve::{FieldBytes, Scalar};
use primeorder::PrimeCurveParams;

use field::Fp;
use jacobian::{Affine, CoefficientA, Exceptions, Jacobian, batch_to_affine};
use wnaf::wnaf;

/// The window of the generator's table: 2^(W_G − 2) = 32 affine points, built once per
/// process (31 additions and one inversion, a fraction of one verification) and read by
/// about bits / 8 mixed additions. A wider one saves little and costs the first
/// verification of a short-lived process (the CLI verifies two or three) more.
const W_G: u32 = 7;
/// The window of the key's table: 2^(W_Q − 2) = 8 Jacobian points per verification.
const W_Q: u32 = 5;

type Fe<C> = <C as FieldArithmetic>::FieldElement;

/// A curve this path serves: its RustCrypto arithmetic plus a generator table of its own.
pub(super) trait Served: PrimeCurveParams {
    /// G, 3G, 5G, …, (2^(W_G − 1) − 1)·G in affine coordinates.
    fn generator_table() -> &'static [Affine<Fe<Self>>];
}

macro_rules! served {
    ($($curve:ty),* $(,)?) => {$(
        impl Served for $curve {
            fn generator_table() -> &'static [Affine<Fe<Self>>] {
                static TABLE: OnceLock<Vec<Affine<Fe<$curve>>>> = OnceLock::new();
                TABLE.get_or_init(|| {
                    let (x, y) = <$curve as PrimeCurveParams>::GENERATOR;
                    odd_multiples(&Affine { x, y }, W_G, &coefficient_a::<$curve>())
                        .and_then(|t| batch_to_affine(&t))
                        .unwrap_or_default()
                })
            }
        }
    )*};
}

served!(p256::NistP256, p384::NistP384, p521::NistP521, bp256::r1::BrainpoolP256r1, bp384::r1::BrainpoolP384r1);

fn coefficient_a<C: PrimeCurveParams>() -> CoefficientA<Fe<C>> {
    if C::EQUATION_A == -Fe::<C>::from(3) { CoefficientA::MinusThree } else { CoefficientA::General(C::EQUATION_A) }
}

/// P, 3P, 5P, …, (2^(w − 1) − 1)·P. `None` if one of them is the point at infinity
/// (impossible for a point of prime order n > 2^(w−1)).
fn odd_multiples<F: Fp>(p: &Affine<F>, w: u32, a: &CoefficientA<F>) -> Option<Vec<Jacobian<F>>> {
    let count = 1usize << (w - 2);
    let first = Jacobian::from(p);
    let twice = first.double(a);
    let mut out = Vec::with_capacity(count);
    out.push(first);
    for _ in 1..count {
        let next = out.last()?.add(&twice, a);
        if next.is_infinity() {
            return None;
        }
        out.push(next);
    }
    Some(out)
}

/// `v` (unsigned big-endian) as exactly `len` bytes, or `None` if it does not fit.
fn padded<C: PrimeCurveParams>(v: &[u8]) -> Option<FieldBytes<C>> {
    let v = super::trim(v);
    let mut out = FieldBytes::<C>::default();
    let len = out.len();
    out.get_mut(len.checked_sub(v.len())?..)?.copy_from_slice(v);
    Some(out)
}

/// The digest as a scalar: its leftmost ⌈log₂ n⌉ bits, reduced mod n (SEC 1 §4.1.4
/// step 5, as the `ecdsa` crate does).
fn digest_scalar<C: PrimeCurveParams>(digest: &[u8]) -> Option<Scalar<C>> {
    let n_bits = C::ORDER.bits_vartime();
    let n_bytes = usize::try_from(n_bits.div_ceil(8)).ok()?;
    let mut bytes = digest.get(..n_bytes.min(digest.len()))?.to_vec();
    let excess = (bytes.len() * 8).saturating_sub(usize::try_from(n_bits).ok()?);
    if excess > 0 {
        // Shift right by the bits beyond the order's length (< 8).
        let mut carry = 0u8;
        for b in &mut bytes {
            let next = *b << (8 - excess);
            *b = (*b >> excess) | carry;
            carry = next;
        }
    }
    Some(<Scalar<C> as Reduce<FieldBytes<C>>>::reduce(&padded::<C>(&bytes)?))
}

/// Verifies `(r, s)` (unsigned big-endian) over `digest` with the uncompressed SEC 1
/// point `point`. `None` when the point does not decode on this curve (the caller's
/// engine then decides); `Some(valid)` otherwise. r and s outside [1, n − 1] are invalid.
pub(super) fn verify<C: Served>(point: &[u8], digest: &[u8], r: &[u8], s: &[u8]) -> Option<bool> {
    let q = decode_point::<C>(point)?;
    let scalar = |v: &[u8]| -> Option<Scalar<C>> {
        let v = Option::<Scalar<C>>::from(Scalar::<C>::from_repr(padded::<C>(v)?))?;
        (!v.is_zero_vartime()).then_some(v)
    };
    let (Some(r_scalar), Some(s_scalar)) = (scalar(r), scalar(s)) else { return Some(false) };
    let Some(e) = digest_scalar::<C>(digest) else { return Some(false) };
    let Some(w) = Option::<Scalar<C>>::from(Invert::invert_vartime(&s_scalar)) else { return Some(false) };
    let u1 = (e * w).to_repr();
    let u2 = (r_scalar * w).to_repr();
    let r_bytes = r_scalar.to_repr();
    let field = |v: &FieldBytes<C>| Option::<Fe<C>>::from(Fe::<C>::from_repr(*v));
    let candidates: Vec<Fe<C>> = [Some(r_bytes), add_order::<C>(&r_bytes)].iter().flatten().filter_map(field).collect();
    x_of_sum_is(&coefficient_a::<C>(), C::generator_table(), &q, &u1, &u2, &candidates)
}

/// Whether the x-coordinate of u₁·G + u₂·Q (big-endian public scalars) is one of
/// `candidates` (r, and r + n where that is below p). `None` if a table digit is missing
/// (the caller's engine then decides).
fn x_of_sum_is<F: Fp>(
    a: &CoefficientA<F>,
    g_table: &[Affine<F>],
    q: &Affine<F>,
    u1: &[u8],
    u2: &[u8],
    candidates: &[F],
) -> Option<bool> {
    let Some(q_table) = odd_multiples(q, W_Q, a) else { return Some(false) };
    let (d1, d2) = (wnaf(u1, W_G), wnaf(u2, W_Q));
    let terms = Terms { a, g_table, d1: &d1, q_table: &q_table, d2: &d2 };
    let mut acc = terms.sum(Exceptions::Deferred)?;
    if acc.met_an_exception() {
        // P = ±Q on the way (rare unless a signature was made to reach it): again, checked.
        acc = terms.sum(Exceptions::Checked)?;
    }
    // Z = 0 can only mean the point at infinity now; tested anyway, since X = 0 with
    // Z = 0 would pass the comparison below for any r.
    if acc.is_infinity() || acc.z.is_zero_vartime() {
        return Some(false);
    }
    // x(acc) = X/Z²: compared as X = c·Z², without an inversion.
    let zz = acc.z.square();
    Some(candidates.iter().any(|c| *c * zz == acc.x))
}

/// u₁·G + u₂·Q as two wNAF digit strings and their tables.
struct Terms<'a, F> {
    a: &'a CoefficientA<F>,
    g_table: &'a [Affine<F>],
    d1: &'a [i8],
    q_table: &'a [Jacobian<F>],
    d2: &'a [i8],
}

impl<F: Fp> Terms<'_, F> {
    /// The sum, most significant digit first, one doubling chain for both (Shamir's
    /// trick). `None` if a digit has no table entry (not a digit of its window, or the
    /// generator table could not be built): the caller's engine then decides.
    fn sum(&self, exceptions: Exceptions) -> Option<Jacobian<F>> {
        let a = self.a;
        let mut acc = Jacobian::<F>::INFINITY;
        for i in (0..self.d1.len().max(self.d2.len())).rev() {
            acc = acc.double(a);
            if let Some(&d) = self.d1.get(i).filter(|d| **d != 0) {
                let p = self.g_table.get(usize::from(d.unsigned_abs() / 2))?;
                let p = if d > 0 { *p } else { p.neg() };
                acc = acc.add_affine_with(&p, a, exceptions);
            }
            if let Some(&d) = self.d2.get(i).filter(|d| **d != 0) {
                let p = self.q_table.get(usize::from(d.unsigned_abs() / 2))?;
                let p = if d > 0 { *p } else { p.neg() };
                acc = acc.add_with(&p, a, exceptions);
            }
        }
        Some(acc)
    }
}

/// r + n as field-sized big-endian bytes, or `None` if it overflows them.
fn add_order<C: PrimeCurveParams>(r: &FieldBytes<C>) -> Option<FieldBytes<C>> {
    let sum = add_be(r, C::ORDER.to_be_byte_array().as_slice());
    let (high, low) = sum.split_at_checked(sum.len().checked_sub(r.len())?)?;
    if high.iter().any(|b| *b != 0) {
        return None;
    }
    FieldBytes::<C>::try_from(low).ok()
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

/// An uncompressed SEC 1 point on the curve, or `None`.
fn decode_point<C: PrimeCurveParams>(point: &[u8]) -> Option<Affine<Fe<C>>> {
    let len = FieldBytes::<C>::default().len();
    let (&0x04, xy) = point.split_first()? else { return None };
    if xy.len() != 2 * len {
        return None;
    }
    let (x, y) = xy.split_at(len);
    let coordinate = |v: &[u8]| Option::<Fe<C>>::from(Fe::<C>::from_repr(FieldBytes::<C>::try_from(v).ok()?));
    let (x, y) = (coordinate(x)?, coordinate(y)?);
    (y.square() == (x.square() + C::EQUATION_A) * x + C::EQUATION_B).then_some(Affine { x, y })
}

#[cfg(test)]
mod tests;
