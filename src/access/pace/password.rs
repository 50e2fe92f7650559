//! The PACE password: MRZ (as SHA-1 of the MRZ information), CAN, PIN or PUK
//! (ICAO 9303-11 §4.4.1, §9.7.3), and which kind a run used.

use zeroize::Zeroizing;

/// The password PACE is run with.
pub enum PacePassword {
    /// The MRZ: K = SHA-1(MRZ_information) (ICAO 9303-11 §4.4.1), made by
    /// [`PacePassword::mrz`]. PACE takes this hash, not the MRZ: reading and checking the
    /// MRZ is the `mrz` layer's job.
    Mrz(Zeroizing<[u8; 20]>),
    /// The card access number printed on the card.
    Can(Zeroizing<String>),
    /// The holder's PIN.
    Pin(Zeroizing<String>),
    /// The holder's PUK (to unblock the PIN).
    Puk(Zeroizing<String>),
}

impl core::fmt::Debug for PacePassword {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "PacePassword({}, ..)", self.kind())
    }
}

/// Which kind of password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "UPPERCASE"))]
pub enum PasswordKind {
    /// MRZ.
    Mrz,
    /// CAN.
    Can,
    /// PIN.
    Pin,
    /// PUK.
    Puk,
}

impl core::fmt::Display for PasswordKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Mrz => "MRZ",
            Self::Can => "CAN",
            Self::Pin => "PIN",
            Self::Puk => "PUK",
        })
    }
}

impl PacePassword {
    /// The MRZ password from `MRZ_information` (document number, birth and expiry dates,
    /// each with its check digit: [`MrzKey::mrz_information`](crate::mrz::MrzKey::mrz_information)).
    #[must_use]
    pub fn mrz(mrz_information: &[u8]) -> Self {
        use sha1::Digest;
        // Hashed straight into the wiped buffer: no stack copy of K outlives this call
        // (the hasher wipes its own state on drop: sha1's `zeroize` feature).
        let mut k = Zeroizing::new([0u8; 20]);
        let mut hasher = sha1::Sha1::new();
        hasher.update(mrz_information);
        hasher.finalize_into((&mut *k).into());
        Self::Mrz(k)
    }

    /// A CAN (digits as printed).
    #[must_use]
    pub fn can(s: &str) -> Self {
        Self::Can(Zeroizing::new(s.trim().to_string()))
    }

    /// Which kind.
    #[must_use]
    pub fn kind(&self) -> PasswordKind {
        match self {
            Self::Mrz(_) => PasswordKind::Mrz,
            Self::Can(_) => PasswordKind::Can,
            Self::Pin(_) => PasswordKind::Pin,
            Self::Puk(_) => PasswordKind::Puk,
        }
    }

    /// The password reference of MSE:Set AT (ICAO 9303-11 §4.4.3.1).
    #[must_use]
    pub fn reference(&self) -> u8 {
        match self.kind() {
            PasswordKind::Mrz => 1,
            PasswordKind::Can => 2,
            PasswordKind::Pin => 3,
            PasswordKind::Puk => 4,
        }
    }

    /// K = f(π): SHA-1 of MRZ_information for the MRZ, the ASCII bytes otherwise.
    pub(crate) fn key_material(&self) -> Zeroizing<Vec<u8>> {
        match self {
            Self::Mrz(k) => Zeroizing::new(k.to_vec()),
            Self::Can(s) | Self::Pin(s) | Self::Puk(s) => Zeroizing::new(s.as_bytes().to_vec()),
        }
    }
}
