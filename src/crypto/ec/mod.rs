//! A short-Weierstrass elliptic-curve engine for curves given at run time
//! (`y² = x³ + ax + b` over a prime field), on crypto-bigint's `BoxedMontyForm`.
//!
//! RustCrypto has arithmetic for P-256/384/521 and brainpoolP256r1/P384r1 only; eMRTDs
//! also use brainpoolP224r1/P320r1/P512r1, P-192/P-224 and certificates with EXPLICIT
//! domain parameters. This engine covers all of them. Explicit parameters are matched to
//! a [`NamedCurve`] where they equal one, so reports can name the curve.
//!
//! Secret scalars (PACE, chip authentication) go through [`Curve::mul_ct`]: RustCrypto's
//! arithmetic where a crate covers the curve, else the engine's constant-time fixed window
//! on stack-allocated field elements (`fixed.rs`), else its boxed ladder (`ct.rs`).
//! [`Curve::mul_vartime`] (double-and-add, Jacobian) must never see a secret: it is the
//! independent oracle in tests and signs with the emulator's throwaway keys.
//!
//! ECDSA verification ([`Curve::verify_ecdsa`], public values) takes `vartime` on every
//! named curve: the crates' fields where a crate covers the curve, our own Montgomery
//! fields elsewhere; explicit parameters that name no curve take the engine
//! ([`Curve::verify_ecdsa_engine`]).

mod ct;
mod curves;
mod fast;
mod fixed;
mod validate;
mod vartime;

pub use validate::{MIN_ORDER_BITS, MOV_DEGREE};

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, NonZero, Odd};

/// Why a curve, point or signature input was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EcError {
    /// Domain parameters that do not define a usable curve (even modulus, base point
    /// off the curve, order not odd, sizes out of range).
    #[error("invalid elliptic-curve domain parameters: {0}")]
    BadParameters(&'static str),
    /// A point encoding that is malformed, off the curve or the point at infinity.
    #[error("invalid elliptic-curve point: {0}")]
    BadPoint(&'static str),
    /// A point encoding we do not support (compressed points).
    #[error("unsupported point encoding: {0}")]
    Unsupported(&'static str),
}

/// Curves with a standard name (SEC 2, FIPS 186-4, RFC 5639).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum NamedCurve {
    /// secp192r1 / P-192.
    P192,
    /// secp224r1 / P-224.
    P224,
    /// secp256r1 / P-256.
    P256,
    /// secp384r1 / P-384.
    P384,
    /// secp521r1 / P-521.
    P521,
    /// brainpoolP192r1.
    BrainpoolP192r1,
    /// brainpoolP224r1.
    BrainpoolP224r1,
    /// brainpoolP256r1.
    BrainpoolP256r1,
    /// brainpoolP320r1.
    BrainpoolP320r1,
    /// brainpoolP384r1.
    BrainpoolP384r1,
    /// brainpoolP512r1.
    BrainpoolP512r1,
}

impl NamedCurve {
    /// Every named curve.
    pub const ALL: [Self; 11] = [
        Self::P192,
        Self::P224,
        Self::P256,
        Self::P384,
        Self::P521,
        Self::BrainpoolP192r1,
        Self::BrainpoolP224r1,
        Self::BrainpoolP256r1,
        Self::BrainpoolP320r1,
        Self::BrainpoolP384r1,
        Self::BrainpoolP512r1,
    ];

    fn hex(self) -> &'static curves::Hex {
        match self {
            Self::P192 => &curves::P192,
            Self::P224 => &curves::P224,
            Self::P256 => &curves::P256,
            Self::P384 => &curves::P384,
            Self::P521 => &curves::P521,
            Self::BrainpoolP192r1 => &curves::BP192R1,
            Self::BrainpoolP224r1 => &curves::BP224R1,
            Self::BrainpoolP256r1 => &curves::BP256R1,
            Self::BrainpoolP320r1 => &curves::BP320R1,
            Self::BrainpoolP384r1 => &curves::BP384R1,
            Self::BrainpoolP512r1 => &curves::BP512R1,
        }
    }

    /// The curve's object identifier, dotted.
    #[must_use]
    pub fn oid(self) -> &'static str {
        match self {
            Self::P192 => "1.2.840.10045.3.1.1",
            Self::P224 => "1.3.132.0.33",
            Self::P256 => "1.2.840.10045.3.1.7",
            Self::P384 => "1.3.132.0.34",
            Self::P521 => "1.3.132.0.35",
            Self::BrainpoolP192r1 => "1.3.36.3.3.2.8.1.1.3",
            Self::BrainpoolP224r1 => "1.3.36.3.3.2.8.1.1.5",
            Self::BrainpoolP256r1 => "1.3.36.3.3.2.8.1.1.7",
            Self::BrainpoolP320r1 => "1.3.36.3.3.2.8.1.1.9",
            Self::BrainpoolP384r1 => "1.3.36.3.3.2.8.1.1.11",
            Self::BrainpoolP512r1 => "1.3.36.3.3.2.8.1.1.13",
        }
    }

    /// The curve named by `oid` (dotted form).
    #[must_use]
    pub fn from_oid(oid: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.oid() == oid)
    }

    /// The common name, e.g. `"brainpoolP256r1"`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::P192 => "P-192",
            Self::P224 => "P-224",
            Self::P256 => "P-256",
            Self::P384 => "P-384",
            Self::P521 => "P-521",
            Self::BrainpoolP192r1 => "brainpoolP192r1",
            Self::BrainpoolP224r1 => "brainpoolP224r1",
            Self::BrainpoolP256r1 => "brainpoolP256r1",
            Self::BrainpoolP320r1 => "brainpoolP320r1",
            Self::BrainpoolP384r1 => "brainpoolP384r1",
            Self::BrainpoolP512r1 => "brainpoolP512r1",
        }
    }
}

impl core::fmt::Display for NamedCurve {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

use super::be::{from_hex as hex_bytes, trim};

/// An integer from big-endian bytes with the given precision, if it fits.
fn uint(bytes: &[u8], precision: u32) -> Option<BoxedUint> {
    let t = trim(bytes);
    if t.len() * 8 > precision as usize + 7 {
        return None;
    }
    BoxedUint::from_be_slice(t, precision).ok()
}

/// Explicit domain parameters, as big-endian byte strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainParams {
    /// Field prime p.
    pub p: Vec<u8>,
    /// Coefficient a.
    pub a: Vec<u8>,
    /// Coefficient b.
    pub b: Vec<u8>,
    /// Base point x.
    pub gx: Vec<u8>,
    /// Base point y.
    pub gy: Vec<u8>,
    /// Order n of the base point.
    pub n: Vec<u8>,
    /// Cofactor (1 for every curve eMRTDs use).
    pub cofactor: u32,
}

impl DomainParams {
    /// The parameters of a named curve.
    #[must_use]
    pub fn named(c: NamedCurve) -> Self {
        let h = c.hex();
        Self {
            p: hex_bytes(h.p),
            a: hex_bytes(h.a),
            b: hex_bytes(h.b),
            gx: hex_bytes(h.gx),
            gy: hex_bytes(h.gy),
            n: hex_bytes(h.n),
            cofactor: 1,
        }
    }

    /// secp256k1 (SEC 2 §2.4.1): prime order, cofactor 1, and not one of ICAO's curves:
    /// a valid custom group for tests of explicit domain parameters.
    #[cfg(any(test, feature = "emulator"))]
    #[must_use]
    pub fn secp256k1() -> Self {
        Self {
            p: hex_bytes("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F"),
            a: vec![0],
            b: vec![7],
            gx: hex_bytes("79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798"),
            gy: hex_bytes("483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8"),
            n: hex_bytes("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141"),
            cofactor: 1,
        }
    }

    /// The named curve these parameters equal, if any (compared numerically).
    #[must_use]
    pub fn identify(&self) -> Option<NamedCurve> {
        NamedCurve::ALL.into_iter().find(|&c| {
            let k = Self::named(c);
            trim(&k.p) == trim(&self.p)
                && trim(&k.a) == trim(&self.a)
                && trim(&k.b) == trim(&self.b)
                && trim(&k.gx) == trim(&self.gx)
                && trim(&k.gy) == trim(&self.gy)
                && trim(&k.n) == trim(&self.n)
        })
    }
}

/// A point in Jacobian coordinates (X/Z², Y/Z³); Z = 0 is the point at infinity.
#[derive(Clone)]
struct Jacobian {
    x: BoxedMontyForm,
    y: BoxedMontyForm,
    z: BoxedMontyForm,
}

/// An affine point on a [`Curve`], validated on construction.
#[derive(Clone)]
pub struct AffinePoint {
    x: BoxedMontyForm,
    y: BoxedMontyForm,
}

impl Drop for AffinePoint {
    /// Points derived from secrets (a PACE or Chip Authentication shared secret, the mapped
    /// generator, s·G) are wiped; public ones cost two field elements of zeroing.
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.x);
        zeroize::Zeroize::zeroize(&mut self.y);
    }
}

impl core::fmt::Debug for AffinePoint {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("AffinePoint(..)")
    }
}

/// A curve ready for arithmetic.
#[derive(Clone)]
pub struct Curve {
    named: Option<NamedCurve>,
    fp: BoxedMontyParams,
    fn_: BoxedMontyParams,
    a: BoxedMontyForm,
    b: BoxedMontyForm,
    /// 3·b, used by the complete formulas.
    b3: BoxedMontyForm,
    g: AffinePoint,
    n: NonZero<BoxedUint>,
    field_bytes: usize,
    order_bits: u32,
    /// Stack-allocated arithmetic for secret scalars, where the field size has a variant.
    fixed: Option<Box<fixed::FixedField>>,
}

impl core::fmt::Debug for Curve {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.named {
            Some(c) => write!(f, "Curve({c})"),
            None => write!(f, "Curve(explicit, {} bits)", self.order_bits),
        }
    }
}

/// The largest field we accept (bits): P-521 rounded up; anything bigger is refused.
const MAX_FIELD_BITS: u32 = 576;

impl Curve {
    /// A named curve.
    ///
    /// # Errors
    /// Never for the built-in constants (tests check them); kept fallible to stay total.
    pub fn named(c: NamedCurve) -> Result<Self, EcError> {
        let mut curve = Self::from_params(&DomainParams::named(c))?;
        curve.named = Some(c);
        Ok(curve)
    }

    /// A curve from explicit parameters, validated: odd modulus between 160 and 576 bits,
    /// a and b reduced, odd order, base point on the curve. Matched to a named curve
    /// where the parameters equal one.
    ///
    /// # Errors
    /// [`EcError::BadParameters`].
    pub fn from_params(d: &DomainParams) -> Result<Self, EcError> {
        let bad = EcError::BadParameters;
        let p_raw = BoxedUint::from_be_slice_vartime(trim(&d.p));
        let bits = p_raw.bits_vartime();
        if !(160..=MAX_FIELD_BITS).contains(&bits) {
            return Err(bad("field size out of range"));
        }
        let precision = bits.div_ceil(64) * 64;
        let p = uint(&d.p, precision).ok_or(bad("p"))?;
        let p_odd = Option::<Odd<BoxedUint>>::from(Odd::new(p.clone())).ok_or(bad("p is even"))?;
        let fp = BoxedMontyParams::new_vartime(p_odd);
        let elem = |v: &[u8], what: &'static str| -> Result<BoxedMontyForm, EcError> {
            let x = uint(v, precision).ok_or(bad(what))?;
            if x >= p {
                return Err(bad(what));
            }
            Ok(BoxedMontyForm::new(x, &fp))
        };
        let a = elem(&d.a, "a not reduced")?;
        let b = elem(&d.b, "b not reduced")?;
        let gx = elem(&d.gx, "G.x not reduced")?;
        let gy = elem(&d.gy, "G.y not reduced")?;
        let n_raw = BoxedUint::from_be_slice_vartime(trim(&d.n));
        let order_bits = n_raw.bits_vartime();
        if order_bits < 160 || order_bits > bits + 1 {
            return Err(bad("order size out of range"));
        }
        let n_prec = order_bits.div_ceil(64) * 64;
        let n = uint(&d.n, n_prec).ok_or(bad("n"))?;
        let n_odd = Option::<Odd<BoxedUint>>::from(Odd::new(n.clone())).ok_or(bad("order is even"))?;
        let fn_ = BoxedMontyParams::new_vartime(n_odd);
        let n = Option::<NonZero<BoxedUint>>::from(NonZero::new(n)).ok_or(bad("order is zero"))?;
        let mut curve = Self {
            named: None,
            fp,
            fn_,
            b3: b.double().add(&b),
            a,
            b,
            g: AffinePoint { x: gx.clone(), y: gy.clone() },
            n,
            field_bytes: bits.div_ceil(8) as usize,
            order_bits,
            fixed: None,
        };
        curve.fixed = fixed::FixedField::new(&curve.fp, &curve.a, &curve.b3).map(Box::new);
        if !curve.on_curve(&gx, &gy) {
            return Err(bad("base point not on the curve"));
        }
        curve.named = d.identify();
        Ok(curve)
    }

    /// Whether `other` has the same domain parameters: p, a, b, G and n (the cofactor is
    /// always 1 here).
    #[must_use]
    pub fn same_parameters(&self, other: &Curve) -> bool {
        let v = |x: &BoxedMontyForm| x.retrieve();
        self.fp.modulus().as_ref() == other.fp.modulus().as_ref()
            && v(&self.a) == v(&other.a)
            && v(&self.b) == v(&other.b)
            && v(&self.g.x) == v(&other.g.x)
            && v(&self.g.y) == v(&other.g.y)
            && self.n.as_ref() == other.n.as_ref()
    }

    /// The standard name, if the parameters are a named curve.
    #[must_use]
    pub fn named_curve(&self) -> Option<NamedCurve> {
        self.named
    }

    /// Bytes of one field element.
    #[must_use]
    pub fn field_bytes(&self) -> usize {
        self.field_bytes
    }

    /// Bit length of the group order.
    #[must_use]
    pub fn order_bits(&self) -> u32 {
        self.order_bits
    }

    /// The base point.
    #[must_use]
    pub fn generator(&self) -> &AffinePoint {
        &self.g
    }

    fn on_curve(&self, x: &BoxedMontyForm, y: &BoxedMontyForm) -> bool {
        let rhs = x.square().mul(x).add(&self.a.mul(x)).add(&self.b);
        y.square() == rhs
    }

    /// Decodes an uncompressed SEC 1 point (`04 ‖ x ‖ y`) and checks it lies on the curve.
    ///
    /// # Errors
    /// [`EcError::BadPoint`] for a malformed, unreduced or off-curve point or infinity;
    /// [`EcError::Unsupported`] for compressed encodings.
    pub fn decode_point(&self, sec1: &[u8]) -> Result<AffinePoint, EcError> {
        let (tag, rest) = sec1.split_first().ok_or(EcError::BadPoint("empty"))?;
        match tag {
            0x04 => {}
            0x02 | 0x03 => return Err(EcError::Unsupported("compressed point")),
            0x00 => return Err(EcError::BadPoint("the point at infinity")),
            _ => return Err(EcError::BadPoint("unknown encoding")),
        }
        if rest.len() != 2 * self.field_bytes {
            return Err(EcError::BadPoint("wrong length"));
        }
        let (xb, yb) = rest.split_at(self.field_bytes);
        let precision = self.fp.bits_precision();
        let p = self.fp.modulus().as_ref();
        let coord = |b: &[u8]| -> Result<BoxedMontyForm, EcError> {
            let v = uint(b, precision).ok_or(EcError::BadPoint("coordinate too large"))?;
            if v >= *p {
                return Err(EcError::BadPoint("coordinate not reduced"));
            }
            Ok(BoxedMontyForm::new(v, &self.fp))
        };
        let (x, y) = (coord(xb)?, coord(yb)?);
        if !self.on_curve(&x, &y) {
            return Err(EcError::BadPoint("not on the curve"));
        }
        Ok(AffinePoint { x, y })
    }

    /// Encodes a point uncompressed (`04 ‖ x ‖ y`).
    #[must_use]
    pub fn encode_point(&self, pt: &AffinePoint) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 + 2 * self.field_bytes);
        out.push(0x04);
        for c in [&pt.x, &pt.y] {
            let bytes = c.retrieve().to_be_bytes();
            let skip = bytes.len().saturating_sub(self.field_bytes);
            let body = bytes.get(skip..).unwrap_or_default();
            out.resize(out.len() + self.field_bytes - body.len(), 0);
            out.extend_from_slice(body);
        }
        out
    }

    fn zero(&self) -> BoxedMontyForm {
        BoxedMontyForm::zero(&self.fp)
    }

    fn one(&self) -> BoxedMontyForm {
        BoxedMontyForm::one(&self.fp)
    }

    fn jacobian(&self, p: &AffinePoint) -> Jacobian {
        Jacobian { x: p.x.clone(), y: p.y.clone(), z: self.one() }
    }

    fn infinity(&self) -> Jacobian {
        Jacobian { x: self.one(), y: self.one(), z: self.zero() }
    }

    /// Point doubling, dbl-2007-bl (any a).
    fn double(&self, p: &Jacobian) -> Jacobian {
        if bool::from(p.z.is_zero()) || bool::from(p.y.is_zero()) {
            return self.infinity();
        }
        let xx = p.x.square();
        let yy = p.y.square();
        let yyyy = yy.square();
        let zz = p.z.square();
        let s = p.x.add(&yy).square().sub(&xx).sub(&yyyy).double();
        let m = xx.double().add(&xx).add(&self.a.mul(&zz.square()));
        let t = m.square().sub(&s.double());
        let y3 = m.mul(&s.sub(&t)).sub(&yyyy.double().double().double());
        let z3 = p.y.add(&p.z).square().sub(&yy).sub(&zz);
        Jacobian { x: t, y: y3, z: z3 }
    }

    /// Point addition, add-2007-bl, with the special cases handled.
    fn add(&self, p: &Jacobian, q: &Jacobian) -> Jacobian {
        if bool::from(p.z.is_zero()) {
            return q.clone();
        }
        if bool::from(q.z.is_zero()) {
            return p.clone();
        }
        let z1z1 = p.z.square();
        let z2z2 = q.z.square();
        let u1 = p.x.mul(&z2z2);
        let u2 = q.x.mul(&z1z1);
        let s1 = p.y.mul(&q.z).mul(&z2z2);
        let s2 = q.y.mul(&p.z).mul(&z1z1);
        let h = u2.sub(&u1);
        let r = s2.sub(&s1).double();
        if bool::from(h.is_zero()) {
            return if bool::from(r.is_zero()) { self.double(p) } else { self.infinity() };
        }
        let i = h.double().square();
        let j = h.mul(&i);
        let v = u1.mul(&i);
        let x3 = r.square().sub(&j).sub(&v.double());
        let y3 = r.mul(&v.sub(&x3)).sub(&s1.mul(&j).double());
        let z3 = p.z.add(&q.z).square().sub(&z1z1).sub(&z2z2).mul(&h);
        Jacobian { x: x3, y: y3, z: z3 }
    }

    fn to_affine(&self, p: &Jacobian) -> Option<AffinePoint> {
        let zinv = Option::<BoxedMontyForm>::from(p.z.invert_vartime())?;
        let zinv2 = zinv.square();
        Some(AffinePoint { x: p.x.mul(&zinv2), y: p.y.mul(&zinv2).mul(&zinv) })
    }

    /// `k·P` by double-and-add. **Variable time: public scalars only** (see the module
    /// documentation). Returns `None` for the point at infinity.
    #[must_use]
    pub fn mul_vartime(&self, k: &[u8], p: &AffinePoint) -> Option<AffinePoint> {
        self.to_affine(&self.mul_jacobian_vartime(k, p))
    }

    fn mul_jacobian_vartime(&self, k: &[u8], p: &AffinePoint) -> Jacobian {
        let base = self.jacobian(p);
        let mut acc = self.infinity();
        for byte in trim(k) {
            for bit in (0..8).rev() {
                acc = self.double(&acc);
                if (byte >> bit) & 1 == 1 {
                    acc = self.add(&acc, &base);
                }
            }
        }
        acc
    }

    /// Integer mod n from big-endian bytes (reduced).
    fn scalar(&self, bytes: &[u8]) -> BoxedMontyForm {
        let v = BoxedUint::from_be_slice_vartime(trim(bytes));
        let r = v.rem_vartime(&self.n);
        // r < n always fits n's precision; the fallback keeps this total.
        let r = uint(&r.to_be_bytes(), self.fn_.bits_precision())
            .unwrap_or_else(|| BoxedUint::zero_with_precision(self.fn_.bits_precision()));
        BoxedMontyForm::new(r, &self.fn_)
    }

    /// e = the leftmost `order_bits` of the digest, reduced mod n (SEC 1 §4.1.3 step 5).
    fn digest_scalar(&self, digest: &[u8]) -> BoxedMontyForm {
        let digest_bits = digest.len() as u32 * 8;
        let e = BoxedUint::from_be_slice_vartime(digest);
        let e =
            if digest_bits > self.order_bits { e.shr_vartime(digest_bits - self.order_bits).unwrap_or(e) } else { e };
        self.scalar(&e.to_be_bytes())
    }

    /// The group order n, big-endian.
    #[must_use]
    pub fn order(&self) -> Vec<u8> {
        trim(&self.n.as_ref().to_be_bytes()).to_vec()
    }

    /// Bytes of one scalar (the order's length).
    #[must_use]
    pub fn scalar_bytes(&self) -> usize {
        self.order_bits.div_ceil(8) as usize
    }

    #[cfg(feature = "emulator")]
    fn fixed(&self, v: &BoxedMontyForm) -> Vec<u8> {
        super::be::fixed(&v.retrieve(), self.scalar_bytes()).to_vec()
    }

    /// A uniformly distributed secret scalar in [1, n − 1] (8 extra random bytes make the
    /// reduction bias negligible).
    ///
    /// # Errors
    /// The generator's error.
    pub fn random_scalar(
        &self,
        rng: &mut dyn crate::crypto::RandomSource,
    ) -> Result<zeroize::Zeroizing<Vec<u8>>, crate::crypto::RngError> {
        use crypto_bigint::BoxedUint;
        let mut raw = zeroize::Zeroizing::new(vec![0u8; self.scalar_bytes() + 8]);
        rng.fill(&mut raw)?;
        let n1 = self.n.as_ref().wrapping_sub(BoxedUint::one());
        let Some(n1) = Option::<NonZero<BoxedUint>>::from(NonZero::new(n1)) else {
            return Ok(zeroize::Zeroizing::new(vec![1]));
        };
        let v = BoxedUint::from_be_slice_vartime(&raw).rem_vartime(&n1).wrapping_add(BoxedUint::one());
        Ok(super::be::fixed(&v, self.scalar_bytes()))
    }

    /// ECDSA signing with private scalar `d` and nonce `k` (SEC 1 §4.1.3), returning
    /// `(r, s)` as fixed-length big-endian scalars.
    ///
    /// **For the emulator's throwaway test keys only**: variable-time, and the caller
    /// chooses `k`. Returns `None` for a degenerate nonce (pick another).
    #[cfg(feature = "emulator")]
    #[must_use]
    pub fn sign_ecdsa_test_key(&self, d: &[u8], k: &[u8], digest: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
        let k_m = self.scalar(k);
        if bool::from(k_m.is_zero()) {
            return None;
        }
        let kg = self.mul_vartime(&k_m.retrieve().to_be_bytes(), &self.g)?;
        let r = self.scalar(&kg.x.retrieve().to_be_bytes());
        if bool::from(r.is_zero()) {
            return None;
        }
        let kinv = Option::<BoxedMontyForm>::from(k_m.invert_vartime())?;
        let s = kinv.mul(&self.digest_scalar(digest).add(&r.mul(&self.scalar(d))));
        if bool::from(s.is_zero()) {
            return None;
        }
        Some((self.fixed(&r), self.fixed(&s)))
    }

    /// `a · b⁻¹ mod n`, as a fixed-length scalar: the chip's side of PACE-CAM
    /// (CA_IC = SK_map,IC · SK_IC⁻¹, ICAO 9303-11 §4.4.3.5).
    ///
    /// **For the emulator's throwaway test keys only**: variable-time. `None` when `b ≡ 0`.
    #[cfg(feature = "emulator")]
    #[must_use]
    pub fn div_scalars_test_key(&self, a: &[u8], b: &[u8]) -> Option<Vec<u8>> {
        let binv = Option::<BoxedMontyForm>::from(self.scalar(b).invert_vartime())?;
        Some(self.fixed(&self.scalar(a).mul(&binv)))
    }

    /// Domain parameters of another curve over the same field that passes through `point`
    /// and has it as generator: a′ = a + 1, b′ = y² − x³ − a′x, G′ = `point`, n kept (so
    /// "the order" is a lie). **For the emulator's hostile chips only**: the curve a clone
    /// builds around a genuine chip-authentication key (PACE-CAM on explicit parameters).
    #[cfg(feature = "emulator")]
    #[must_use]
    pub fn params_through_test_only(&self, point: &AffinePoint) -> DomainParams {
        let a2 = self.a.add(&self.one());
        let b2 = point.y.square().sub(&point.x.square().mul(&point.x)).sub(&a2.mul(&point.x));
        let bytes = |v: &BoxedMontyForm| self.encode_field(v);
        DomainParams {
            p: trim(&self.fp.modulus().as_ref().to_be_bytes()).to_vec(),
            a: bytes(&a2),
            b: bytes(&b2),
            gx: bytes(&point.x),
            gy: bytes(&point.y),
            n: self.order(),
            cofactor: 1,
        }
    }

    #[cfg(feature = "emulator")]
    fn encode_field(&self, v: &BoxedMontyForm) -> Vec<u8> {
        super::be::fixed(&v.retrieve(), self.field_bytes).to_vec()
    }

    /// The bit length of the field prime p.
    #[must_use]
    pub fn field_bits(&self) -> u32 {
        self.fp.modulus().as_ref().bits()
    }

    /// Whether a (public) big-endian integer lies in [1, n − 1].
    #[must_use]
    pub fn scalar_in_range(&self, v: &[u8]) -> bool {
        let x = BoxedUint::from_be_slice_vartime(trim(v));
        !bool::from(x.is_zero()) && x.cmp_vartime(self.n.as_ref()) == core::cmp::Ordering::Less
    }

    /// ECDSA verification (SEC 1 §4.1.4 / FIPS 186-4 §6.4.2) of `(r, s)` over the hash
    /// `digest` with public key `q`. Digests longer than the order are truncated to its
    /// leftmost bits, as the standard requires.
    #[must_use]
    pub fn verify_ecdsa(&self, q: &AffinePoint, digest: &[u8], r: &[u8], s: &[u8]) -> bool {
        if !self.scalar_in_range(r) || !self.scalar_in_range(s) {
            return false;
        }
        // Public values, so variable time (`vartime`): over the RustCrypto crates' fields
        // where they cover the curve, over our Montgomery fields for the other named
        // curves; the engine for explicit parameters that name no curve.
        if let Some(named) = self.named {
            let point = self.encode_point(q);
            if let Some(valid) = fast::verify_ecdsa(named, &point, digest, r, s) {
                return valid;
            }
            if vartime::named::serves(named)
                && let Some((u1, u2)) = self.ecdsa_scalars(digest, r, s)
                && let Some((x, y)) = point.get(1..).and_then(|xy| xy.split_at_checked(self.field_bytes))
                && let Some(valid) = vartime::named::verify(named, (x, y), &u1, &u2, r)
            {
                return valid;
            }
        }
        self.verify_ecdsa_engine(q, digest, r, s)
    }

    /// u₁ = e/s and u₂ = r/s mod n, big-endian; `None` if s has no inverse.
    fn ecdsa_scalars(&self, digest: &[u8], r: &[u8], s: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
        let e = self.digest_scalar(digest);
        let w = Option::<BoxedMontyForm>::from(self.scalar(s).invert_vartime())?;
        Some((e.mul(&w).retrieve().to_be_bytes().to_vec(), self.scalar(r).mul(&w).retrieve().to_be_bytes().to_vec()))
    }

    /// ECDSA verification with the runtime engine alone, whatever the curve: the path of
    /// explicit parameters that name no curve, and the oracle for the others.
    #[must_use]
    pub fn verify_ecdsa_engine(&self, q: &AffinePoint, digest: &[u8], r: &[u8], s: &[u8]) -> bool {
        if !self.scalar_in_range(r) || !self.scalar_in_range(s) {
            return false;
        }
        let Some((u1, u2)) = self.ecdsa_scalars(digest, r, s) else { return false };
        // The scalars are public, but the fixed window is the engine's fastest path
        // (about twice the double-and-add below), so verification takes it too.
        let term = |k: &[u8], p: &AffinePoint| match self.mul_windowed(k, p) {
            Some(point) => self.jacobian(&point),
            None => self.infinity(),
        };
        let sum = self.add(&term(&u1, &self.g), &term(&u2, q));
        let Some(point) = self.to_affine(&sum) else { return false };
        let x = point.x.retrieve().to_be_bytes();
        let v = self.scalar(&x).retrieve();
        let r_int = self.scalar(r).retrieve();
        v == r_int
    }
}

#[cfg(test)]
mod tests;
