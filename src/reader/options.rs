//! How a read is done: extended or short APDUs, the access policy, which data groups,
//! the limits ([`ReadOptions`]).

use crate::access::pace::{self};
use crate::lds::DgNumber;

/// The first extended-length Ne tried (bytes of plaintext): fits a protected response in
/// one extended R-APDU for both suites.
pub const EXTENDED_FIRST: u32 = 0xFF00;
/// Below this, extended reads are given up in favour of short ones.
pub const EXTENDED_MIN: u32 = 1000;
/// The short-read ladder after [`ReadOptions::short_chunk`].
pub const SHORT_LADDER: [u32; 4] = [160, 128, 96, 64];
/// Default size limit for one file (DG2 with several faces fits; DG3/DG4 may need more).
pub const DEFAULT_MAX_FILE_SIZE: usize = 1 << 20;

/// Whether to use extended-length READ BINARY.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ExtendedLength {
    /// Try it once, keep it if the chip accepts it (the default).
    #[default]
    Auto,
    /// Only short APDUs.
    Never,
}

/// Which access-control protocol to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AccessPolicy {
    /// PACE when EF.CardAccess offers it (the strongest supported option), else BAC. A
    /// failed PACE is an error: there is no silent fallback.
    #[default]
    Auto,
    /// As `Auto`, but if PACE fails for a reason other than a wrong password, try BAC and
    /// say so in the result ([`DocumentRead::bac_fallback`](super::DocumentRead::bac_fallback)).
    AutoWithBacFallback,
    /// BAC only.
    BacOnly,
    /// PACE only; a chip without PACE is an error.
    PaceOnly,
}

/// How to read files.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ReadOptions {
    /// Which access-control protocol to run.
    pub access: AccessPolicy,
    /// Extended-length policy.
    pub extended_length: ExtendedLength,
    /// Ne of short reads before any fallback (223 = `0xDF` by default; at most 231 for
    /// 3DES and 223 for AES fit a short protected response).
    pub short_chunk: u32,
    /// Use short EF identifiers in the first READ BINARY of a file (saves a SELECT).
    pub use_sfi: bool,
    /// Refuse files that claim more than this many bytes.
    pub max_file_size: usize,
    /// After reading, prove the chip is the original: check PACE-CAM, run Chip
    /// Authentication (DG14) and Active Authentication (DG15). Default: true.
    pub anti_cloning: bool,
    /// The Active Authentication challenge (a bank server's nonce); random when `None`.
    pub aa_challenge: Option<[u8; 8]>,
    /// Before access control, read EF.ATR/INFO for the chip's APDU limits (one or two
    /// plain commands) when extended length may be used. Default: true.
    pub atr_info: bool,
    /// Which data groups to read. Default: every one listed, except those that need
    /// Extended Access Control.
    pub data_groups: DataGroupPlan,
    /// Whether log events (`tracing`) may carry personal data: the holder's name and the
    /// document number once DG1 is read. Default: false (file names, sizes, protocols
    /// and errors only). Secrets (keys, passwords, MRZ, CAN, PIN) are never logged.
    pub personal_data_in_logs: bool,
    /// Which explicit PACE domain parameters from EF.CardAccess are computed in. Default:
    /// standardized groups only ([`pace::DomainPolicy::StandardOnly`]).
    pub pace_domains: pace::DomainPolicy,
}

/// Which data groups a read fetches. EF.COM and EF.SOD are always read: the SOD's list
/// of hashed data groups is the truth, EF.COM's list a hint (some chips disagree), and
/// "listed" means listed by either.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum DataGroupPlan {
    /// Every listed data group except DG3 and DG4 (fingerprints, iris), which need
    /// Extended Access Control: they are reported in [`DocumentRead::eac_protected`](super::DocumentRead::eac_protected)
    /// without a command spent on them.
    #[default]
    Listed,
    /// Every listed one, plus these even where no list names them (e.g. DG3, to be told
    /// by the chip that it needs Terminal Authentication).
    ListedAnd(Vec<DgNumber>),
    /// Only these, listed or not (e.g. DG1 alone for a quick holder check).
    Only(Vec<DgNumber>),
}

/// Data groups that need Extended Access Control (ICAO 9303-11 §7, BSI TR-03110).
pub(super) fn needs_eac(d: DgNumber) -> bool {
    matches!(d.get(), 3 | 4)
}

impl DataGroupPlan {
    /// The data groups to read, in number order, and the listed ones skipped because
    /// they need Extended Access Control.
    pub(super) fn resolve(&self, listed: &std::collections::BTreeSet<DgNumber>) -> (Vec<DgNumber>, Vec<DgNumber>) {
        let protected: Vec<DgNumber> = listed.iter().copied().filter(|d| needs_eac(*d)).collect();
        let wanted: std::collections::BTreeSet<DgNumber> = match self {
            Self::Listed => listed.iter().copied().filter(|d| !needs_eac(*d)).collect(),
            Self::ListedAnd(more) => {
                listed.iter().copied().filter(|d| !needs_eac(*d)).chain(more.iter().copied()).collect()
            }
            Self::Only(only) => only.iter().copied().collect(),
        };
        let skipped = protected.into_iter().filter(|d| !wanted.contains(d)).collect();
        (wanted.into_iter().collect(), skipped)
    }
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            access: AccessPolicy::Auto,
            extended_length: ExtendedLength::Auto,
            short_chunk: 0xDF,
            use_sfi: true,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            anti_cloning: true,
            aa_challenge: None,
            atr_info: true,
            data_groups: DataGroupPlan::Listed,
            personal_data_in_logs: false,
            pace_domains: pace::DomainPolicy::StandardOnly,
        }
    }
}

impl ReadOptions {
    /// Sets the access policy.
    #[must_use]
    pub fn with_access(mut self, policy: AccessPolicy) -> Self {
        self.access = policy;
        self
    }

    /// Short APDUs only.
    #[must_use]
    pub fn short_only(mut self) -> Self {
        self.extended_length = ExtendedLength::Never;
        self
    }

    /// Sets the short chunk size.
    #[must_use]
    pub fn with_short_chunk(mut self, n: u32) -> Self {
        self.short_chunk = n.clamp(1, 256);
        self
    }

    /// Sets the file size limit.
    #[must_use]
    pub fn with_max_file_size(mut self, n: usize) -> Self {
        self.max_file_size = n;
        self
    }

    /// Whether to run the anti-cloning protocols after reading.
    #[must_use]
    pub fn with_anti_cloning(mut self, yes: bool) -> Self {
        self.anti_cloning = yes;
        self
    }

    /// The challenge Active Authentication signs (e.g. a nonce from the bank's server,
    /// which can then re-verify the evidence itself).
    #[must_use]
    pub fn with_aa_challenge(mut self, challenge: [u8; 8]) -> Self {
        self.aa_challenge = Some(challenge);
        self
    }

    /// Lets log events carry the holder's name and document number (see
    /// [`ReadOptions::personal_data_in_logs`]).
    #[must_use]
    pub fn with_personal_data_in_logs(mut self, yes: bool) -> Self {
        self.personal_data_in_logs = yes;
        self
    }

    /// Lets PACE compute in custom explicit domain parameters that pass full validation
    /// ([`pace::DomainPolicy::ValidatedCustom`]); by default only standardized groups are
    /// used and any other is refused before the first GENERAL AUTHENTICATE.
    #[must_use]
    pub fn with_validated_custom_pace_groups(mut self, yes: bool) -> Self {
        self.pace_domains = if yes { pace::DomainPolicy::ValidatedCustom } else { pace::DomainPolicy::StandardOnly };
        self
    }

    /// Which data groups to read (see [`DataGroupPlan`]).
    #[must_use]
    pub fn with_data_groups(mut self, plan: DataGroupPlan) -> Self {
        self.data_groups = plan;
        self
    }

    /// Whether to select files by SFI.
    #[must_use]
    pub fn with_sfi(mut self, yes: bool) -> Self {
        self.use_sfi = yes;
        self
    }

    /// Whether to read EF.ATR/INFO for the chip's limits.
    #[must_use]
    pub fn with_atr_info(mut self, yes: bool) -> Self {
        self.atr_info = yes;
        self
    }
}
