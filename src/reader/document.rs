//! The whole-document read: credentials, the strongest PACE, every file, resumed when
//! the card leaves ([`read_document`], [`read_document_resuming`]).

use std::collections::BTreeMap;

use super::access_check::{self, Downgrade};
use super::anti_cloning::AntiCloningRead;
use super::error::{Interruption, SessionError};
use super::options::{AccessPolicy, ExtendedLength, ReadOptions};
use super::read::Progress;
use super::resume::PartialRead;
use super::session::{Plain, Secured, Session};
use super::stats::SessionStats;
use crate::access::pace::{self, PaceOutcome, PacePassword};
use crate::access::{AccessError, AccessProtocol};
use crate::crypto::OsRandom;
use crate::lds::security_infos::{KeyAgreement, Mapping, PaceProtocol};
use crate::lds::{Dg1, EfCom, LdsFile, SecurityInfos};
use crate::mrz::MrzKey;
use crate::sm::{Cipher, SuiteKind};
use crate::transport::Transport;

/// Everything read from a document in one session. `Debug` shows file names and sizes,
/// never their content (DG1 is the MRZ).
#[derive(Clone)]
#[non_exhaustive]
pub struct DocumentRead {
    /// How access was gained.
    pub access: AccessProtocol,
    /// What PACE ran, when it did.
    pub pace: Option<PaceOutcome>,
    /// Why PACE was abandoned for BAC, when the caller allowed it and it happened.
    pub bac_fallback: Option<String>,
    /// The document supports PACE but the chip was opened with BAC (EF.CardAccess hidden,
    /// or a BAC fallback): `None` when there was no downgrade.
    pub downgrade: Option<Downgrade>,
    /// DG1's MRZ names another document than the MRZ the chip was opened with (a
    /// substitution). Always false when the chip was opened with a CAN or PIN.
    pub dg1_differs_from_access_mrz: bool,
    /// Whether extended-length reads were used.
    pub extended_length: bool,
    /// Secure-messaging suite.
    pub suite: SuiteKind,
    /// EF.COM, if the chip has one.
    pub com: Option<EfCom>,
    /// DG1, if read.
    pub dg1: Option<Dg1>,
    /// Every file read, byte-exact as the chip sent it.
    pub files: BTreeMap<LdsFile, Vec<u8>>,
    /// Files that were listed but that the chip says do not exist.
    pub missing: Vec<LdsFile>,
    /// Data groups protected by Extended Access Control (DG3, DG4): listed but not read
    /// (by default no command is spent on them), or refused by the chip ("security
    /// status not satisfied") when the caller asked for them without Terminal
    /// Authentication. The read goes on past them.
    pub eac_protected: Vec<LdsFile>,
    /// Times the card left the field (or was reset) and the read resumed, oldest first.
    pub interruptions: Vec<Interruption>,
    /// Cost of the session up to the end of the read (of every session, when the read
    /// was resumed).
    pub stats: SessionStats,
    /// EF.CardSecurity, when read (after PACE-CAM).
    pub card_security: Option<Vec<u8>>,
    /// EF.CardAccess, when read (before access control), byte-exact.
    pub card_access: Option<Vec<u8>>,
    /// What the chip proved about being the original.
    pub anti_cloning: AntiCloningRead,
}

impl Drop for DocumentRead {
    /// The files carry personal data (DG1 is the MRZ, DG2 the face): they are zeroized,
    /// so a kiosk that drops the read when the card leaves keeps nothing of it.
    fn drop(&mut self) {
        for bytes in self.files.values_mut() {
            zeroize::Zeroize::zeroize(bytes);
        }
        if let Some(b) = self.card_security.as_mut() {
            zeroize::Zeroize::zeroize(b);
        }
    }
}

impl core::fmt::Debug for DocumentRead {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let sizes: Vec<(String, usize)> = self.files.iter().map(|(f, b)| (f.name(), b.len())).collect();
        f.debug_struct("DocumentRead")
            .field("access", &self.access)
            .field("pace", &self.pace)
            .field("bac_fallback", &self.bac_fallback)
            .field("downgrade", &self.downgrade)
            .field("dg1_differs_from_access_mrz", &self.dg1_differs_from_access_mrz)
            .field("extended_length", &self.extended_length)
            .field("suite", &self.suite)
            .field("com", &self.com)
            .field("dg1", &self.dg1)
            .field("files", &sizes)
            .field("missing", &self.missing)
            .field("interruptions", &self.interruptions)
            .field("stats", &self.stats)
            .field("card_security", &self.card_security.as_ref().map(Vec::len))
            .field("card_access", &self.card_access.as_ref().map(Vec::len))
            .field("anti_cloning", &self.anti_cloning)
            .finish()
    }
}

impl DocumentRead {
    /// The read as a dump folder's content ([`crate::lds::Dump`]): every file byte-exact,
    /// EF.CardSecurity when read, and the Active Authentication evidence when it ran, so a
    /// back office can run `passchip verify` on it.
    #[must_use]
    pub fn dump(&self) -> crate::lds::Dump {
        let mut d = crate::lds::Dump::from_files(&self.files);
        d.card_security.clone_from(&self.card_security);
        d.card_access.clone_from(&self.card_access);
        d.active_authentication =
            self.anti_cloning.active_authentication_evidence.as_ref().map(|e| e.to_json().into_bytes());
        d.anti_cloning = self.anti_cloning.record();
        d
    }

    /// Total bytes of file content read.
    #[must_use]
    pub fn content_bytes(&self) -> usize {
        self.files.values().map(Vec::len).sum()
    }
}

/// Connects, selects the application, runs BAC with `key` and reads the document.
///
/// # Errors
/// [`SessionError`] at the first step that fails.
///
/// # Example
/// ```
/// # #[cfg(feature = "emulator")] {
/// use passchip::emulator::{VirtualChip, VirtualDocument};
/// use passchip::reader::{read_with_bac, ReadOptions};
/// use passchip::transport::InProcess;
///
/// let doc = VirtualDocument::specimen();
/// let key = doc.mrz_key();
/// let chip = InProcess::new(VirtualChip::new(doc));
/// let read = read_with_bac(chip, &key, ReadOptions::default()).unwrap();
/// assert_eq!(read.dg1.as_ref().unwrap().mrz.primary_identifier, "OEBERG");
/// # }
/// ```
pub fn read_with_bac<T: Transport>(
    transport: T,
    key: &MrzKey,
    options: ReadOptions,
) -> Result<DocumentRead, SessionError> {
    let mut session = Session::new(transport, options);
    session.select_application()?;
    let mut secured = session.bac(key).map_err(|(_, e)| e)?;
    secured.read_document(&mut |_| {})
}

/// The secrets a user gives to open a document. `Debug` names the kind only.
#[non_exhaustive]
pub enum Credentials {
    /// The MRZ (BAC, or PACE with the MRZ password).
    Mrz(MrzKey),
    /// The card access number (PACE only); the MRZ, when also known, allows BAC.
    Can {
        /// The CAN.
        can: zeroize::Zeroizing<String>,
        /// The MRZ, for chips without PACE.
        mrz: Option<MrzKey>,
    },
    /// The holder's PIN (PACE only; eID cards). A suspended or blocked PIN needs the
    /// flows of [`Session::pace_pin`] and [`Session::unblock_pin`].
    Pin(zeroize::Zeroizing<String>),
    /// The PIN, and the CAN for a suspended PIN (one try left): PACE with the PIN; only
    /// when the chip says it is suspended, PACE with the CAN and then the PIN inside that
    /// channel, once ([`Session::pace_pin`]). Nothing is retried.
    PinWithCan {
        /// The PIN.
        pin: zeroize::Zeroizing<String>,
        /// The CAN.
        can: zeroize::Zeroizing<String>,
    },
}

impl core::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Mrz(_) => "Credentials::Mrz(..)",
            Self::Can { mrz: None, .. } => "Credentials::Can(..)",
            Self::Can { mrz: Some(_), .. } => "Credentials::Can(.., with MRZ)",
            Self::Pin(_) => "Credentials::Pin(..)",
            Self::PinWithCan { .. } => "Credentials::Pin(.., with CAN)",
        })
    }
}

impl Credentials {
    pub(super) fn pace_password(&self) -> PacePassword {
        match self {
            Self::Mrz(k) => PacePassword::mrz(&k.mrz_information()),
            Self::Can { can, .. } => PacePassword::Can(can.clone()),
            Self::Pin(pin) | Self::PinWithCan { pin, .. } => PacePassword::Pin(pin.clone()),
        }
    }

    pub(super) fn mrz(&self) -> Option<&MrzKey> {
        match self {
            Self::Mrz(k) => Some(k),
            Self::Can { mrz, .. } => mrz.as_ref(),
            Self::Pin(_) | Self::PinWithCan { .. } => None,
        }
    }

    /// The CAN to open the channel a suspended PIN is tried in.
    pub(super) fn can_for_suspended_pin(&self) -> Option<PacePassword> {
        match self {
            Self::PinWithCan { can, .. } => Some(PacePassword::Can(can.clone())),
            _ => None,
        }
    }
}

/// The strongest PACE option this version implements among those the chip offers (the
/// strongest cipher, then ECDH, then Chip Authentication Mapping, then the larger ID),
/// with its domain parameter ID: `None` for a chip whose PACEInfo and single
/// PACEDomainParameterInfo carry none (ICAO 9303-11 §9.2.1 allows it; MSE:Set AT then
/// omits the reference).
#[must_use]
pub fn choose_pace(infos: &SecurityInfos) -> Option<(PaceProtocol, Option<u32>)> {
    let rank = |c: Cipher| match c {
        Cipher::Tdes => 0,
        Cipher::Aes128 => 1,
        Cipher::Aes192 => 2,
        Cipher::Aes256 => 3,
    };
    infos
        .pace()
        .filter(|(p, id)| match (infos.pace_domain_parameters(*id), id) {
            // Explicit parameters: usable when we can build the group from them.
            (Some(alg), Some(id)) if standard_id_unknown(*p, *id) => pace::explicit_supported(*p, alg),
            (_, Some(id)) => pace::is_supported(*p, *id),
            // No ID: only the chip's single, unreferenced set of explicit parameters.
            (Some(alg), None) => pace::explicit_supported(*p, alg),
            (None, None) => false,
        })
        // Strongest cipher, then ECDH, then CAM (it also authenticates the chip), then the ID.
        .max_by_key(|(p, id)| (rank(p.cipher), p.key_agreement == KeyAgreement::Ecdh, p.mapping == Mapping::Cam, *id))
}

/// An ID that is not a standardized domain parameter for this key agreement (32 and up
/// in practice; ICAO 9303-11 table 4 ends at 18).
pub(super) fn standard_id_unknown(p: PaceProtocol, id: u32) -> bool {
    match p.key_agreement {
        KeyAgreement::Dh => id > 2,
        KeyAgreement::Ecdh => pace::standard_curve(id).is_none(),
    }
}

/// Opens the document with the access policy of `options` (PACE when offered, else BAC,
/// by default) and reads it.
///
/// # Errors
/// [`SessionError`] at the first step that fails; with `AccessPolicy::Auto` a failed
/// PACE is returned as is, never followed by a silent BAC.
pub fn read_document<T: Transport>(
    transport: T,
    credentials: &Credentials,
    options: ReadOptions,
) -> Result<DocumentRead, SessionError> {
    read_document_with_progress(transport, credentials, options, &mut |_| {})
}

/// [`read_document`], reporting each file's progress (for progress bars).
///
/// # Errors
/// As [`read_document`].
pub fn read_document_with_progress<T: Transport>(
    transport: T,
    credentials: &Credentials,
    options: ReadOptions,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<DocumentRead, SessionError> {
    read_document_resuming(transport, credentials, options, &mut PartialRead::new(), progress)
}

/// [`read_document_with_progress`], keeping what is read in `partial` so that a read cut
/// short by the card leaving the field ([`SessionError::Interrupted`]) can be resumed:
/// when the card is presented again, call this again with a new transport, the same
/// credentials and the same `partial`. Access control runs again (the chip forgot the
/// session), the files already read are not read again, and the file that was being
/// read continues from its last good offset. A card whose EF.CardAccess differs from the
/// first session's is refused ([`SessionError::DifferentDocument`]).
///
/// # Errors
/// As [`read_document`], and [`SessionError::Interrupted`] when the card leaves the field
/// or is reset, wherever that happens (access control, a file, the anti-cloning checks).
///
/// # Example
/// ```
/// # #[cfg(feature = "emulator")] {
/// use passchip::emulator::{VirtualChip, VirtualDocument};
/// use passchip::reader::{Credentials, PartialRead, ReadOptions, read_document_resuming};
/// use passchip::transport::InProcess;
///
/// let doc = VirtualDocument::specimen();
/// let credentials = Credentials::Mrz(doc.mrz_key());
/// let mut partial = PartialRead::new();
/// let read = loop {
///     let chip = InProcess::new(VirtualChip::new(doc.clone()));
///     match read_document_resuming(chip, &credentials, ReadOptions::default(), &mut partial, &mut |_| {}) {
///         Ok(read) => break read,
///         Err(e) if e.is_interrupted() => continue, // wait for the card to come back
///         Err(e) => panic!("{e}"),
///     }
/// };
/// assert!(read.interruptions.is_empty());
/// # }
/// ```
pub fn read_document_resuming<T: Transport>(
    transport: T,
    credentials: &Credentials,
    options: ReadOptions,
    partial: &mut PartialRead,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<DocumentRead, SessionError> {
    // A reader that failed an extended APDU earlier in this read: short ones from now on.
    let options = if partial.short_apdus { options.short_only() } else { options };
    let policy = options.access;
    let atr_info = options.atr_info && options.extended_length == ExtendedLength::Auto && partial.chunks.is_none();
    let again = options.clone();
    partial.restart_access = false;
    let mut session = Session::new(transport, options);
    if atr_info
        && session.link.supports_extended_length()
        && let Err(e) = session.read_atr_info()
    {
        return Err(session.settle(partial, e, Interruption::Access));
    }
    let card_access = if policy == AccessPolicy::BacOnly {
        None
    } else {
        match session.read_card_access() {
            Ok(c) => c,
            Err(e) => return Err(session.settle(partial, e, Interruption::Access)),
        }
    };
    if let Err(e) = partial.check_same_document(session.link.record.card_access.as_deref()) {
        partial.forget_card();
        return Err(session.settle(partial, e, Interruption::Access));
    }
    if matches!(credentials, Credentials::Pin(_) | Credentials::PinWithCan { .. })
        && partial.is_resuming()
        && !partial.pin_resume_allowed
    {
        return Err(SessionError::PinResumeNeedsConfirmation);
    }
    partial.pin_resume_allowed = false;
    let offered = card_access.as_ref().and_then(choose_pace);
    // Boxed: a plain session and an error are large, and this is the cold path.
    type Opened<T> = Result<(Session<T, Secured>, Option<String>), Box<(Session<T, Plain>, SessionError)>>;
    let bac = |mut session: Session<T, Plain>, note: Option<String>| -> Opened<T> {
        let Some(key) = credentials.mrz() else {
            let e = AccessError::Unsupported("the chip has no PACE and BAC needs the MRZ");
            return Err(Box::new((session, e.into())));
        };
        if let Err(e) = session.select_application() {
            return Err(Box::new((session, e)));
        }
        match session.bac(key) {
            Ok(secured) => Ok((secured, note)),
            Err((session, e)) => Err(Box::new((session, e.into()))),
        }
    };
    let opened = match (policy, offered) {
        (AccessPolicy::BacOnly, _) | (AccessPolicy::Auto | AccessPolicy::AutoWithBacFallback, None) => {
            bac(session, None)
        }
        (AccessPolicy::PaceOnly, None) => Err(Box::new((
            session,
            SessionError::Access(AccessError::Unsupported("the chip offers no PACE variant this version implements")),
        ))),
        (_, Some((protocol, id))) => match session.pace_with_domain(
            &credentials.pace_password(),
            protocol,
            id,
            card_access
                .as_ref()
                .and_then(|c| c.pace_domain_parameters(id))
                .filter(|_| id.is_none_or(|id| standard_id_unknown(protocol, id))),
            &mut OsRandom,
        ) {
            Ok(secured) => Ok((secured, None)),
            // A suspended PIN, and the caller gave the CAN: PACE with the CAN, then the PIN
            // inside that channel, once (standard domain parameters only).
            Err((session, AccessError::PasswordSuspended { password }))
                if credentials.can_for_suspended_pin().is_some() && id.is_some() =>
            {
                let (Some(can), Some(id)) = (credentials.can_for_suspended_pin(), id) else {
                    return Err(SessionError::Access(AccessError::PasswordSuspended { password }));
                };
                match session.pace_with_rng(&can, protocol, id, &mut OsRandom) {
                    Ok(secured) => match secured.pace_inside(&credentials.pace_password(), protocol, id, &mut OsRandom)
                    {
                        Ok(s) => Ok((s, None)),
                        Err((s, e)) => Err(Box::new((s.into_plain(), e.into()))),
                    },
                    Err((session, e)) => Err(Box::new((session, e.into()))),
                }
            }
            Err((session, e)) => {
                // A wrong password is the user's to correct; a hostile domain offer is an
                // attack, not a reason to open the chip with a weaker protocol.
                let no_fallback = matches!(
                    e,
                    AccessError::WrongPassword { .. }
                        | AccessError::PasswordBlocked { .. }
                        | AccessError::PasswordSuspended { .. }
                        | AccessError::NonStandardDomainParameters(_)
                        | AccessError::UnsafeDomainParameters(_)
                );
                // A card that left the field is not a PACE failure: no BAC on its behalf.
                let lost = session.link.record.lost.is_some();
                if policy == AccessPolicy::AutoWithBacFallback && !no_fallback && !lost {
                    bac(session, Some(format!("PACE failed ({e}); BAC used instead")))
                } else {
                    Err(Box::new((session, e.into())))
                }
            }
        },
    };
    let (mut secured, note) = match opened {
        Ok(s) => s,
        Err(failed) => {
            let (mut session, e) = *failed;
            return Err(session.settle(partial, e, Interruption::Access));
        }
    };
    tracing::info!(
        protocol = ?secured.access_protocol(),
        suite = ?secured.suite(),
        bac_fallback = note.as_deref().unwrap_or("none"),
        "access control done"
    );
    let result = secured.continue_read(partial, progress);
    if result.is_err() && core::mem::take(&mut partial.restart_access) {
        // The chip ended secure messaging refusing an EAC-protected group: authenticate
        // again and go on (that group is now skipped, so this happens at most twice).
        return read_document_resuming(secured.into_transport(), credentials, again, partial, progress);
    }
    let mut read = result?;
    if note.is_some() {
        read.downgrade = access_check::detect_downgrade(read.access, &read.files, note.as_deref());
    }
    read.bac_fallback = note;
    // The MRZ key opened the chip (BAC, or PACE with the MRZ): DG1 must be that document.
    let mrz_opened =
        read.access == AccessProtocol::Bac || read.pace.as_ref().is_some_and(|p| p.password == pace::PasswordKind::Mrz);
    if let Some(key) = credentials.mrz().filter(|_| mrz_opened) {
        read.dg1_differs_from_access_mrz = access_check::dg1_differs_from(read.dg1.as_ref(), key);
    }
    if let Some(d) = &read.downgrade {
        tracing::warn!(expected = %d.expected, used = %d.used, "access downgraded");
    }
    if read.dg1_differs_from_access_mrz {
        tracing::warn!("DG1 names another document than the MRZ that opened the chip");
    }
    tracing::info!(
        files = read.files.len(),
        missing = read.missing.len(),
        eac_protected = read.eac_protected.len(),
        apdus = read.stats.apdus,
        "document read"
    );
    Ok(read)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn credentials_never_show_their_secrets() {
        let mrz = MrzKey::new("L898902C3", "740812", "120415").unwrap();
        let all = [
            Credentials::Mrz(mrz.clone()),
            Credentials::Can { can: zeroize::Zeroizing::new("918273".into()), mrz: Some(mrz) },
            Credentials::Pin(zeroize::Zeroizing::new("564738".into())),
        ];
        let shown: Vec<String> = all.iter().map(|c| format!("{c:?}")).collect();
        assert_eq!(shown, ["Credentials::Mrz(..)", "Credentials::Can(.., with MRZ)", "Credentials::Pin(..)"]);
        for s in &shown {
            for secret in ["L898902C3", "740812", "120415", "918273", "564738"] {
                assert!(!s.contains(secret), "{s}");
            }
        }
    }
}
