//! Basic Access Control (ICAO 9303-11 §4.3, worked example in Appendix D).
//!
//! ```text
//! terminal                                         chip
//!   GET CHALLENGE                        ─────────▶
//!                                        ◀───────── RND.IC (8)
//!   S = RND.IFD ‖ RND.IC ‖ K.IFD
//!   EXTERNAL AUTHENTICATE E(K_enc, S) ‖ MAC(K_mac, ·) ▶
//!                                        ◀───────── E(K_enc, RND.IC ‖ RND.IFD ‖ K.IC) ‖ MAC
//!   K_seed = K.IFD ⊕ K.IC → KS_enc, KS_mac; SSC = RND.IC[4..8] ‖ RND.IFD[4..8]
//! ```

use zeroize::Zeroizing;

use super::AccessError;
use crate::apdu::{Command, Le, StatusWord, ins};
use crate::crypto::{RandomSource, ct_eq, kdf, retail_mac::RetailMacKey, tdes};
use crate::sm::{SecureChannel, Suite};
use crate::transport::{Transport, exchange};

/// The document basic access keys K_enc and K_mac, derived from the MRZ's key seed.
/// Wiped on drop, never printed.
///
/// BAC takes the seed, not the MRZ: reading and checking the MRZ is the `mrz` layer's job
/// ([`MrzKey::seed`](crate::mrz::MrzKey::seed)), and this protocol needs nothing else of it.
#[derive(Debug)]
pub struct BacKeys {
    k_enc: tdes::TdesKey,
    k_mac: tdes::TdesKey,
}

impl BacKeys {
    /// Derives the keys from K_seed, the first 16 bytes of SHA-1(MRZ_information)
    /// (ICAO 9303-11 §9.7.2).
    #[must_use]
    pub fn from_seed(seed: &[u8; 16]) -> Self {
        Self { k_enc: kdf::derive_tdes(seed, kdf::ENC), k_mac: kdf::derive_tdes(seed, kdf::MAC) }
    }

    /// K_enc (for the emulator, which plays the chip side).
    #[cfg(feature = "emulator")]
    pub(crate) fn k_enc(&self) -> &tdes::TdesKey {
        &self.k_enc
    }

    /// K_mac (for the emulator).
    #[cfg(feature = "emulator")]
    pub(crate) fn k_mac(&self) -> &tdes::TdesKey {
        &self.k_mac
    }
}

/// Session keys and initial SSC from the two key halves and nonces (§9.7.3, §9.8.2).
pub(crate) fn session(k_ifd: &[u8; 16], k_ic: &[u8; 16], rnd_ic: &[u8; 8], rnd_ifd: &[u8; 8]) -> (Suite, [u8; 8]) {
    let mut seed = Zeroizing::new([0u8; 16]);
    for ((s, a), b) in seed.iter_mut().zip(k_ifd).zip(k_ic) {
        *s = a ^ b;
    }
    let ks_enc = kdf::derive_tdes(&seed[..], kdf::ENC);
    let ks_mac = kdf::derive_tdes(&seed[..], kdf::MAC);
    let [_, _, _, _, a, b, c, d] = *rnd_ic;
    let [_, _, _, _, e, f, g, h] = *rnd_ifd;
    (Suite::tdes(&ks_enc, &ks_mac), [a, b, c, d, e, f, g, h])
}

/// The 32-byte BAC block `RND.A ‖ RND.B ‖ K.A` (S on the terminal side, R on the chip's).
pub(crate) fn block(rnd_a: &[u8; 8], rnd_b: &[u8; 8], k: &[u8; 16]) -> Zeroizing<[u8; 32]> {
    let mut out = Zeroizing::new([0u8; 32]);
    for (dst, src) in out.iter_mut().zip(rnd_a.iter().chain(rnd_b).chain(k)) {
        *dst = *src;
    }
    out
}

/// A BAC block split into its parts: `RND.A`, `RND.B`, `K.A`.
pub(crate) type BlockParts = (Zeroizing<[u8; 8]>, Zeroizing<[u8; 8]>, Zeroizing<[u8; 16]>);

/// Splits a decrypted BAC block into `RND.A`, `RND.B` and `K.A`.
pub(crate) fn unblock(b: &[u8; 32]) -> BlockParts {
    let (mut a, mut r, mut k) = (Zeroizing::new([0u8; 8]), Zeroizing::new([0u8; 8]), Zeroizing::new([0u8; 16]));
    for (dst, src) in a.iter_mut().chain(r.iter_mut()).chain(k.iter_mut()).zip(b) {
        *dst = *src;
    }
    (a, r, k)
}

/// Runs BAC: the chip and we prove knowledge of the MRZ-derived keys to each other,
/// then a 3DES secure channel is opened.
///
/// The eMRTD application must already be selected.
///
/// # Errors
/// [`AccessError::AccessDenied`] when the MRZ is wrong (the chip refused our proof),
/// [`AccessError::ChipAuthenticationFailed`] when the chip's proof is wrong, and
/// others for refused steps, malformed answers and link failures.
pub fn authenticate<T: Transport + ?Sized>(
    t: &mut T,
    keys: &BacKeys,
    rng: &mut dyn RandomSource,
) -> Result<SecureChannel, AccessError> {
    let challenge = exchange(t, &Command::get_challenge())?;
    if !challenge.sw().is_ok() {
        return Err(AccessError::Refused { step: "GET CHALLENGE", status: challenge.sw() });
    }
    let rnd_ic: [u8; 8] = challenge.data().try_into().map_err(|_| AccessError::Malformed("GET CHALLENGE"))?;

    let mut rnd_ifd = Zeroizing::new([0u8; 8]);
    let mut k_ifd = Zeroizing::new([0u8; 16]);
    rng.fill(&mut rnd_ifd[..])?;
    rng.fill(&mut k_ifd[..])?;

    let mut s = block(&rnd_ifd, &rnd_ic, &k_ifd);
    let cipher = keys.k_enc.cipher();
    tdes::cbc_encrypt(&cipher, &[0; 8], &mut s[..]).map_err(|_| AccessError::Malformed("internal"))?;
    let mac_key = RetailMacKey::new(&keys.k_mac);
    let m_ifd = mac_key.mac_padded(&[&s[..]]);
    let s = {
        let mut v = Zeroizing::new(Vec::with_capacity(40));
        v.extend_from_slice(&s[..]);
        v.extend_from_slice(&m_ifd);
        v
    };

    let cmd = Command::new(0x00, ins::EXTERNAL_AUTHENTICATE, 0x00, 0x00).with_data(&s).with_le(Le::Ne(40));
    let answer = exchange(t, &cmd)?;
    match answer.sw() {
        StatusWord::Ok => {}
        status @ (StatusWord::AuthenticationFailed
        | StatusWord::SecurityStatusNotSatisfied
        | StatusWord::TriesLeft(_)
        | StatusWord::ReferenceDataNotUsable) => return Err(AccessError::AccessDenied { status }),
        status => return Err(AccessError::Refused { step: "EXTERNAL AUTHENTICATE", status }),
    }
    let (e_ic, m_ic) = answer.data().split_at_checked(32).ok_or(AccessError::Malformed("EXTERNAL AUTHENTICATE"))?;
    if m_ic.len() != 8 {
        return Err(AccessError::Malformed("EXTERNAL AUTHENTICATE"));
    }
    if !ct_eq(&mac_key.mac_padded(&[e_ic]), m_ic) {
        return Err(AccessError::ChipAuthenticationFailed("its MAC over E.IC does not verify"));
    }
    let mut r: Zeroizing<[u8; 32]> =
        Zeroizing::new(e_ic.try_into().map_err(|_| AccessError::Malformed("EXTERNAL AUTHENTICATE"))?);
    tdes::cbc_decrypt(&cipher, &[0; 8], &mut r[..]).map_err(|_| AccessError::Malformed("internal"))?;
    let (rnd_ic_echo, rnd_ifd_echo, k_ic) = unblock(&r);
    if !ct_eq(&rnd_ic_echo[..], &rnd_ic) || !ct_eq(&rnd_ifd_echo[..], &rnd_ifd[..]) {
        return Err(AccessError::ChipAuthenticationFailed("it did not echo the nonces"));
    }
    let (suite, ssc) = session(&k_ifd, &k_ic, &rnd_ic, &rnd_ifd);
    Ok(SecureChannel::new(suite, &ssc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apdu::Response;
    use crate::crypto::RngError;
    use crate::transport::{ApduHandler, InProcess};
    use hex_literal::hex;

    /// Replays fixed "random" bytes: the nonces of the ICAO worked example.
    pub(crate) struct Replay(Vec<u8>);
    impl RandomSource for Replay {
        fn fill(&mut self, buf: &mut [u8]) -> Result<(), RngError> {
            if self.0.len() < buf.len() {
                return Err(RngError);
            }
            let rest = self.0.split_off(buf.len());
            buf.copy_from_slice(&self.0);
            self.0 = rest;
            Ok(())
        }
    }

    /// The chip of ICAO 9303-11 Appendix D.3, as a script.
    struct D3Chip {
        seen: Vec<Vec<u8>>,
        answer_auth: Vec<u8>,
    }
    impl ApduHandler for D3Chip {
        fn handle(&mut self, capdu: &[u8]) -> Vec<u8> {
            self.seen.push(capdu.to_vec());
            match capdu.get(1) {
                Some(0x84) => hex!("4608F919887022129000").to_vec(),
                Some(0x82) => self.answer_auth.clone(),
                _ => vec![0x6D, 0x00],
            }
        }
    }

    const D3_AUTH_RESPONSE: [u8; 42] =
        hex!("46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D74499000");

    fn d3(answer_auth: &[u8]) -> (InProcess<D3Chip>, Result<SecureChannel, AccessError>) {
        let mut t = InProcess::new(D3Chip { seen: vec![], answer_auth: answer_auth.to_vec() });
        // K_seed of ICAO 9303-11 D.2 (MRZ information L898902C<369080619406236).
        let keys = BacKeys::from_seed(&hex!("239AB9CB282DAF66231DC5A4DF6BFBAE"));
        let mut rng = Replay(hex!("781723860C06C226 0B795240CB7049B01C19B33E32804F0B").to_vec());
        let r = authenticate(&mut t, &keys, &mut rng);
        (t, r)
    }

    #[test]
    fn icao_d3_mutual_authentication() {
        let (t, r) = d3(&D3_AUTH_RESPONSE);
        let mut ch = r.unwrap();
        assert_eq!(
            t.handler().seen[1],
            hex!("008200002872C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A728")
                .to_vec()
        );
        // The session keys and SSC are right iff the D.4 command comes out byte-exact.
        let c = ch.protect(&Command::select_ef(&[0x01, 0x1E])).unwrap();
        assert_eq!(c.as_slice(), &hex!("0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800"));
    }

    #[test]
    fn wrong_mrz_is_access_denied() {
        let (_, r) = d3(&hex!("6300"));
        let e = r.unwrap_err();
        assert_eq!(e, AccessError::AccessDenied { status: StatusWord::AuthenticationFailed });
        assert!(e.to_string().contains("check the MRZ"));
    }

    #[test]
    fn chip_with_a_bad_mac_fails_authentication() {
        let mut bad = D3_AUTH_RESPONSE;
        bad[35] ^= 1;
        assert!(matches!(d3(&bad).1, Err(AccessError::ChipAuthenticationFailed(_))));
        let mut bad = D3_AUTH_RESPONSE;
        bad[3] ^= 1; // inside E_IC: MAC no longer matches either
        assert!(matches!(d3(&bad).1, Err(AccessError::ChipAuthenticationFailed(_))));
    }

    #[test]
    fn malformed_and_refused_answers() {
        assert_eq!(d3(&hex!("01029000")).1.unwrap_err(), AccessError::Malformed("EXTERNAL AUTHENTICATE"));
        assert_eq!(
            d3(&hex!("6D00")).1.unwrap_err(),
            AccessError::Refused { step: "EXTERNAL AUTHENTICATE", status: StatusWord::InsNotSupported }
        );
        let _ = Response::new(vec![], StatusWord::Ok);
    }
}
