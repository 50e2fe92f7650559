//! Where the attempt limits stand for a person and a document: the part of the bank's
//! verdict that the attempt ledger (`ledger`, a layer above) decides. Defined here so a
//! [`Verification`](super::verification::Verification) can carry it (`attempts` in
//! `passchip.verification/1`).

/// Whether a person or a document may try now.
///
/// JSON: `{ "state": "open" }`, `{ "state": "locked", "until": 1765046820 }` (Unix
/// seconds), `{ "state": "blocked" }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(tag = "state", rename_all = "snake_case"))]
pub enum Gate {
    /// It may.
    Open,
    /// Locked until this time (Unix seconds).
    Locked {
        /// When it unlocks.
        until: u64,
    },
    /// Blocked until an operator unblocks it.
    Blocked,
}

impl Gate {
    /// The stricter of two gates (blocked over locked over open; the later unlock).
    #[must_use]
    pub fn stricter(self, other: Self) -> Self {
        match (self, other) {
            (Self::Blocked, _) | (_, Self::Blocked) => Self::Blocked,
            (Self::Locked { until: a }, Self::Locked { until: b }) => Self::Locked { until: a.max(b) },
            (Self::Locked { until }, Self::Open) | (Self::Open, Self::Locked { until }) => Self::Locked { until },
            (Self::Open, Self::Open) => Self::Open,
        }
    }

    /// Whether it may try.
    #[must_use]
    pub fn is_open(self) -> bool {
        self == Self::Open
    }
}

impl core::fmt::Display for Gate {
    /// For a person: "may try", "locked until 2026-12-06 18:47 UTC", "blocked until an
    /// operator unblocks it".
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Open => f.write_str("may try"),
            Self::Locked { until } => write!(f, "locked until {} UTC", crate::date::minute_utc(*until)),
            Self::Blocked => f.write_str("blocked until an operator unblocks it"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Gate;

    #[test]
    fn the_stricter_gate_wins() {
        let l = |until| Gate::Locked { until };
        assert_eq!(Gate::Open.stricter(Gate::Open), Gate::Open);
        assert_eq!(Gate::Open.stricter(l(5)), l(5));
        assert_eq!(l(9).stricter(l(5)), l(9));
        assert_eq!(l(9).stricter(Gate::Blocked), Gate::Blocked);
        assert_eq!(Gate::Blocked.stricter(Gate::Open), Gate::Blocked);
        assert_eq!(l(1_765_046_820).to_string(), "locked until 2025-12-06 18:47 UTC");
    }
}
