//! Reads that survive the card leaving the field.
//!
//! A holder who lifts the card off the reader in the middle of DG2 should not have to
//! start again: [`PartialRead`] keeps every file read so far, the bytes of the file that
//! was being read, and the chunk sizes learnt from the chip. When the card is presented
//! again, [`super::read_document_resuming`] opens a new session with the same
//! credentials and continues from the last good offset: nothing already read is lost or
//! read twice (only the chunk whose answer never arrived is asked for again).

use std::collections::BTreeMap;

use super::error::{Interruption, SessionError};
use super::read::{ChunkState, Partial};
use super::stats::SessionStats;
use crate::lds::{EfCom, LdsFile};

/// What one document has given so far, kept across card removals and resets.
///
/// Start with [`PartialRead::new`], pass it to [`super::read_document_resuming`] (or
/// [`super::Session::continue_read`]) until the read completes; after a
/// [`SessionError::Interrupted`], present the card again and call once more with the same
/// value. Everything it holds is zeroized when it is dropped, and its `Debug` shows file
/// names and sizes only.
#[derive(Default)]
pub struct PartialRead {
    pub(super) com: Option<EfCom>,
    /// Whether EF.COM was asked for (it may not exist).
    pub(super) com_checked: bool,
    /// Data groups that need Extended Access Control: skipped, or refused.
    pub(super) eac_protected: Vec<LdsFile>,
    /// The chip ended secure messaging refusing one of them: open it again and go on.
    pub(super) restart_access: bool,
    /// The files to read, once EF.COM and EF.SOD are known.
    pub(super) plan: Option<Vec<LdsFile>>,
    pub(super) files: BTreeMap<LdsFile, Vec<u8>>,
    pub(super) missing: Vec<LdsFile>,
    /// The file being read and its bytes so far.
    pub(super) current: Option<(LdsFile, Partial)>,
    /// Chunk sizes learnt from the chip in an earlier session.
    pub(super) chunks: Option<ChunkState>,
    /// The cost of the sessions that ended with an interruption.
    pub(super) earlier: SessionStats,
    pub(super) interruptions: Vec<Interruption>,
    /// EF.CardAccess as the first session read it: a card presented again with another
    /// one is another document (a fast pre-check; EF.SOD decides).
    pub(super) card_access: Option<Option<Vec<u8>>>,
    /// Sessions that reached the read so far (this one included, once it has).
    pub(super) sessions: u32,
    /// The caller confirmed that a PIN try may be spent on the card presented again.
    pub(super) pin_resume_allowed: bool,
    /// The reader failed an extended-length APDU: the rest of the read uses short ones.
    pub(super) short_apdus: bool,
}

impl PartialRead {
    /// Nothing read yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the reader failed an extended-length APDU during this read, so that the
    /// rest of it uses short ones (remember it for the reader: [`crate::reader::ReadOptions::short_only`]).
    #[must_use]
    pub fn reader_needs_short_apdus(&self) -> bool {
        self.short_apdus
    }

    /// The interruptions so far, oldest first.
    #[must_use]
    pub fn interruptions(&self) -> &[Interruption] {
        &self.interruptions
    }

    /// Bytes of file content kept so far (complete files and the current one).
    #[must_use]
    pub fn bytes_kept(&self) -> usize {
        self.files.values().map(Vec::len).sum::<usize>() + self.current.as_ref().map_or(0, |(_, p)| p.data.len())
    }

    /// Lets the next resumed session run PACE with the PIN on the card presented again.
    /// Until EF.SOD has been read again, that card is not known to be the document read
    /// before, and a PACE with the PIN costs a try of whatever card it is: ask the holder
    /// first. Valid for one session.
    pub fn allow_pin_on_resume(&mut self) {
        self.pin_resume_allowed = true;
    }

    /// Whether data of an earlier session is kept (a read to resume, not a new one).
    #[must_use]
    pub fn is_resuming(&self) -> bool {
        self.sessions > 0 && (self.com_checked || !self.files.is_empty() || self.current.is_some())
    }

    /// Forgets everything read from the document (wiped), as if no session had read it
    /// (EF.CardAccess of the first session is kept: see [`Self::forget_card`]).
    pub(super) fn forget_document(&mut self) {
        for bytes in self.files.values_mut() {
            zeroize::Zeroize::zeroize(bytes);
        }
        self.files.clear();
        self.current = None;
        self.com = None;
        self.com_checked = false;
        self.plan = None;
        self.missing.clear();
        self.eac_protected.clear();
    }

    /// Forgets the document and the card: the one presented again is another document.
    pub(super) fn forget_card(&mut self) {
        self.forget_document();
        self.card_access = None;
    }

    /// Where the next session takes over.
    pub(super) fn position(&self) -> Interruption {
        match (&self.current, &self.plan) {
            (Some((file, p)), _) => Interruption::Read { file: *file, offset: p.data.len() },
            (None, Some(_)) => Interruption::AntiCloning,
            (None, None) => Interruption::Read { file: LdsFile::Com, offset: 0 },
        }
    }

    /// Whether `file` was already read, or found missing.
    pub(super) fn done(&self, file: LdsFile) -> bool {
        self.files.contains_key(&file) || self.missing.contains(&file)
    }

    /// Checks that the chip presented now is the one read before, as far as EF.CardAccess
    /// tells, and remembers the first session's.
    pub(super) fn check_same_document(&mut self, card_access: Option<&[u8]>) -> Result<(), SessionError> {
        match &self.card_access {
            Some(first) if first.as_deref() != card_access => Err(SessionError::DifferentDocument),
            Some(_) => Ok(()),
            None => {
                self.card_access = Some(card_access.map(<[u8]>::to_vec));
                Ok(())
            }
        }
    }
}

impl Drop for PartialRead {
    fn drop(&mut self) {
        for bytes in self.files.values_mut() {
            zeroize::Zeroize::zeroize(bytes);
        }
    }
}

impl core::fmt::Debug for PartialRead {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let files: Vec<(String, usize)> = self.files.iter().map(|(f, b)| (f.name(), b.len())).collect();
        f.debug_struct("PartialRead")
            .field("files", &files)
            .field("missing", &self.missing)
            .field("current", &self.current.as_ref().map(|(f, p)| (f.name(), p.data.len(), p.total)))
            .field("interruptions", &self.interruptions)
            .finish_non_exhaustive()
    }
}
