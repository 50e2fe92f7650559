//! The attempt policy: consecutive failures lock a key for a while, then for longer, then
//! for good, the way the e-ID schemes banks rely on stop guessing (Smart-ID: three wrong
//! PINs in a row lock the account for 3 hours, three more for 24 hours, three more block
//! it). Pure functions of a key's state and the time: the stores only keep the state.

use std::time::Duration;

pub use crate::identity::attempts::Gate;

/// What happens when a key reaches the failure limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Step {
    /// Locked for this long.
    Lock(Duration),
    /// Blocked until an operator unblocks it.
    Block,
}

/// The schedule: every `failures_per_step` consecutive failures the next step applies
/// (the last one again once the list is used up).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Consecutive failures that trigger a step (default 3).
    pub failures_per_step: u32,
    /// The steps in order (default: 3 h, 24 h, blocked).
    pub steps: Vec<Step>,
}

impl Default for Policy {
    fn default() -> Self {
        const HOUR: u64 = 3600;
        Self {
            failures_per_step: 3,
            steps: vec![
                Step::Lock(Duration::from_secs(3 * HOUR)),
                Step::Lock(Duration::from_secs(24 * HOUR)),
                Step::Block,
            ],
        }
    }
}

/// One key's state (an e-ID identity or a document, as a keyed hash).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KeyState {
    /// Failures since the last success or the last step.
    pub consecutive: u32,
    /// Steps applied so far (the next one is `steps[level]`).
    pub level: u32,
    /// Locked until this time (Unix seconds), if locked.
    pub locked_until: Option<u64>,
    /// Blocked until an operator unblocks it.
    pub blocked: bool,
}

impl Policy {
    /// Blocked at once after `n` consecutive failures, as internet banks do (5).
    #[must_use]
    pub fn block_after(n: u32) -> Self {
        Self { failures_per_step: n.max(1), steps: vec![Step::Block] }
    }

    /// A schedule written `FAILURES:STEP,STEP,…` where a step is a duration (`30m`, `3h`,
    /// `2d`) or `block`: the default is `3:3h,24h,block`, an internet bank's
    /// `5:block`.
    ///
    /// # Errors
    /// A sentence naming what is wrong (the caller's input).
    pub fn parse(text: &str) -> Result<Self, String> {
        let (n, steps) = text.trim().split_once(':').ok_or("expected FAILURES:STEP,… (e.g. 3:3h,24h,block)")?;
        let failures_per_step: u32 = n.trim().parse().map_err(|_| format!("{n:?} is not a number of failures"))?;
        if failures_per_step == 0 {
            return Err("the number of failures must be at least 1".into());
        }
        let steps = steps
            .split(',')
            .map(|s| {
                let s = s.trim();
                if s.eq_ignore_ascii_case("block") {
                    return Ok(Step::Block);
                }
                let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
                let num: u64 = num.parse().map_err(|_| format!("{s:?}: expected a duration (30m, 3h, 2d) or block"))?;
                let secs = match unit {
                    "s" => num,
                    "m" => num.saturating_mul(60),
                    "h" => num.saturating_mul(3600),
                    "d" => num.saturating_mul(86_400),
                    _ => return Err(format!("{s:?}: expected a duration (30m, 3h, 2d) or block")),
                };
                if secs == 0 {
                    return Err(format!("{s:?}: a lock of no time"));
                }
                Ok(Step::Lock(Duration::from_secs(secs)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { failures_per_step, steps })
    }

    /// Whether `state` may try at `now`.
    #[must_use]
    pub fn gate(&self, state: &KeyState, now: u64) -> Gate {
        if state.blocked {
            return Gate::Blocked;
        }
        match state.locked_until {
            Some(until) if until > now => Gate::Locked { until },
            _ => Gate::Open,
        }
    }

    /// The state after a failed attempt at `now`.
    #[must_use]
    pub fn after_failure(&self, state: KeyState, now: u64) -> KeyState {
        let mut s = state;
        s.consecutive = s.consecutive.saturating_add(1);
        if s.consecutive < self.failures_per_step.max(1) {
            return s;
        }
        s.consecutive = 0;
        let index = usize::try_from(s.level).unwrap_or(usize::MAX);
        match self.steps.get(index).or(self.steps.last()) {
            Some(Step::Lock(d)) => {
                s.locked_until = Some(now.saturating_add(d.as_secs()));
                s.level = s.level.saturating_add(1);
            }
            Some(Step::Block) | None => s.blocked = true,
        }
        s
    }

    /// The state after an accepted attempt: the consecutive count starts again (the
    /// steps already taken stay: the next limit leads to the next step).
    #[must_use]
    pub fn after_success(&self, state: KeyState) -> KeyState {
        KeyState { consecutive: 0, ..state }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: u64 = 3600;

    #[test]
    fn three_then_three_hours_then_a_day_then_blocked() {
        let p = Policy::default();
        let mut s = KeyState::default();
        let t0 = 1_000_000;
        for _ in 0..2 {
            s = p.after_failure(s, t0);
            assert_eq!(p.gate(&s, t0), Gate::Open);
        }
        s = p.after_failure(s, t0);
        assert_eq!(p.gate(&s, t0), Gate::Locked { until: t0 + 3 * H });
        assert_eq!(p.gate(&s, t0 + 3 * H - 1), Gate::Locked { until: t0 + 3 * H });
        let t1 = t0 + 3 * H;
        assert_eq!(p.gate(&s, t1), Gate::Open);
        for _ in 0..3 {
            s = p.after_failure(s, t1);
        }
        assert_eq!(p.gate(&s, t1), Gate::Locked { until: t1 + 24 * H });
        let t2 = t1 + 24 * H;
        for _ in 0..3 {
            s = p.after_failure(s, t2);
        }
        assert_eq!(p.gate(&s, t2 + 1000 * H), Gate::Blocked);
    }

    #[test]
    fn a_success_restarts_the_count() {
        let p = Policy::default();
        let mut s = KeyState::default();
        for _ in 0..2 {
            s = p.after_failure(s, 0);
        }
        s = p.after_success(s);
        for _ in 0..2 {
            s = p.after_failure(s, 0);
        }
        assert_eq!(p.gate(&s, 0), Gate::Open, "2 + success + 2 is not 3 in a row");
        s = p.after_failure(s, 0);
        assert_eq!(p.gate(&s, 0), Gate::Locked { until: 3 * H });
    }

    #[test]
    fn schedules_are_written_as_text() {
        assert_eq!(Policy::parse("3:3h,24h,block"), Ok(Policy::default()));
        assert_eq!(Policy::parse(" 5:block "), Ok(Policy::block_after(5)));
        let p = Policy::parse("4:30m,2d").unwrap();
        assert_eq!(p.steps, [Step::Lock(Duration::from_secs(1800)), Step::Lock(Duration::from_secs(172_800))]);
        for bad in ["", "3", "0:block", "x:block", "3:", "3:3x", "3:0h", "3:h", "3:3h,,block"] {
            assert!(Policy::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn configurable_five_then_blocked() {
        let p = Policy::block_after(5);
        let mut s = KeyState::default();
        for _ in 0..4 {
            s = p.after_failure(s, 0);
        }
        assert_eq!(p.gate(&s, 0), Gate::Open);
        s = p.after_failure(s, 0);
        assert_eq!(p.gate(&s, 0), Gate::Blocked);
    }
}
