//! ISO/IEC 9797-1 MAC algorithm 3 ("retail MAC") with single DES and IV = 0, the
//! 3DES secure-messaging and BAC MAC (ICAO 9303-11 §9.8.6.1). The message is padded
//! with method 2 here, because the RustCrypto `retail-mac` crate zero-pads.

use des::Des;
use retail_mac::{Mac, RetailMac, digest::KeyInit};

use super::tdes::{BLOCK, TdesKey};

/// A keyed retail MAC, ready for many messages (the DES key schedules are computed once).
#[derive(Clone)]
pub struct RetailMacKey(RetailMac<Des>);

impl core::fmt::Debug for RetailMacKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("RetailMacKey(..)")
    }
}

impl RetailMacKey {
    /// Keys the MAC with a 16-byte key (K_a ‖ K_b).
    #[must_use]
    pub fn new(key: &TdesKey) -> Self {
        // A 16-byte key is exactly what RetailMac<Des> takes, so this cannot fail;
        // the fallback keeps the function total anyway.
        let mac = <RetailMac<Des> as KeyInit>::new_from_slice(key.expose())
            .unwrap_or_else(|_| <RetailMac<Des> as KeyInit>::new(&Default::default()));
        Self(mac)
    }

    /// MAC over the concatenation of `parts`, padded with method 2.
    #[must_use]
    pub fn mac_padded(&self, parts: &[&[u8]]) -> [u8; 8] {
        let mut m = self.0.clone();
        let mut len = 0usize;
        for p in parts {
            m.update(p);
            len += p.len();
        }
        let mut pad = [0u8; BLOCK];
        pad[0] = 0x80;
        let n = super::padding::pad_len(len, BLOCK);
        m.update(pad.get(..n).unwrap_or(&pad));
        m.finalize().into_bytes().into()
    }

    /// MAC over data that is already padded (or a whole number of blocks by design).
    #[must_use]
    pub fn mac_unpadded(&self, data: &[u8]) -> [u8; 8] {
        let mut m = self.0.clone();
        m.update(data);
        m.finalize().into_bytes().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    fn key(k: [u8; 16]) -> RetailMacKey {
        // Test keys from the vectors are used as-is (parity does not affect DES).
        RetailMacKey::new(&TdesKey::new(k))
    }

    // Bouncy Castle ISO9797Alg3MacTest: "Hello World !!!!", no padding.
    #[test]
    fn bouncy_castle_vector() {
        let k = key(hex!("7CA110454A1A6E570131D9619DC1376E"));
        assert_eq!(k.mac_unpadded(b"Hello World !!!!"), hex!("F09B856213BAB83B"));
    }

    // ICAO 9303-11 D.3: M_IFD (method 2 applied by us) and M_IC (given padded).
    #[test]
    fn icao_d3_macs() {
        let k = key(hex!("7962D9ECE03D1ACD4C76089DCE131543"));
        let e_ifd = hex!("72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2");
        assert_eq!(k.mac_padded(&[&e_ifd]), hex!("5F1448EEA8AD90A7"));
        assert_eq!(k.mac_padded(&[&e_ifd[..5], &e_ifd[5..]]), hex!("5F1448EEA8AD90A7"));
        let m_ic = hex!("46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F8000000000000000");
        assert_eq!(k.mac_unpadded(&m_ic), hex!("2F2D235D074D7449"));
    }

    // gmrtd cryptoutils/iso9797_test.go vectors (data already padded).
    #[test]
    fn gmrtd_vectors() {
        let k = key(hex!("E3857CA24946251C151C540E13F2CD51"));
        let d = hex!("00000000000000cd0c88000080000000871101ed7f8cb47a4eea086324a7f9dd7427809701008000");
        assert_eq!(k.mac_unpadded(&d), hex!("97F54BAE49AA71F8"));
    }
}
