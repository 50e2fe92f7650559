//! The document dump folder: one file per elementary file, byte-exact as read from the
//! chip, so data read elsewhere (a phone app, a kiosk) can be verified in a back office.
//!
//! ```text
//! EF_COM.bin  DG1.bin … DG16.bin  EF_SOD.bin  EF_CardAccess.bin  EF_CardSecurity.bin
//! active_authentication.json
//! ```
//!
//! `active_authentication.json` is the Active Authentication evidence of the read
//! (`passchip.aa-evidence/1`, see [`crate::active_auth::AaEvidence`]), kept as text here.
//! Missing files are simply absent. Other files in the folder are ignored.

use std::collections::BTreeMap;
use std::path::Path;

use super::{DgNumber, LdsFile};

/// Upper bound on one dump file (matches the reader's default limit).
const MAX_FILE: u64 = 1 << 20;

/// The Active Authentication evidence file.
const AA_EVIDENCE: &str = "active_authentication.json";

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

fn read_opt(dir: &Path, name: &str) -> Result<Option<Vec<u8>>, DumpError> {
    let p = dir.join(name);
    match std::fs::metadata(&p) {
        Ok(m) if m.len() > MAX_FILE => Err(DumpError {
            path: p.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, format!("larger than {MAX_FILE} bytes")),
        }),
        Ok(_) => std::fs::read(&p).map(Some).map_err(|source| DumpError { path: p.display().to_string(), source }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(DumpError { path: p.display().to_string(), source }),
    }
}

impl Dump {
    /// Reads a dump folder.
    ///
    /// # Errors
    /// [`DumpError`] when the folder or a file cannot be read.
    pub fn read(dir: &Path) -> Result<Self, DumpError> {
        if !dir.is_dir() {
            return Err(DumpError {
                path: dir.display().to_string(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "not a folder"),
            });
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

    /// Writes the dump into `dir` (created if needed).
    ///
    /// # Errors
    /// [`DumpError`].
    pub fn write(&self, dir: &Path) -> Result<(), DumpError> {
        let err = |p: &Path| {
            let path = p.display().to_string();
            move |source| DumpError { path, source }
        };
        std::fs::create_dir_all(dir).map_err(err(dir))?;
        let put = |name: &str, b: &Option<Vec<u8>>| -> Result<(), DumpError> {
            if let Some(b) = b {
                let p = dir.join(name);
                std::fs::write(&p, b).map_err(err(&p))?;
            }
            Ok(())
        };
        put("EF_COM.bin", &self.com)?;
        put("EF_SOD.bin", &self.sod)?;
        put("EF_CardAccess.bin", &self.card_access)?;
        put("EF_CardSecurity.bin", &self.card_security)?;
        put(AA_EVIDENCE, &self.active_authentication)?;
        for (n, b) in &self.data_groups {
            put(&format!("DG{}.bin", n.get()), &Some(b.clone()))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_then_read_round_trips() {
        let dir = std::env::temp_dir().join(format!("passchip-dump-{}", std::process::id()));
        let mut files = BTreeMap::new();
        files.insert(LdsFile::Com, vec![0x60, 0]);
        files.insert(LdsFile::Sod, vec![0x77, 0]);
        files.insert(LdsFile::dg(2).unwrap(), vec![0x75, 1, 2]);
        let mut d = Dump::from_files(&files);
        d.card_security = Some(vec![0x30, 0]);
        d.active_authentication = Some(b"{}".to_vec());
        d.write(&dir).unwrap();
        assert_eq!(Dump::read(&dir).unwrap(), d);
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(Dump::read(&dir).is_err());
    }
}
