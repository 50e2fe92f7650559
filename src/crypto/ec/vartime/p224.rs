//! P-224's Montgomery product with the reduction done by shifts and additions.
//!
//! p = 2^224 − 2^96 + 1 is 1 mod 2^64, so each reduction step's multiplier is
//! m = −t mod 2^64 and m·p = m·2^224 − m·2^96 + m needs no multiplication: half the
//! multiplications of the generic product (`montgomery::mont_mul`) go away. The result is
//! the same (R = 2^256), so only [`mul`] differs from the generic field; the field tests
//! run on it like on every other.

// Every index runs over constant ranges on fixed-size arrays (see `montgomery.rs`).
#![allow(clippy::indexing_slicing)]

use super::montgomery::{mac, select, sub_limbs};

/// p, little-endian limbs.
pub(super) const P: [u64; 4] = [1, 0xFFFF_FFFF_0000_0000, u64::MAX, 0xFFFF_FFFF];

/// a·b·2^−256 mod p for a, b < p.
#[inline(always)]
pub(super) fn mul(a: &[u64; 4], b: &[u64; 4]) -> [u64; 4] {
    let mut t = [0u64; 8];
    for i in 0..4 {
        let mut carry = 0;
        for j in 0..4 {
            (t[i + j], carry) = mac(t[i + j], a[i], b[j], carry);
        }
        t[i + 4] = carry;
    }
    // Add m·p·2^(64·i) for i = 0..3, clearing limb i. The sum is never negative (every
    // addend is m·p ≥ 0) and stays below p² + p·2^256 < 2^512, so the signed carries
    // settle inside the eight limbs.
    for i in 0..4 {
        let m = t[i].wrapping_neg();
        let (low, high) = (i128::from(m << 32), i128::from(m >> 32));
        // t_i + m = 0 mod 2^64, with a carry unless t_i was already 0.
        let mut carry = i128::from(t[i] != 0);
        t[i] = 0;
        // −m·2^96 at limbs i + 1, i + 2; +m·2^224 at limbs i + 3, i + 4.
        for (k, addend) in [-low, -high, low, high].into_iter().enumerate() {
            let v = i128::from(t[i + 1 + k]) + addend + carry;
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // the low limb
            {
                t[i + 1 + k] = v as u64;
            }
            carry = v >> 64;
        }
        for limb in t.iter_mut().skip(i + 5) {
            let v = i128::from(*limb) + carry;
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // the low limb
            {
                *limb = v as u64;
            }
            carry = v >> 64;
        }
    }
    // t / 2^256 < p·(1 + p/2^256) < p + 2^192: below p unless its top limb is p's. The
    // branch is on public values and almost never taken.
    let high = [t[4], t[5], t[6], t[7]];
    if high[3] < P[3] {
        return high;
    }
    let (reduced, borrow) = sub_limbs(&high, &P);
    select(borrow ^ 1, &reduced, &high)
}

#[cfg(test)]
mod tests {
    use super::super::montgomery::{Modulus, mont_mul};
    use super::super::named::P224Field;
    use super::{P, mul};

    /// The shift-and-add reduction against the generic Montgomery product, on values at
    /// the edges (0, 1, R mod p, p − 1, …) and pseudo-random ones below p.
    #[test]
    fn the_special_reduction_equals_the_generic_product() {
        assert_eq!(P, P224Field::P);
        let p_minus = |k: u64| [P[0].wrapping_sub(k), P[1] - u64::from(k > P[0]), P[2], P[3]];
        let mut values = vec![[0; 4], [1, 0, 0, 0], P224Field::R, P224Field::R2, p_minus(1), p_minus(2)];
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..400 {
            values.push([next(), next(), next(), next() & 0xFFFF_FFFF]);
            values.push([next(), next(), u64::MAX, 0xFFFF_FFFF - (next() & 1)]);
        }
        values.retain(|v| (v[3], v[2], v[1], v[0]) < (P[3], P[2], P[1], P[0]));
        for a in &values {
            for b in values.iter().step_by(7) {
                assert_eq!(mul(a, b), mont_mul(a, b, &P, P224Field::N0), "{a:x?} · {b:x?}");
            }
        }
    }
}
