//! The chip-authentication data of PACE-CAM (ICAO 9303-11 §4.4.3.5) as evidence to be
//! checked against the chip's static key.

use zeroize::Zeroizing;

use crate::access::AccessError;
use crate::crypto::ec::Curve;
use crate::crypto::{aes::AesCipher, ct_eq};

use super::protocol::PaceProtocol;

/// The chip-authentication data of PACE-CAM (ICAO 9303-11 §4.4.3.5): CA_IC, decrypted
/// from the chip's `8A` object, and the chip's mapping key PK_map,IC, with the protocol and
/// group PACE ran in. The chip holds the static key PK_IC if `CA_IC · PK_IC = PK_map,IC`
/// on the group of that key, and that group is the one PACE ran in: both come from the
/// chip's unsigned EF.CardAccess, so they count only once EF.CardSecurity's signed
/// SecurityInfos vouch for them (see `lds::anti_cloning`).
#[derive(Clone)]
pub struct CamEvidence {
    protocol: PaceProtocol,
    parameter_id: Option<u32>,
    /// The explicit domain parameters (DER AlgorithmIdentifier) PACE ran with, if any.
    explicit: Option<Vec<u8>>,
    curve: Curve,
    ca_ic: Vec<u8>,
    pk_map_ic: Vec<u8>,
}

impl PartialEq for CamEvidence {
    fn eq(&self, other: &Self) -> bool {
        (self.protocol, self.parameter_id, &self.explicit, &self.ca_ic, &self.pk_map_ic)
            == (other.protocol, other.parameter_id, &other.explicit, &other.ca_ic, &other.pk_map_ic)
    }
}

impl Eq for CamEvidence {}

impl core::fmt::Debug for CamEvidence {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "CamEvidence(parameter {:?}, ..)", self.parameter_id)
    }
}

impl CamEvidence {
    /// CA_IC, for the ICAO worked example's check.
    #[cfg(test)]
    pub(super) fn ca_ic(&self) -> &[u8] {
        &self.ca_ic
    }

    /// The evidence of a PACE-CAM run in `curve`: CA_IC decrypted from the chip's `8A`
    /// object `a_ic` with KS_enc, beside the chip's mapping key.
    pub(super) fn from_run(
        protocol: PaceProtocol,
        parameter_id: Option<u32>,
        explicit: Option<&[u8]>,
        curve: &Curve,
        ks_enc: &[u8],
        a_ic: &[u8],
        pk_map_ic: Vec<u8>,
    ) -> Result<Self, AccessError> {
        Ok(Self {
            protocol,
            parameter_id,
            explicit: explicit.map(<[u8]>::to_vec),
            curve: curve.clone(),
            ca_ic: decrypt_cam(ks_enc, a_ic)?,
            pk_map_ic,
        })
    }

    /// The PACE protocol that ran.
    #[must_use]
    pub fn protocol(&self) -> PaceProtocol {
        self.protocol
    }

    /// The domain parameter ID sent in MSE:Set AT (`None`: none was sent).
    #[must_use]
    pub fn parameter_id(&self) -> Option<u32> {
        self.parameter_id
    }

    /// The explicit domain parameters PACE ran with (DER AlgorithmIdentifier), when the
    /// chip gave them.
    #[must_use]
    pub fn explicit_domain_parameters(&self) -> Option<&[u8]> {
        self.explicit.as_deref()
    }

    /// Checks the evidence against a static public key `PK_IC` (an uncompressed point) on
    /// `key_curve`, the curve of that key as EF.CardSecurity gives it. The equation is
    /// computed on `key_curve`, which must be the curve PACE ran on: a curve taken from
    /// the chip's unsigned EF.CardAccess would let a clone build one around the genuine key.
    ///
    /// # Errors
    /// [`AccessError::ChipAuthenticationFailed`] when the curves differ, the key is
    /// invalid, CA_IC is out of range, or the product does not match: the chip does not
    /// hold the static key.
    pub fn verify_on(&self, key_curve: &Curve, chip_public_key: &[u8]) -> Result<(), AccessError> {
        if !key_curve.same_parameters(&self.curve) {
            return Err(AccessError::ChipAuthenticationFailed(
                "PACE ran on another curve than the one of its static key (PACE-CAM)",
            ));
        }
        self.equation(key_curve, chip_public_key)
    }

    /// Checks the evidence against `PK_IC` on the curve PACE ran on (from the unsigned
    /// EF.CardAccess). Kept for tests of the protocol itself; anything that decides on a
    /// chip's authenticity uses [`CamEvidence::verify_on`] with the signed key's curve.
    ///
    /// # Errors
    /// As [`CamEvidence::verify_on`].
    pub fn verify(&self, chip_public_key: &[u8]) -> Result<(), AccessError> {
        self.equation(&self.curve, chip_public_key)
    }

    /// Evidence assembled by hand, for tests of what binds it.
    #[cfg(test)]
    pub(crate) fn for_tests(
        protocol: PaceProtocol,
        parameter_id: Option<u32>,
        explicit: Option<Vec<u8>>,
        curve: Curve,
        ca_ic: Vec<u8>,
        pk_map_ic: Vec<u8>,
    ) -> Self {
        Self { protocol, parameter_id, explicit, curve, ca_ic, pk_map_ic }
    }

    fn equation(&self, curve: &Curve, chip_public_key: &[u8]) -> Result<(), AccessError> {
        let fail = AccessError::ChipAuthenticationFailed;
        let pk_ic = curve.decode_point(chip_public_key).map_err(|_| fail("its static public key is invalid"))?;
        if !curve.scalar_in_range(&self.ca_ic) {
            return Err(fail("CA_IC is not in [1, n − 1]"));
        }
        let product = curve.mul_vartime(&self.ca_ic, &pk_ic).ok_or(fail("CA_IC · PK_IC is the identity"))?;
        if ct_eq(&curve.encode_point(&product), &self.pk_map_ic) {
            Ok(())
        } else {
            Err(fail("CA_IC · PK_IC differs from its mapping key (PACE-CAM)"))
        }
    }
}

/// IV of the CAM data: E(KS_enc, −1), the all-ones block (9303-11 §4.4.3.5.1).
pub(crate) fn cam_iv(cipher: &AesCipher) -> [u8; 16] {
    let mut iv = [0xFF; 16];
    cipher.encrypt_block(&mut iv);
    iv
}

fn decrypt_cam(ks_enc: &[u8], a_ic: &[u8]) -> Result<Vec<u8>, AccessError> {
    let bad = AccessError::Malformed("GA 4 (chip authentication data)");
    let c = AesCipher::new(ks_enc).ok_or(bad.clone())?;
    let mut buf = Zeroizing::new(a_ic.to_vec());
    c.cbc_decrypt(&cam_iv(&c), &mut buf).map_err(|_| bad.clone())?;
    Ok(crate::crypto::padding::unpad(&buf, 16).ok_or(bad)?.to_vec())
}
