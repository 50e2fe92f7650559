//! What the chip can be told to do wrong: faults on the link ([`Fault`]) and attacks
//! ([`Hostile`]).

use std::collections::VecDeque;

use crate::apdu::StatusWord;
use crate::emulator::hostile::WeakGroup;
use crate::emulator::pace::BadKey;

/// A deliberate misbehaviour, applied to one protected exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Flip a bit of the response MAC.
    TamperResponseMac,
    /// Compute the response with the counter this many steps ahead (a lost or replayed message).
    SkewCounter(u8),
    /// Answer with this bare status word and drop the session keys (e.g. `6988`).
    Unprotected(StatusWord),
}

/// A chip built to attack the reader: one misbehaviour, switched on for good
/// ([`VirtualChip::set_hostile`](super::VirtualChip::set_hostile)). Each has its test in `tests/hostile.rs`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Hostile {
    /// Every protected response carries a wrong MAC.
    WrongMac,
    /// Protected responses come without their MAC object (`8E`).
    MissingMac,
    /// Each protected response is the previous one again (a replay: its send sequence
    /// counter is one behind).
    ReplayedResponses,
    /// Protected responses are cut in half (the status word kept).
    TruncatedResponses,
    /// READ BINARY answers a bare, unprotected `6A82` inside secure messaging.
    UnprotectedErrors,
    /// Every plain command is answered `61 10`, and so is every GET RESPONSE: an endless chain.
    EndlessGetResponse,
    /// Every plain command is answered `6C XX` with another XX each time.
    WrongLeLoop,
    /// DG2's header claims 2 GiB.
    HugeLength,
    /// DG11 is 100 000 constructed objects nested in one another.
    DeepNesting,
    /// DG2 grows by 1 KiB at every READ BINARY: what was read first no longer fits what follows.
    GrowingFile,
    /// The chip changes its answers: DG1 differs at every SELECT.
    ChangingAnswers,
    /// After access control, every plaintext answer (data ‖ SW1 SW2) comes from this list,
    /// protected properly (the fuzzer plays the chip); an empty list answers `6A82`.
    Scripted(VecDeque<Vec<u8>>),
    /// PACE sends this instead of its first public key (the mapping key, or the
    /// ephemeral key with Integrated Mapping).
    PaceKey(BadKey),
    /// EF.CardAccess also offers PACE (Generic Mapping, AES-256, ID 32) in this weak group,
    /// written out as explicit domain parameters: an overlay playing the chip to learn the
    /// password offline from the terminal's token (Pohlig–Hellman, or a singular curve's
    /// trivial logarithm). The strongest cipher on offer, so a naive terminal picks it.
    WeakPaceGroup(WeakGroup),
    /// A clone of a PACE-CAM document: EF.CardAccess announces PACE-CAM (ID 32) on an
    /// explicit curve E′ built around EF.CardSecurity's genuine key P (same p, a′ = a + 1,
    /// b′ = y² − x³ − a′x, G′ = P, the order copied); the clone runs PACE on E′ and sends
    /// CA_IC = its own mapping secret, so CA_IC · PK_IC = PK_map,IC holds on E′ without the
    /// chip's private key.
    CamExplicitCurve,
    /// SELECT EF.CardAccess answers `6A82`: a man in the middle hiding PACE so that the
    /// terminal uses BAC (whose MRZ key can be searched offline from a recording).
    HiddenCardAccess,
    /// Chip Authentication (MSE:Set KAT / Set AT) and INTERNAL AUTHENTICATE are refused
    /// with a protected `6985`: a clone with genuine files that cannot prove their keys.
    RefuseChipProofs,
    /// EF.COM also lists DG`n` (the SOD does not); asked for it, the chip leaves the field
    /// for good, so the terminal resumes the read on whatever card comes next (an
    /// attacker's own genuine card of the same model).
    LeaveOnExtraGroup(u8),
}
