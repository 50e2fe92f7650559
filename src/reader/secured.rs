//! What a secured session does: read the LDS files, run the anti-cloning protocols.

use std::collections::BTreeMap;

use super::access_check;
use super::anti_cloning::{self, AntiCloningRead, Attempt};
use super::document::DocumentRead;
use super::error::SessionError;
use super::options::{ExtendedLength, needs_eac};
use super::read::{self, Progress, ReadError};
use super::resume::PartialRead;
use super::session::{Plain, Secured, Session, Tunnel};
use super::stats::Phase;
use crate::access::pace::{self, PaceOutcome, PacePassword};
use crate::access::{AccessError, AccessProtocol};
use crate::apdu::{Command, StatusWord};
use crate::crypto::{OsRandom, RandomSource};
use crate::lds::security_infos::PaceProtocol;
use crate::lds::{Dg1, DgNumber, EfCom, LdsFile};
use crate::sm::{SmError, SuiteKind};
use crate::transport::Transport;

impl<T: Transport> Session<T, Secured> {
    /// Runs PACE again inside this channel (e.g. the PIN after the CAN for a suspended
    /// PIN); on success the new keys replace the old ones and the eMRTD application is
    /// selected through them.
    ///
    /// # Errors
    /// This session (still on its old keys when the chip kept them) and the error.
    pub fn pace_inside(
        mut self,
        password: &PacePassword,
        protocol: PaceProtocol,
        parameter_id: u32,
        rng: &mut dyn RandomSource,
    ) -> Result<Self, (Box<Self>, AccessError)> {
        let mut tunnel = Tunnel { channel: &mut self.state.channel, link: &mut self.link };
        match pace::authenticate(&mut tunnel, password, protocol, parameter_id, rng) {
            Ok((channel, outcome)) => {
                self.state.channel = channel;
                self.state.pace = Some(outcome);
                match self.state.channel.transmit(&mut self.link, &Command::select_emrtd_application()) {
                    Ok(r) if r.sw().is_ok() => Ok(self),
                    Ok(r) => {
                        let status = r.sw();
                        Err((Box::new(self), AccessError::Refused { step: "SELECT eMRTD application", status }))
                    }
                    Err(_) => Err((Box::new(self), AccessError::Malformed("SELECT eMRTD application under PACE"))),
                }
            }
            Err(e) => Err((Box::new(self), e)),
        }
    }

    /// Leaves secure messaging (its keys are dropped and wiped); the link stays, for the
    /// bookkeeping of a read that stops here.
    pub(super) fn into_plain(self) -> Session<T, Plain> {
        Session { link: self.link, options: self.options, started: self.started, state: Plain { _private: () } }
    }

    /// RESET RETRY COUNTER for the PIN (`00 2C 03 03`), in a channel opened with the PUK.
    ///
    /// # Errors
    /// [`AccessError::Refused`] with the chip's status, or a broken channel.
    pub fn reset_pin_retry_counter(&mut self) -> Result<(), AccessError> {
        let cmd = Command::new(0x00, crate::apdu::ins::RESET_RETRY_COUNTER, 0x03, 0x03);
        match self.state.channel.transmit(&mut self.link, &cmd) {
            Ok(r) if r.sw().is_ok() => Ok(()),
            Ok(r) => Err(AccessError::Refused { step: "RESET RETRY COUNTER", status: r.sw() }),
            Err(_) => Err(AccessError::Malformed("RESET RETRY COUNTER under secure messaging")),
        }
    }

    /// The protocol that opened the channel.
    pub fn access_protocol(&self) -> AccessProtocol {
        self.state.access
    }

    /// What PACE ran, when it did.
    pub fn pace_outcome(&self) -> Option<&PaceOutcome> {
        self.state.pace.as_ref()
    }

    /// The secure-messaging cipher suite.
    pub fn suite(&self) -> SuiteKind {
        self.state.channel.suite()
    }

    /// Whether extended-length reads are in use (known after the first read).
    pub fn uses_extended_length(&self) -> bool {
        self.state.chunks.extended().is_some()
    }

    /// Reads a whole file, or `None` if the chip says it does not exist (`6A82`).
    ///
    /// # Errors
    /// [`ReadError`].
    pub fn read_file(&mut self, file: LdsFile) -> Result<Option<Vec<u8>>, ReadError> {
        self.read_file_with_progress(file, &mut |_| {})
    }

    /// [`Session::read_file`] with a progress callback, called after each chunk.
    ///
    /// # Errors
    /// [`ReadError`].
    pub fn read_file_with_progress(
        &mut self,
        file: LdsFile,
        progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<Option<Vec<u8>>, ReadError> {
        self.read_target(&read::Target { name: file.to_string(), fid: file.fid(), sfi: Some(file.sfi()) }, progress)
    }

    /// The one path every read takes.
    pub(super) fn read_target(
        &mut self,
        target: &read::Target,
        progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<Option<Vec<u8>>, ReadError> {
        self.read_target_into(target, &mut read::Partial::default(), progress)
    }

    /// Reads `target`, continuing from the bytes already in `buf`.
    pub(super) fn read_target_into(
        &mut self,
        target: &read::Target,
        buf: &mut read::Partial,
        progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<Option<Vec<u8>>, ReadError> {
        let Secured { channel, chunks, .. } = &mut self.state;
        read::read_file(&mut self.link, channel, chunks, &self.options, target, buf, progress)
    }

    /// Reads an elementary file of the eMRTD application by file identifier (SELECT, no SFI).
    ///
    /// # Errors
    /// [`ReadError`].
    pub fn read_fid(&mut self, fid: [u8; 2]) -> Result<Option<Vec<u8>>, ReadError> {
        let target = read::Target { name: format!("EF {:02X}{:02X}", fid[0], fid[1]), fid, sfi: None };
        self.read_target(&target, &mut |_| {})
    }

    /// Reads an elementary file of the eMRTD application by short EF identifier (1..=30).
    /// Where the chip does not take SFIs, the file is selected as `01 ‖ SFI`, which is its
    /// identifier for every file of the eMRTD application (ICAO 9303-10 table 41).
    ///
    /// # Errors
    /// [`ReadError`].
    pub fn read_sfi(&mut self, sfi: u8) -> Result<Option<Vec<u8>>, ReadError> {
        let target = read::Target { name: format!("SFI {sfi:02X}"), fid: [0x01, sfi & 0x1F], sfi: Some(sfi & 0x1F) };
        self.read_target(&target, &mut |_| {})
    }

    /// Reads EF.COM, then every data group it lists (except DG3 and DG4, which need
    /// Extended Access Control), then EF.SOD.
    ///
    /// # Errors
    /// [`SessionError`] for a failed read or an invalid EF.COM / DG1.
    pub fn read_document(&mut self, progress: &mut dyn FnMut(Progress<'_>)) -> Result<DocumentRead, SessionError> {
        self.continue_read(&mut PartialRead::new(), progress)
    }

    /// [`Session::read_document`], continuing from what `partial` kept of an earlier,
    /// interrupted session with the same document (see [`read_document_resuming`](super::read_document_resuming)).
    ///
    /// # Errors
    /// As [`Session::read_document`]; [`SessionError::Interrupted`] when the card leaves
    /// the field again (`partial` keeps what was read).
    pub fn continue_read(
        &mut self,
        partial: &mut PartialRead,
        progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<DocumentRead, SessionError> {
        if let Some(chunks) = &partial.chunks {
            self.state.chunks = chunks.clone();
        }
        partial.sessions = partial.sessions.saturating_add(1);
        let result = self.continue_read_inner(partial, progress);
        partial.chunks = Some(self.state.chunks.clone());
        result.map_err(|e| {
            let during = partial.position();
            self.settle(partial, e, during)
        })
    }

    /// Reads `file` into `partial`, continuing where an earlier session stopped.
    pub(super) fn read_kept(
        &mut self,
        partial: &mut PartialRead,
        file: LdsFile,
        progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<Option<Vec<u8>>, ReadError> {
        let slot = partial.current.get_or_insert_with(|| (file, read::Partial::default()));
        if slot.0 != file {
            *slot = (file, read::Partial::default());
        }
        let target = read::Target { name: file.to_string(), fid: file.fid(), sfi: Some(file.sfi()) };
        let r = self.read_target_into(&target, &mut slot.1, progress);
        if r.is_ok() {
            partial.current = None;
        }
        r
    }

    /// A resumed session proves it talks to the chip the earlier ones read: it reads EF.SOD
    /// again through its own channel and requires it byte for byte (EF.CardAccess is the
    /// same for every card of a model, and absent on BAC chips). Nothing signed kept yet:
    /// start over. Another document: what was kept is wiped.
    pub(super) fn recheck_same_document(
        &mut self,
        partial: &mut PartialRead,
        progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<(), SessionError> {
        let kept_prefix = match (&partial.current, partial.files.get(&LdsFile::Sod)) {
            (_, Some(sod)) => Some((sod.clone(), true)),
            (Some((LdsFile::Sod, p)), None) if !p.data.is_empty() => Some((p.data.clone(), false)),
            _ => None,
        };
        let Some((kept, complete)) = kept_prefix.map(|(b, c)| (zeroize::Zeroizing::new(b), c)) else {
            // Only EF.COM (a hint, signed by no one) or nothing: read from the start.
            partial.forget_document();
            return Ok(());
        };
        let target =
            read::Target { name: LdsFile::Sod.to_string(), fid: LdsFile::Sod.fid(), sfi: Some(LdsFile::Sod.sfi()) };
        let fresh = self.read_target(&target, progress)?;
        let same = match &fresh {
            Some(f) if complete => crate::crypto::ct_eq(f, &kept),
            Some(f) => f.get(..kept.len()).is_some_and(|head| crate::crypto::ct_eq(head, &kept)),
            None => false,
        };
        if !same {
            tracing::warn!("the card presented again has another EF.SOD: another document; what was kept is wiped");
            partial.forget_card();
            return Err(SessionError::DifferentDocument);
        }
        if let (Some(f), false) = (fresh, complete) {
            partial.files.insert(LdsFile::Sod, f);
            partial.current = None;
        }
        Ok(())
    }

    pub(super) fn continue_read_inner(
        &mut self,
        partial: &mut PartialRead,
        progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<DocumentRead, SessionError> {
        self.link.enter(Phase::Read);
        if partial.sessions > 1 {
            self.recheck_same_document(partial, progress)?;
        }
        let plan = match &partial.plan {
            Some(plan) => plan.clone(),
            None => {
                // EF.COM, then EF.SOD, each once even across interruptions.
                if !partial.com_checked {
                    if let Some(b) = self.read_kept(partial, LdsFile::Com, progress)? {
                        partial.com = Some(EfCom::parse(&b)?);
                        partial.files.insert(LdsFile::Com, b);
                    }
                    partial.com_checked = true;
                }
                if !partial.done(LdsFile::Sod) {
                    match self.read_kept(partial, LdsFile::Sod, progress)? {
                        Some(b) => {
                            partial.files.insert(LdsFile::Sod, b);
                        }
                        None => partial.missing.push(LdsFile::Sod),
                    }
                }
                // The SOD's list is the truth, EF.COM's a hint: read what either lists (a
                // group only EF.COM names is then reported as not covered by the SOD).
                let hashed = partial
                    .files
                    .get(&LdsFile::Sod)
                    .and_then(|b| crate::lds::Sod::parse(b).ok())
                    .map(|s| s.security_object.hashes.keys().copied().collect::<Vec<_>>())
                    .unwrap_or_default();
                let mut listed: std::collections::BTreeSet<DgNumber> = hashed.into_iter().collect();
                listed.extend(partial.com.iter().flat_map(|c| c.data_groups.iter().copied()));
                if listed.is_empty() {
                    listed.extend(DgNumber::new(1));
                }
                let (wanted, skipped) = self.options.data_groups.resolve(&listed);
                partial.eac_protected = skipped.into_iter().map(LdsFile::Dg).collect();
                let plan: Vec<LdsFile> = wanted.into_iter().map(LdsFile::Dg).collect();
                partial.plan = Some(plan.clone());
                plan
            }
        };
        for file in plan {
            if partial.done(file) || partial.eac_protected.contains(&file) {
                continue;
            }
            match self.read_kept(partial, file, progress) {
                Ok(Some(bytes)) => {
                    tracing::debug!(file = %file, bytes = bytes.len(), "file read");
                    partial.files.insert(file, bytes);
                }
                Ok(None) => {
                    tracing::debug!(file = %file, "listed but not on the chip");
                    partial.missing.push(file);
                }
                // A refusal inside secure messaging leaves the channel open: note it and
                // go on with the next file (DG3/DG4 without Terminal Authentication).
                Err(ReadError::EacProtected { .. }) if self.state.channel.is_open() => {
                    tracing::info!(file = %file, "protected by EAC: not read without Terminal Authentication");
                    partial.current = None;
                    partial.eac_protected.push(file);
                }
                // Some chips refuse DG3/DG4 with a bare 6982 that ends secure messaging: the
                // group is noted and the caller's read authenticates again.
                Err(ReadError::Sm(SmError::Unprotected(StatusWord::SecurityStatusNotSatisfied))) if matches!(file, LdsFile::Dg(d) if needs_eac(d)) =>
                {
                    tracing::info!(file = %file, "protected by EAC; the chip ended secure messaging refusing it");
                    partial.current = None;
                    partial.eac_protected.push(file);
                    partial.restart_access = true;
                    return Err(ReadError::EacProtected { file: file.to_string() }.into());
                }
                Err(e) => return Err(e.into()),
            }
        }
        let dg1 = match LdsFile::dg(1).and_then(|f| partial.files.get(&f)) {
            Some(b) => Some(Dg1::parse(b)?),
            None => None,
        };
        if let Some(d) = dg1.as_ref().filter(|_| self.options.personal_data_in_logs) {
            // Only on the caller's request (ReadOptions::with_personal_data_in_logs).
            tracing::debug!(
                document_number = %d.mrz.document_number,
                name = %format!("{}, {}", d.mrz.primary_identifier, d.mrz.secondary_identifier),
                "holder"
            );
        }
        // The suite access control established (Chip Authentication may replace it).
        let suite = self.suite();
        let extended_length = self.uses_extended_length();
        self.link.enter(Phase::AntiCloning);
        let anti_cloning = if self.options.anti_cloning {
            self.anti_cloning(&partial.files, &mut OsRandom)
        } else {
            AntiCloningRead::not_run("anti-cloning checks were turned off by the caller")
        };
        if let Some(cause) = &self.link.record.lost {
            // The checks could not be completed, not because the chip failed them: the next
            // session runs them again.
            return Err(SessionError::Transport(cause.clone()));
        }
        let mut anti_cloning = anti_cloning;
        anti_cloning.session = partial.sessions;
        let mut stats = partial.earlier;
        stats.absorb(&self.stats());
        Ok(DocumentRead {
            card_security: self.state.card_security.clone(),
            card_access: self.link.record.card_access.clone(),
            anti_cloning,
            access: self.state.access,
            pace: self.state.pace.clone(),
            bac_fallback: None,
            downgrade: access_check::detect_downgrade(self.state.access, &partial.files, None),
            dg1_differs_from_access_mrz: false,
            extended_length,
            suite,
            com: partial.com.take(),
            dg1,
            files: core::mem::take(&mut partial.files),
            missing: core::mem::take(&mut partial.missing),
            eac_protected: core::mem::take(&mut partial.eac_protected),
            interruptions: partial.interruptions.clone(),
            stats,
        })
    }
}

impl<T: Transport> Session<T, Secured> {
    /// Checks PACE-CAM against EF.CardSecurity, then runs Chip Authentication with DG14's
    /// key (unless PACE-CAM already proved the chip) and Active Authentication with
    /// DG15's key, each only when the chip has the file. After a failed Chip
    /// Authentication the channel is closed and Active Authentication is not attempted.
    pub fn anti_cloning(&mut self, files: &BTreeMap<LdsFile, Vec<u8>>, rng: &mut dyn RandomSource) -> AntiCloningRead {
        let dg = |n: u8| LdsFile::dg(n).and_then(|f| files.get(&f)).map(Vec::as_slice);
        let cam = self.state.pace.as_ref().and_then(|p| p.cam.clone());
        let pace_cam = anti_cloning::check_cam(cam.as_ref(), self.state.card_security.as_deref(), files);
        let Secured { channel, .. } = &mut self.state;
        let chip_authentication = if pace_cam.passed() {
            Attempt::NotAvailable("PACE-CAM already proved EF.CardSecurity's key, which DG14 agrees with".into())
        } else {
            anti_cloning::run_chip_authentication(&mut self.link, channel, dg(14), rng)
        };
        let (active_authentication, active_authentication_evidence) = if !channel.is_open() {
            (Attempt::NotAvailable("secure messaging ended with the failed Chip Authentication".into()), None)
        } else {
            anti_cloning::run_active_authentication(
                &mut self.link,
                channel,
                dg(14),
                dg(15),
                self.options.aa_challenge,
                self.options.extended_length != ExtendedLength::Never,
                rng,
            )
        };
        AntiCloningRead {
            pace_cam,
            chip_authentication,
            active_authentication,
            active_authentication_evidence,
            session: 1,
            pace_cam_evidence: cam,
        }
    }
}
