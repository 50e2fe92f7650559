//! The fast path: for the curves RustCrypto implements (P-256, P-384, P-521,
//! brainpoolP256r1, brainpoolP384r1), secret-scalar multiplication goes through those crates' constant-time
//! arithmetic, which is several times faster than our runtime engine; ECDSA verification
//! (public values) goes through `vartime` over the same crates' fields. The engine stays
//! the oracle in tests and the secret-scalar path of every other curve (whose
//! verification takes `vartime` over our own fields, `vartime::named`).

use elliptic_curve::sec1::{FromSec1Point, ModulusSize, ToSec1Point};
use elliptic_curve::{AffinePoint, CurveArithmetic, FieldBytesSize, PublicKey, SecretKey};
use zeroize::Zeroizing;

use super::NamedCurve;

/// Whether a RustCrypto crate covers `curve` (then [`mul`] is its only secret-scalar path).
pub(super) fn covers(curve: NamedCurve) -> bool {
    matches!(
        curve,
        NamedCurve::P256
            | NamedCurve::P384
            | NamedCurve::P521
            | NamedCurve::BrainpoolP256r1
            | NamedCurve::BrainpoolP384r1
    )
}

/// `k·P` on a named curve via its RustCrypto crate, as an uncompressed point. `None` when
/// no crate covers the curve, `k` is 0 or not below n, or the result is the identity
/// (the caller reduces `k` first, so this means `k ≡ 0`: the identity).
pub(super) fn mul(curve: NamedCurve, k: &[u8], point_sec1: &[u8]) -> Option<Vec<u8>> {
    match curve {
        NamedCurve::P256 => mul_with::<p256::NistP256>(k, point_sec1),
        NamedCurve::P384 => mul_with::<p384::NistP384>(k, point_sec1),
        NamedCurve::P521 => mul_with::<p521::NistP521>(k, point_sec1),
        NamedCurve::BrainpoolP256r1 => mul_with::<bp256::r1::BrainpoolP256r1>(k, point_sec1),
        NamedCurve::BrainpoolP384r1 => mul_with::<bp384::r1::BrainpoolP384r1>(k, point_sec1),
        _ => None,
    }
}

fn mul_with<C>(k: &[u8], point_sec1: &[u8]) -> Option<Vec<u8>>
where
    C: CurveArithmetic,
    FieldBytesSize<C>: ModulusSize,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
{
    let len = <FieldBytesSize<C> as elliptic_curve::array::typenum::Unsigned>::USIZE;
    let mut padded = Zeroizing::new(vec![0u8; len]);
    padded.get_mut(len.checked_sub(k.len())?..)?.copy_from_slice(k);
    let sk = SecretKey::<C>::from_slice(&padded).ok()?;
    let pk = PublicKey::<C>::from_sec1_bytes(point_sec1).ok()?;
    let product: AffinePoint<C> = (pk.to_projective() * *sk.to_nonzero_scalar()).into();
    let out = product.to_sec1_point(false);
    (out.as_bytes().len() > 1).then(|| out.as_bytes().to_vec())
}

/// ECDSA verification on a named curve over its RustCrypto crate's field (public values
/// only, so the path may take variable time: `vartime`). `None` when no crate covers the
/// curve or the key does not decode there (the engine then decides); `Some(valid)`
/// otherwise. `r` and `s` are unsigned big-endian; values outside [1, n − 1] are invalid.
pub(super) fn verify_ecdsa(curve: NamedCurve, point_sec1: &[u8], digest: &[u8], r: &[u8], s: &[u8]) -> Option<bool> {
    use super::vartime::verify;
    match curve {
        NamedCurve::P256 => verify::<p256::NistP256>(point_sec1, digest, r, s),
        NamedCurve::P384 => verify::<p384::NistP384>(point_sec1, digest, r, s),
        NamedCurve::P521 => verify::<p521::NistP521>(point_sec1, digest, r, s),
        NamedCurve::BrainpoolP256r1 => verify::<bp256::r1::BrainpoolP256r1>(point_sec1, digest, r, s),
        NamedCurve::BrainpoolP384r1 => verify::<bp384::r1::BrainpoolP384r1>(point_sec1, digest, r, s),
        _ => None,
    }
}
