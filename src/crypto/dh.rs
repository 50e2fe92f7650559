//! Diffie–Hellman in a prime-order subgroup of Z*_p, for PACE-DH (ICAO 9303-11 §4.4,
//! §9.5.1) with groups given at run time.
//!
//! Exponentiation with secret exponents uses crypto-bigint's `pow`, which runs in time
//! that depends only on the modulus and exponent precision, never on the values. Every
//! value received from the other party is checked: `1 < y < p − 1` and, because each
//! group here knows its subgroup order q, `y^q = 1` (a small-subgroup confinement
//! attack would otherwise leak bits of our secret).

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, NonZero, Odd};
use zeroize::Zeroizing;

use super::{RandomSource, RngError};

/// Why a DH group or value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DhError {
    /// Group parameters that are not usable (even modulus, q not dividing p − 1, …).
    #[error("unusable DH group parameters: {0}")]
    BadGroup(&'static str),
    /// A public value outside (1, p − 1) or outside the subgroup of order q.
    #[error("invalid DH public value: {0}")]
    BadValue(&'static str),
}

/// A group element of Z*_p in Montgomery form (public or derived values only).
#[derive(Clone, PartialEq, Eq)]
pub struct DhValue(BoxedMontyForm);

impl Drop for DhValue {
    /// DH results derived from secrets (shared secrets, the mapped generator) are wiped.
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl core::fmt::Debug for DhValue {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("DhValue(..)")
    }
}

/// A DH group: prime p, generator g of the subgroup of prime order q.
#[derive(Clone)]
pub struct DhGroup {
    params: BoxedMontyParams,
    p: BoxedUint,
    q: NonZero<BoxedUint>,
    g: DhValue,
    p_bytes: usize,
    q_bytes: usize,
    /// False for a PKCS #3 group (Chip Authentication keys in old DG14s): `q` is then only
    /// the bound 2^l of secret exponents, and received values are range-checked only.
    order_known: bool,
}

impl core::fmt::Debug for DhGroup {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "DhGroup({}-bit p, {}-bit q)", self.p.bits(), self.q.as_ref().bits())
    }
}

/// The smallest modulus accepted for a custom group (bits).
pub const MIN_CUSTOM_P_BITS: u32 = 2048;
/// The smallest subgroup order accepted for a custom group (bits).
pub const MIN_CUSTOM_Q_BITS: u32 = 224;

/// RFC 5114 §2.1–2.3 (ICAO 9303-11 table 4, standardized domain parameters 0, 1 and 2).
const RFC5114: [(&str, &str, &str); 3] = [
    (
        "B10B8F96A080E01DDE92DE5EAE5D54EC52C99FBCFB06A3C69A6A9DCA52D23B616073E28675A23D189838EF1E2EE652C0\
         13ECB4AEA906112324975C3CD49B83BFACCBDD7D90C4BD7098488E9C219A73724EFFD6FAE5644738FAA31A4FF55BCCC0\
         A151AF5F0DC8B4BD45BF37DF365C1A65E68CFDA76D4DA708DF1FB2BC2E4A4371",
        "A4D1CBD5C3FD34126765A442EFB99905F8104DD258AC507FD6406CFF14266D31266FEA1E5C41564B777E690F5504F213\
         160217B4B01B886A5E91547F9E2749F4D7FBD7D3B9A92EE1909D0D2263F80A76A6A24C087A091F531DBF0A0169B6A28A\
         D662A4D18E73AFA32D779D5918D08BC8858F4DCEF97C2A24855E6EEB22B3B2E5",
        "F518AA8781A8DF278ABA4E7D64B7CB9D49462353",
    ),
    (
        "AD107E1E9123A9D0D660FAA79559C51FA20D64E5683B9FD1B54B1597B61D0A75E6FA141DF95A56DBAF9A3C407BA1DF15\
         EB3D688A309C180E1DE6B85A1274A0A66D3F8152AD6AC2129037C9EDEFDA4DF8D91E8FEF55B7394B7AD5B7D0B6C12207\
         C9F98D11ED34DBF6C6BA0B2C8BBC27BE6A00E0A0B9C49708B3BF8A317091883681286130BC8985DB1602E714415D9330\
         278273C7DE31EFDC7310F7121FD5A07415987D9ADC0A486DCDF93ACC44328387315D75E198C641A480CD86A1B9E587E8\
         BE60E69CC928B2B9C52172E413042E9B23F10B0E16E79763C9B53DCF4BA80A29E3FB73C16B8E75B97EF363E2FFA31F71\
         CF9DE5384E71B81C0AC4DFFE0C10E64F",
        "AC4032EF4F2D9AE39DF30B5C8FFDAC506CDEBE7B89998CAF74866A08CFE4FFE3A6824A4E10B9A6F0DD921F01A70C4AFA\
         AB739D7700C29F52C57DB17C620A8652BE5E9001A8D66AD7C17669101999024AF4D027275AC1348BB8A762D0521BC98A\
         E247150422EA1ED409939D54DA7460CDB5F6C6B250717CBEF180EB34118E98D119529A45D6F834566E3025E316A330EF\
         BB77A86F0C1AB15B051AE3D428C8F8ACB70A8137150B8EEB10E183EDD19963DDD9E263E4770589EF6AA21E7F5F2FF381\
         B539CCE3409D13CD566AFBB48D6C019181E1BCFE94B30269EDFE72FE9B6AA4BD7B5A0F1C71CFFF4C19C418E1F6EC0179\
         81BC087F2A7065B384B890D3191F2BFA",
        "801C0D34C58D93FE997177101F80535A4738CEBCBF389A99B36371EB",
    ),
    (
        "87A8E61DB4B6663CFFBBD19C651959998CEEF608660DD0F25D2CEED4435E3B00E00DF8F1D61957D4FAF7DF4561B2AA30\
         16C3D91134096FAA3BF4296D830E9A7C209E0C6497517ABD5A8A9D306BCF67ED91F9E6725B4758C022E0B1EF4275BF7B\
         6C5BFC11D45F9088B941F54EB1E59BB8BC39A0BF12307F5C4FDB70C581B23F76B63ACAE1CAA6B7902D52526735488A0E\
         F13C6D9A51BFA4AB3AD8347796524D8EF6A167B5A41825D967E144E5140564251CCACB83E6B486F6B3CA3F7971506026\
         C0B857F689962856DED4010ABD0BE621C3A3960A54E710C375F26375D7014103A4B54330C198AF126116D2276E11715F\
         693877FAD7EF09CADB094AE91E1A1597",
        "3FB32C9B73134D0B2E77506660EDBD484CA7B18F21EF205407F4793A1A0BA12510DBC15077BE463FFF4FED4AAC0BB555\
         BE3A6C1B0C6B47B1BC3773BF7E8C6F62901228F8C28CBB18A55AE31341000A650196F931C77A57F2DDF463E5E9EC144B\
         777DE62AAAB8A8628AC376D282D6ED3864E67982428EBC831D14348F6F2F9193B5045AF2767164E1DFC967C1FB3F2E55\
         A4BD1BFFE83B9C80D052B985D182EA0ADB2A3B7313D3FE14C8484B1E052588B9B7D2BBD2DF016199ECD06E1557CD0915\
         B3353BBB64E0EC377FD028370DF92B52C7891428CDC67EB6184B523D1DB246C32F63078490F00EF8D647D148D4795451\
         5E2327CFEF98C582664B4C0F6CC41659",
        "8CF83642A709A097B447997640129DA299B1A47D1EB3750BA308B0FE64F5FBD3",
    ),
];

use super::be::{from_hex as hex, trim};

/// Big-endian bytes left-padded to `len`.
fn fixed(v: &BoxedUint, len: usize) -> Vec<u8> {
    super::be::fixed(v, len).to_vec()
}

impl DhGroup {
    /// One of the RFC 5114 groups by its ICAO standardized domain parameter ID (0, 1, 2).
    #[must_use]
    pub fn standard(id: u32) -> Option<Self> {
        let (p, g, q) = RFC5114.get(usize::try_from(id).ok()?)?;
        Self::from_params(&hex(p), &hex(g), &hex(q)).ok()
    }

    /// A group from explicit parameters (big-endian). Checks what is cheap to check:
    /// p odd and larger than g and q, `q | p − 1`, `g ∉ {0, 1}` and `g^q = 1`.
    ///
    /// # Errors
    /// [`DhError::BadGroup`] when a check fails.
    pub fn from_params(p: &[u8], g: &[u8], q: &[u8]) -> Result<Self, DhError> {
        let (p_t, q_t) = (trim(p), trim(q));
        // Bounds keep the checks below cheap on hostile input (EF.CardAccess comes from the
        // chip): a modulus of 512–4096 bits and a subgroup order of at most 512 bits.
        if p_t.len() < 64 || p_t.len() > 512 {
            return Err(DhError::BadGroup("the modulus must be 512 to 4096 bits"));
        }
        if q_t.len() > 64 {
            return Err(DhError::BadGroup("the subgroup order must be at most 512 bits"));
        }
        let bits = u32::try_from(p_t.len() * 8).map_err(|_| DhError::BadGroup("size"))?;
        let p_u = BoxedUint::from_be_slice(p_t, bits).map_err(|_| DhError::BadGroup("p"))?;
        let p_odd = Option::<Odd<BoxedUint>>::from(Odd::new(p_u.clone())).ok_or(DhError::BadGroup("p is even"))?;
        let q_u = BoxedUint::from_be_slice(q_t, bits).map_err(|_| DhError::BadGroup("q is larger than p"))?;
        let q_nz = Option::<NonZero<BoxedUint>>::from(NonZero::new(q_u)).ok_or(DhError::BadGroup("q is zero"))?;
        let p1 = p_u.wrapping_sub(BoxedUint::one());
        if !bool::from(p1.rem_vartime(&q_nz).is_zero()) || q_nz.as_ref() >= &p1 {
            return Err(DhError::BadGroup("q does not divide p − 1"));
        }
        let g_u = BoxedUint::from_be_slice(trim(g), bits).map_err(|_| DhError::BadGroup("g is larger than p"))?;
        if g_u >= p_u {
            return Err(DhError::BadGroup("g is not reduced modulo p"));
        }
        let params = BoxedMontyParams::new_vartime(p_odd);
        let g_m = BoxedMontyForm::new(g_u, &params);
        let one = BoxedMontyForm::one(&params);
        if g_m == one || bool::from(g_m.is_zero()) || g_m.pow(q_nz.as_ref()) != one {
            return Err(DhError::BadGroup("g does not generate the subgroup of order q"));
        }
        Ok(Self { params, p_bytes: p_t.len(), q_bytes: q_t.len(), p: p_u, q: q_nz, g: DhValue(g_m), order_known: true })
    }

    /// A PKCS #3 group `{ p, g, privateValueLength }` without a subgroup order, as in
    /// the dhKeyAgreement keys of early DG14s (Chip Authentication). Secret exponents have
    /// `exponent_bits` bits (at least 256, at most |p| − 1); received values can only be
    /// checked to lie in (1, p − 1). PACE never uses such a group.
    ///
    /// # Errors
    /// [`DhError::BadGroup`].
    pub fn without_order(p: &[u8], g: &[u8], exponent_bits: u32) -> Result<Self, DhError> {
        let p_t = trim(p);
        if p_t.len() < 64 || p_t.len() > 512 {
            return Err(DhError::BadGroup("the modulus must be 512 to 4096 bits"));
        }
        let bits = u32::try_from(p_t.len() * 8).map_err(|_| DhError::BadGroup("size"))?;
        let p_u = BoxedUint::from_be_slice(p_t, bits).map_err(|_| DhError::BadGroup("p"))?;
        let p_odd = Option::<Odd<BoxedUint>>::from(Odd::new(p_u.clone())).ok_or(DhError::BadGroup("p is even"))?;
        let g_u = BoxedUint::from_be_slice(trim(g), bits).map_err(|_| DhError::BadGroup("g is larger than p"))?;
        if g_u >= p_u || g_u <= BoxedUint::one() {
            return Err(DhError::BadGroup("g is not in (1, p)"));
        }
        // p has at least 512 bits, so the upper bound stays above 256.
        let e_bits = exponent_bits.clamp(256, 512).min(bits - 8);
        let e_bytes = e_bits.div_ceil(8) as usize;
        // 2^(8·e_bytes): exponents are drawn from [1, bound − 1].
        let mut one_then_zeros = vec![1u8];
        one_then_zeros.resize(e_bytes + 1, 0);
        let bound = BoxedUint::from_be_slice(&one_then_zeros, bits).map_err(|_| DhError::BadGroup("bound"))?;
        let bound = Option::<NonZero<BoxedUint>>::from(NonZero::new(bound)).ok_or(DhError::BadGroup("bound"))?;
        let params = BoxedMontyParams::new_vartime(p_odd);
        let g_m = BoxedMontyForm::new(g_u, &params);
        Ok(Self { params, p_bytes: p_t.len(), q_bytes: e_bytes, p: p_u, q: bound, g: DhValue(g_m), order_known: false })
    }

    /// The ICAO standardized domain parameter ID (0, 1 or 2: RFC 5114) of the group these
    /// parameters are, whatever ID they were given under: p, g and q all equal.
    #[must_use]
    pub fn standard_id(&self) -> Option<u32> {
        (0u32..3).find(|&id| {
            Self::standard(id).is_some_and(|s| {
                self.order_known && s.p == self.p && s.q == self.q && s.g.0.retrieve() == self.g.0.retrieve()
            })
        })
    }

    /// Checks that a group given as explicit parameters is safe to compute in with a
    /// secret: p prime of at least [`MIN_CUSTOM_P_BITS`] bits, q prime of at least
    /// [`MIN_CUSTOM_Q_BITS`] bits (Baillie–PSW), besides what [`DhGroup::from_params`]
    /// checked (q | p − 1, g of order q).
    ///
    /// # Errors
    /// [`DhError::BadGroup`] naming the first property that does not hold.
    pub fn validate_custom(&self) -> Result<(), DhError> {
        if !self.order_known {
            return Err(DhError::BadGroup("the subgroup order q is unknown"));
        }
        if self.p.bits() < MIN_CUSTOM_P_BITS {
            return Err(DhError::BadGroup("the modulus p has fewer than 2048 bits"));
        }
        if self.q.as_ref().bits() < MIN_CUSTOM_Q_BITS {
            return Err(DhError::BadGroup("the subgroup order q has fewer than 224 bits"));
        }
        if !crypto_primes::is_prime(crypto_primes::Flavor::Any, self.q.as_ref()) {
            return Err(DhError::BadGroup("the subgroup order q is not prime"));
        }
        if !crypto_primes::is_prime(crypto_primes::Flavor::Any, &self.p) {
            return Err(DhError::BadGroup("the modulus p is not prime"));
        }
        Ok(())
    }

    /// Whether the subgroup order q is known (always, except for [`DhGroup::without_order`]).
    #[must_use]
    pub fn order_known(&self) -> bool {
        self.order_known
    }

    /// The generator g.
    #[must_use]
    pub fn generator(&self) -> &DhValue {
        &self.g
    }

    /// Length of p in bytes (the length of every encoded value).
    #[must_use]
    pub fn modulus_bytes(&self) -> usize {
        self.p_bytes
    }

    /// The prime p, big-endian.
    #[must_use]
    pub fn modulus(&self) -> Vec<u8> {
        fixed(&self.p, self.p_bytes)
    }

    /// The subgroup order q, big-endian.
    #[must_use]
    pub fn order(&self) -> Vec<u8> {
        if !self.order_known {
            return Vec::new();
        }
        fixed(self.q.as_ref(), self.q_bytes)
    }

    /// A uniformly distributed secret exponent in [1, q − 1] (8 extra random bytes make
    /// the reduction bias negligible).
    ///
    /// # Errors
    /// The generator's error.
    pub fn random_exponent(&self, rng: &mut dyn RandomSource) -> Result<Zeroizing<Vec<u8>>, RngError> {
        let mut raw = Zeroizing::new(vec![0u8; self.q_bytes + 8]);
        rng.fill(&mut raw)?;
        let q1 = self.q.as_ref().wrapping_sub(BoxedUint::one());
        let Some(q1) = Option::<NonZero<BoxedUint>>::from(NonZero::new(q1)) else {
            return Ok(Zeroizing::new(vec![1]));
        };
        let v = BoxedUint::from_be_slice_vartime(&raw).rem_vartime(&q1).wrapping_add(BoxedUint::one());
        Ok(super::be::fixed(&v, self.q_bytes))
    }

    /// `base^exponent` in constant time for a secret exponent (its precision is fixed by
    /// q, not by its value). `None` for an exponent longer than q.
    #[must_use]
    pub fn pow_ct(&self, base: &DhValue, exponent: &[u8]) -> Option<DhValue> {
        let bits = u32::try_from(self.q_bytes * 8).ok()?;
        let t = trim(exponent);
        if t.len() > self.q_bytes {
            return None;
        }
        let e = Zeroizing::new(BoxedUint::from_be_slice(t, bits).ok()?);
        Some(DhValue(base.0.pow_bounded_exp(&e, bits)))
    }

    /// The bit length of p.
    #[must_use]
    pub fn modulus_bits(&self) -> u32 {
        self.p.bits()
    }

    /// Integrated Mapping's generator (ICAO 9303-11 §4.4.3.3.2): `(r mod p)^((p − 1)/q)`,
    /// an element of the order-q subgroup. `r` is secret-derived: the reduction and the
    /// exponentiation are constant time. `None` for a degenerate result (1).
    #[must_use]
    pub fn map_to_subgroup(&self, r: &[u8]) -> Option<DhValue> {
        use crypto_bigint::Resize;
        if !self.order_known {
            return None;
        }
        let precision = self.p.bits_precision();
        let wide = Zeroizing::new(BoxedUint::from_be_slice_vartime(r));
        let bits = wide.bits_precision().max(precision);
        let p_wide = Option::<NonZero<BoxedUint>>::from(NonZero::new((&self.p).resize_unchecked(bits)))?;
        let reduced = Zeroizing::new((&*wide).resize_unchecked(bits).rem(&p_wide).resize_unchecked(precision));
        let cofactor = self.p.wrapping_sub(BoxedUint::one()).wrapping_div_vartime(&self.q);
        let v = BoxedMontyForm::new((*reduced).clone(), &self.params).pow(&cofactor);
        (v != BoxedMontyForm::one(&self.params) && !bool::from(v.is_zero())).then_some(DhValue(v))
    }

    /// `a · b mod p`.
    #[must_use]
    pub fn mul(&self, a: &DhValue, b: &DhValue) -> DhValue {
        DhValue(&a.0 * &b.0)
    }

    /// Whether `v` is 1 (the identity: a degenerate mapping or secret).
    #[must_use]
    pub fn is_one(&self, v: &DhValue) -> bool {
        v.0 == BoxedMontyForm::one(&self.params)
    }

    /// Decodes and validates a received public value: `1 < y < p − 1` and `y^q = 1`.
    ///
    /// # Errors
    /// [`DhError::BadValue`] naming the failed check.
    pub fn decode(&self, bytes: &[u8]) -> Result<DhValue, DhError> {
        let t = trim(bytes);
        if t.len() > self.p_bytes {
            return Err(DhError::BadValue("longer than p"));
        }
        let bits = self.p.bits_precision();
        let y = BoxedUint::from_be_slice(t, bits).map_err(|_| DhError::BadValue("longer than p"))?;
        let p1 = self.p.wrapping_sub(BoxedUint::one());
        if y <= BoxedUint::one() || y >= p1 {
            return Err(DhError::BadValue("not in (1, p − 1)"));
        }
        let v = BoxedMontyForm::new(y, &self.params);
        if self.order_known && v.pow(self.q.as_ref()) != BoxedMontyForm::one(&self.params) {
            return Err(DhError::BadValue("not in the subgroup of order q"));
        }
        Ok(DhValue(v))
    }

    /// The value as an octet string of p's length.
    #[must_use]
    pub fn encode(&self, v: &DhValue) -> Vec<u8> {
        fixed(&v.0.retrieve(), self.p_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_groups_are_consistent() {
        for id in 0..3 {
            let g = DhGroup::standard(id).expect("group");
            assert!(g.decode(&g.encode(g.generator())).is_ok(), "group {id}");
        }
        assert_eq!(DhGroup::standard(0).unwrap().modulus_bytes(), 128);
        assert_eq!(DhGroup::standard(1).unwrap().order().len(), 28);
        assert_eq!(DhGroup::standard(2).unwrap().order().len(), 32);
        assert!(DhGroup::standard(3).is_none());
    }

    #[test]
    fn hostile_values_are_rejected() {
        let g = DhGroup::standard(0).unwrap();
        let p = hex(RFC5114[0].0);
        let mut p1 = p.clone();
        *p1.last_mut().unwrap() -= 1; // p − 1, the element of order 2
        for (bad, why) in [
            (vec![0u8], "not in (1, p − 1)"),
            (vec![1u8], "not in (1, p − 1)"),
            (p1, "not in (1, p − 1)"),
            (p.clone(), "not in (1, p − 1)"),
            (vec![0xFF; 129], "longer than p"),
            (vec![2u8], "not in the subgroup of order q"),
        ] {
            assert_eq!(g.decode(&bad), Err(DhError::BadValue(why)));
        }
    }

    #[test]
    fn exponent_laws_hold() {
        let g = DhGroup::standard(1).unwrap();
        let mut rng = crate::crypto::OsRandom;
        let a = g.random_exponent(&mut rng).unwrap();
        let b = g.random_exponent(&mut rng).unwrap();
        let ga = g.pow_ct(g.generator(), &a).unwrap();
        let gb = g.pow_ct(g.generator(), &b).unwrap();
        assert_eq!(g.pow_ct(&ga, &b), g.pow_ct(&gb, &a));
        assert!(g.decode(&g.encode(&ga)).is_ok());
        assert!(g.pow_ct(&ga, &[0xFF; 29]).is_none());
    }

    #[test]
    fn standard_groups_are_recognised_and_custom_ones_validated() {
        for id in 0..3 {
            let (p, g, q) = RFC5114[id as usize];
            let group = DhGroup::from_params(&hex(p), &hex(g), &hex(q)).unwrap();
            assert_eq!(group.standard_id(), Some(id));
        }
        // Group 2 with g² as generator: another group (not standardized), fully valid.
        let std2 = DhGroup::standard(2).unwrap();
        let g2 = std2.encode(&std2.mul(std2.generator(), std2.generator()));
        let custom = DhGroup::from_params(&std2.modulus(), &g2, &std2.order()).unwrap();
        assert_eq!(custom.standard_id(), None);
        assert_eq!(custom.validate_custom(), Ok(()));
        // −g has order 2q: a composite order that passes from_params.
        let mut minus_g = std2.modulus();
        let g = BoxedUint::from_be_slice_vartime(&std2.encode(std2.generator()));
        let p = BoxedUint::from_be_slice_vartime(&minus_g);
        minus_g = fixed(&p.wrapping_sub(&g), 256);
        let q = BoxedUint::from_be_slice_vartime(&std2.order());
        let q2 = crypto_bigint::Resize::resize_unchecked(q, 320).shl_vartime(1).unwrap().to_be_bytes().to_vec();
        let composite = DhGroup::from_params(&std2.modulus(), &minus_g, &q2).unwrap();
        assert_eq!(composite.validate_custom(), Err(DhError::BadGroup("the subgroup order q is not prime")));
        // Standardized group 0 is 1024 bits: fine under its ID, too small as a custom group.
        assert_eq!(
            DhGroup::standard(0).unwrap().validate_custom(),
            Err(DhError::BadGroup("the modulus p has fewer than 2048 bits"))
        );
        // Group 1 (2048-bit p, 224-bit q) passes; with q replaced by a 160-bit factor it
        // would not be of order q at all, so a short q is tested on its own.
        assert_eq!(DhGroup::standard(1).unwrap().validate_custom(), Ok(()));
        let short_q = DhGroup { q_bytes: 20, ..DhGroup::standard(0).unwrap() };
        let short_q = DhGroup { p: std2.p.clone(), ..short_q };
        assert_eq!(short_q.validate_custom(), Err(DhError::BadGroup("the subgroup order q has fewer than 224 bits")));
    }

    #[test]
    fn bad_groups_are_refused() {
        let (p, gg, q) = RFC5114[0];
        let (p, gg, q) = (hex(p), hex(gg), hex(q));
        assert!(DhGroup::from_params(&p, &gg, &q).is_ok());
        assert!(DhGroup::from_params(&p, &[2], &q).is_err(), "2 does not have order q");
        assert!(DhGroup::from_params(&p, &gg, &[7]).is_err(), "7 does not divide p − 1");
        let mut even = p.clone();
        *even.last_mut().unwrap() ^= 1;
        assert!(DhGroup::from_params(&even, &gg, &q).is_err());
        assert!(DhGroup::from_params(&[0xFB], &[2], &[5]).is_err(), "too small");
        assert_eq!(
            DhGroup::from_params(&[0xFF; 513], &gg, &q).unwrap_err(),
            DhError::BadGroup("the modulus must be 512 to 4096 bits")
        );
        assert_eq!(
            DhGroup::from_params(&p, &gg, &[0xFF; 65]).unwrap_err(),
            DhError::BadGroup("the subgroup order must be at most 512 bits")
        );
    }
}
