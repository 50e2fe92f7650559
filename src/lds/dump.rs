//! The document dump folder: one file per elementary file, byte-exact as read from the
//! chip, so data read elsewhere (a phone app, a kiosk) can be verified in a back office.
//!
//! ```text
//! EF_COM.bin  DG1.bin … DG16.bin  EF_SOD.bin  EF_CardAccess.bin  EF_CardSecurity.bin
//! active_authentication.json  anti_cloning.json
//! ```
//!
//! `active_authentication.json` is the Active Authentication evidence of the read
//! (`passchip.aa-evidence/1`, see [`crate::active_auth::AaEvidence`]), kept as text here.
//! `anti_cloning.json` (`passchip.anti-cloning/1`) records how the read's anti-cloning
//! protocols went, so that a clone the reader caught fails again when the dump is
//! verified. It is the reader's word, not evidence: its absence proves nothing.
//! Missing files are simply absent. Other files in the folder are ignored.

use std::collections::BTreeMap;
use std::path::Path;

use super::{DgNumber, LdsFile};

/// Upper bound on one dump file (matches the reader's default limit).
const MAX_FILE: u64 = 1 << 20;

/// The Active Authentication evidence file.
const AA_EVIDENCE: &str = "active_authentication.json";

/// The anti-cloning record of the read.
const ANTI_CLONING: &str = "anti_cloning.json";

/// The files of one document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Dump {
    /// EF.COM.
    pub com: Option<Vec<u8>>,
    /// Data groups by number.
    pub data_groups: BTreeMap<DgNumber, Vec<u8>>,
    /// EF.SOD.
    pub sod: Option<Vec<u8>>,
    /// EF.CardAccess (in the master file).
    pub card_access: Option<Vec<u8>>,
    /// EF.CardSecurity (in the master file).
    pub card_security: Option<Vec<u8>>,
    /// Active Authentication evidence (`passchip.aa-evidence/1` JSON), when it was run.
    pub active_authentication: Option<Vec<u8>>,
    /// How the read's anti-cloning protocols went (`passchip.anti-cloning/1` JSON).
    pub anti_cloning: Option<Vec<u8>>,
}

impl Drop for Dump {
    /// A dump is personal data (DG1 is the MRZ, DG2 the face): every copy is wiped.
    fn drop(&mut self) {
        use zeroize::Zeroize;
        for b in self.data_groups.values_mut() {
            b.zeroize();
        }
        for b in [
            &mut self.com,
            &mut self.sod,
            &mut self.card_access,
            &mut self.card_security,
            &mut self.active_authentication,
            &mut self.anti_cloning,
        ]
        .into_iter()
        .flatten()
        {
            b.zeroize();
        }
    }
}

/// A dump folder could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct DumpError {
    /// The path involved.
    pub path: String,
    /// What went wrong.
    #[source]
    pub source: std::io::Error,
}

impl DumpError {
    fn new(path: &Path, source: std::io::Error) -> Self {
        Self { path: path.display().to_string(), source }
    }

    fn invalid(path: &Path, why: &str) -> Self {
        Self::new(path, std::io::Error::new(std::io::ErrorKind::InvalidData, why.to_string()))
    }
}

/// Every name a dump writes, and the only names it reads.
fn dump_names() -> impl Iterator<Item = String> {
    ["EF_COM.bin", "EF_SOD.bin", "EF_CardAccess.bin", "EF_CardSecurity.bin", AA_EVIDENCE, ANTI_CLONING]
        .into_iter()
        .map(str::to_string)
        .chain(DgNumber::all().map(|n| format!("DG{}.bin", n.get())))
}

/// Opens `p` for reading without following a symbolic link and without blocking on a FIFO
/// swapped in after the check (Unix: `O_NOFOLLOW | O_NONBLOCK`).
fn open_no_follow(p: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    options.open(p)
}

/// Reads one file of a dump: `None` when absent. A dump folder is an upload: only a
/// regular file counts (no symbolic link, FIFO or device), it is read through one handle,
/// and at most [`MAX_FILE`] bytes of it.
fn read_opt(dir: &Path, name: &str) -> Result<Option<Vec<u8>>, DumpError> {
    use std::io::Read;
    let p = dir.join(name);
    match std::fs::symlink_metadata(&p) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(DumpError::new(&p, e)),
        Ok(m) if !m.file_type().is_file() => {
            return Err(DumpError::invalid(&p, "not a regular file (a link, FIFO or device is refused)"));
        }
        Ok(_) => {}
    }
    let file = open_no_follow(&p).map_err(|e| DumpError::new(&p, e))?;
    // What is judged is what this handle reads, whatever the path names by now.
    let meta = file.metadata().map_err(|e| DumpError::new(&p, e))?;
    if !meta.file_type().is_file() {
        return Err(DumpError::invalid(&p, "not a regular file (a link, FIFO or device is refused)"));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE + 1).read_to_end(&mut bytes).map_err(|e| DumpError::new(&p, e))?;
    if bytes.len() as u64 > MAX_FILE {
        zeroize::Zeroize::zeroize(&mut bytes);
        return Err(DumpError::invalid(&p, &format!("larger than {MAX_FILE} bytes")));
    }
    Ok(Some(bytes))
}

/// What [`Dump::write`] does with a folder that already holds files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Overwrite {
    /// Refuse a folder that is not empty (another person's dump must not be mixed in).
    Refuse,
    /// Remove every dump file already there first (links themselves, never what they
    /// point to), then write: replace, never mix.
    Replace,
}

impl Dump {
    /// Reads a dump folder: each file once, regular files only, each bounded.
    ///
    /// # Errors
    /// [`DumpError`] when the folder or a file cannot be read, or a file is a link, a
    /// FIFO, a device or too large.
    pub fn read(dir: &Path) -> Result<Self, DumpError> {
        if !dir.is_dir() {
            return Err(DumpError::new(dir, std::io::Error::new(std::io::ErrorKind::NotFound, "not a folder")));
        }
        let mut data_groups = BTreeMap::new();
        for n in DgNumber::all() {
            if let Some(b) = read_opt(dir, &format!("DG{}.bin", n.get()))? {
                data_groups.insert(n, b);
            }
        }
        Ok(Self {
            com: read_opt(dir, "EF_COM.bin")?,
            data_groups,
            sod: read_opt(dir, "EF_SOD.bin")?,
            card_access: read_opt(dir, "EF_CardAccess.bin")?,
            card_security: read_opt(dir, "EF_CardSecurity.bin")?,
            active_authentication: read_opt(dir, AA_EVIDENCE)?,
            anti_cloning: read_opt(dir, ANTI_CLONING)?,
        })
    }

    /// A dump of files read from the eMRTD application.
    #[must_use]
    pub fn from_files(files: &BTreeMap<LdsFile, Vec<u8>>) -> Self {
        let mut d = Self::default();
        for (f, b) in files {
            match f {
                LdsFile::Com => d.com = Some(b.clone()),
                LdsFile::Sod => d.sod = Some(b.clone()),
                LdsFile::Dg(n) => {
                    d.data_groups.insert(*n, b.clone());
                }
            }
        }
        d
    }

    /// Writes the dump into `dir`, created when missing (Unix: the folder `0700`, each
    /// file `0600`: a dump is personal data). Files are created new, never through a
    /// link. A folder that already holds files is refused or emptied of dump files first,
    /// as `overwrite` says.
    ///
    /// # Errors
    /// [`DumpError`], also for a folder that is not empty under [`Overwrite::Refuse`].
    pub fn write(&self, dir: &Path, overwrite: Overwrite) -> Result<(), DumpError> {
        make_private_dir(dir)?;
        let mut entries = std::fs::read_dir(dir).map_err(|e| DumpError::new(dir, e))?;
        if overwrite == Overwrite::Refuse && entries.next().is_some() {
            return Err(DumpError::new(
                dir,
                std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "the folder is not empty (another dump must not be mixed in; --force replaces it)",
                ),
            ));
        }
        if overwrite == Overwrite::Replace {
            for name in dump_names() {
                let p = dir.join(&name);
                match std::fs::remove_file(&p) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(DumpError::new(&p, e)),
                }
            }
        }
        let put = |name: &str, b: Option<&[u8]>| -> Result<(), DumpError> {
            match b {
                Some(b) => write_private_file(&dir.join(name), b),
                None => Ok(()),
            }
        };
        put("EF_COM.bin", self.com.as_deref())?;
        put("EF_SOD.bin", self.sod.as_deref())?;
        put("EF_CardAccess.bin", self.card_access.as_deref())?;
        put("EF_CardSecurity.bin", self.card_security.as_deref())?;
        put(AA_EVIDENCE, self.active_authentication.as_deref())?;
        put(ANTI_CLONING, self.anti_cloning.as_deref())?;
        for (n, b) in &self.data_groups {
            put(&format!("DG{}.bin", n.get()), Some(b))?;
        }
        Ok(())
    }
}

/// Creates `dir` (and its parents) when missing; a new folder is `0700` on Unix.
pub fn make_private_dir(dir: &Path) -> Result<(), DumpError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|e| DumpError::new(dir, e))
}

/// Writes `bytes` to a new file at `p` (`0600` on Unix), never through an existing file or
/// link: one that exists is an error.
pub fn write_private_file(p: &Path, bytes: &[u8]) -> Result<(), DumpError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    let mut file = options.open(p).map_err(|e| DumpError::new(p, e))?;
    file.write_all(bytes).map_err(|e| DumpError::new(p, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("passchip-dump-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn sample() -> Dump {
        let mut files = BTreeMap::new();
        files.insert(LdsFile::Com, vec![0x60, 0]);
        files.insert(LdsFile::Sod, vec![0x77, 0]);
        files.insert(LdsFile::dg(2).unwrap(), vec![0x75, 1, 2]);
        let mut d = Dump::from_files(&files);
        d.card_security = Some(vec![0x30, 0]);
        d.active_authentication = Some(b"{}".to_vec());
        d
    }

    #[test]
    fn write_then_read_round_trips() {
        let dir = tmp("round-trip");
        let d = sample();
        d.write(&dir, Overwrite::Refuse).unwrap();
        assert_eq!(Dump::read(&dir).unwrap(), d);
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(Dump::read(&dir).is_err());
    }

    /// A reused folder is refused, or emptied of the previous dump: never mixed (the
    /// previous person's DG11 must not stay beside the new SOD).
    #[test]
    fn a_folder_is_never_mixed() {
        let dir = tmp("mixed");
        let mut first = sample();
        first.data_groups.insert(DgNumber::new(11).unwrap(), vec![0x6B, 0]);
        first.write(&dir, Overwrite::Refuse).unwrap();
        let second = sample();
        let e = second.write(&dir, Overwrite::Refuse).unwrap_err();
        assert_eq!(e.source.kind(), std::io::ErrorKind::AlreadyExists);
        second.write(&dir, Overwrite::Replace).unwrap();
        assert_eq!(Dump::read(&dir).unwrap(), second, "DG11 of the first dump is gone");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn files_and_folder_are_private_and_links_are_never_followed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tmp("private");
        sample().write(&dir, Overwrite::Refuse).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("EF_SOD.bin")), 0o600);
        // A link planted where a file will be written: the write fails, the target is untouched.
        let target = tmp("target");
        std::fs::write(&target, b"keep").unwrap();
        let planted = tmp("planted");
        std::fs::create_dir(&planted).unwrap();
        std::os::unix::fs::symlink(&target, planted.join("EF_COM.bin")).unwrap();
        let e = write_private_file(&planted.join("EF_COM.bin"), b"new").unwrap_err();
        assert_eq!(e.source.kind(), std::io::ErrorKind::AlreadyExists);
        // Replacing removes the link itself, never what it points to.
        sample().write(&planted, Overwrite::Replace).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"keep");
        for d in [&dir, &planted] {
            std::fs::remove_dir_all(d).unwrap();
        }
        std::fs::remove_file(&target).unwrap();
    }
}
