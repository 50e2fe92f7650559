//! Width-w non-adjacent form of a public scalar: digits that are 0 or odd in
//! ±[1, 2^(w−1) − 1], at most one non-zero digit in any w consecutive ones, so a
//! multiplication costs about bits / (w + 1) additions of precomputed odd multiples.

/// The width-`w` NAF of the big-endian integer `k`, least significant digit first
/// (`k = Σ dᵢ·2ⁱ`). Empty for 0. `w` is in 2..=7 so every digit fits an `i8`.
pub(super) fn wnaf(k: &[u8], w: u32) -> Vec<i8> {
    debug_assert!((2..=7).contains(&w));
    // Little-endian 64-bit limbs with one spare for the carry a negative digit adds.
    let mut limbs = vec![0u64; k.len().div_ceil(8) + 1];
    for (i, byte) in k.iter().rev().enumerate() {
        if let Some(limb) = limbs.get_mut(i / 8) {
            *limb |= u64::from(*byte) << (8 * (i % 8));
        }
    }
    let window = 1i64 << w;
    let mask = (1u64 << w) - 1;
    let mut digits = Vec::with_capacity(limbs.len() * 64 + 1);
    let mut top = limbs.len();
    loop {
        while top > 0 && limbs.get(top - 1) == Some(&0) {
            top -= 1;
        }
        let Some(&low) = limbs.first().filter(|_| top > 0) else { break };
        let mut digit = 0i64;
        if low & 1 == 1 {
            #[allow(clippy::cast_possible_wrap)] // below 2^7
            let m = (low & mask) as i64;
            digit = if m >= window / 2 { m - window } else { m };
            // k −= digit: clears the low w bits (or carries into them), so the next
            // w − 1 digits are 0.
            if digit > 0 {
                sub_small(&mut limbs, digit.unsigned_abs());
            } else {
                add_small(&mut limbs, digit.unsigned_abs());
                top = limbs.len();
            }
        }
        #[allow(clippy::cast_possible_truncation)] // |digit| < 2^6
        digits.push(digit as i8);
        shift_right_one(limbs.get_mut(..top).unwrap_or_default());
    }
    digits
}

fn sub_small(limbs: &mut [u64], v: u64) {
    let mut borrow = v;
    for limb in limbs {
        let (d, b) = limb.overflowing_sub(borrow);
        *limb = d;
        borrow = u64::from(b);
        if borrow == 0 {
            break;
        }
    }
}

fn add_small(limbs: &mut [u64], v: u64) {
    let mut carry = v;
    for limb in limbs {
        let (s, c) = limb.overflowing_add(carry);
        *limb = s;
        carry = u64::from(c);
        if carry == 0 {
            break;
        }
    }
}

fn shift_right_one(limbs: &mut [u64]) {
    let mut carry = 0u64;
    for limb in limbs.iter_mut().rev() {
        let next = *limb & 1;
        *limb = (*limb >> 1) | (carry << 63);
        carry = next;
    }
}

#[cfg(test)]
mod tests {
    use super::wnaf;
    use crate::crypto::be::from_hex;
    use crypto_bigint::{BoxedUint, Limb};

    /// Σ dᵢ·2ⁱ, as a signed 640-bit integer split into (positive part, negative part).
    fn recompose(digits: &[i8]) -> (BoxedUint, BoxedUint) {
        let mut pos = BoxedUint::zero_with_precision(640);
        let mut neg = BoxedUint::zero_with_precision(640);
        for (i, d) in digits.iter().enumerate() {
            let term = BoxedUint::from_words_with_precision([Limb::from(u64::from(d.unsigned_abs())).0], 640)
                .shl(u32::try_from(i).unwrap());
            if *d > 0 {
                pos = pos.wrapping_add(&term);
            } else if *d < 0 {
                neg = neg.wrapping_add(&term);
            }
        }
        (pos, neg)
    }

    #[test]
    fn digits_recompose_to_the_scalar_and_respect_the_window() {
        let mut samples: Vec<Vec<u8>> = vec![
            vec![],
            vec![0; 48],
            vec![1],
            vec![0xff; 48],
            vec![0xff; 66],
            [vec![0x80], vec![0; 47]].concat(),
            from_hex(
                "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52972",
            ),
        ];
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for len in [1, 7, 8, 9, 32, 48, 66] {
            for _ in 0..20 {
                samples.push(
                    (0..len)
                        .map(|_| {
                            x ^= x << 13;
                            x ^= x >> 7;
                            x ^= x << 17;
                            x.to_le_bytes()[0]
                        })
                        .collect(),
                );
            }
        }
        for w in 2..=7u32 {
            for k in &samples {
                let digits = wnaf(k, w);
                let (pos, neg) = recompose(&digits);
                let mut expected = vec![0u8; 80 - k.len()];
                expected.extend_from_slice(k);
                let expected = BoxedUint::from_be_slice(&expected, 640).unwrap();
                assert_eq!(pos.wrapping_sub(&neg), expected, "w = {w}, k = {k:02x?}");
                let bound = 1i16 << (w - 1);
                for (i, d) in digits.iter().enumerate() {
                    if *d != 0 {
                        assert!(d % 2 != 0 && i16::from(*d).abs() < bound, "digit {d} at {i}, w = {w}");
                        let next = digits.iter().skip(i + 1).take(w as usize - 1);
                        assert!(next.clone().all(|d| *d == 0), "non-zero digits closer than {w}");
                    }
                }
                assert!(digits.last().is_none_or(|d| *d != 0), "a leading zero digit");
            }
        }
    }
}
