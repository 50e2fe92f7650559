//! `--face FILE`: the portrait from DG2, as the chip holds it (`.jpg`, `.jp2`, any other
//! name) or decoded and exported as PNG when FILE ends in `.png`.

use std::path::Path;

use passchip::lds::face::Dg2;

/// Writes the first face of `dg2` to `path` (a new file, `0600` on Unix; an existing one
/// only with `force`, and then replaced); returns what was written, for the summary.
pub fn write(dg2: &[u8], path: &Path, force: bool) -> Result<String, String> {
    let parsed = Dg2::parse(dg2).map_err(|e| e.to_string())?;
    let face = parsed.portrait().ok_or("DG2 holds no face image")?;
    let png = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("png"));
    // The face is personal data: whatever was made of it here is wiped when written.
    let bytes = if png {
        passchip::lds::portrait::to_png(face.data).map_err(|e| e.to_string())?
    } else {
        zeroize::Zeroizing::new(face.data.to_vec())
    };
    if force {
        match std::fs::remove_file(path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("{}: {e}", path.display())),
        }
    }
    passchip::lds::dump::write_private_file(path, &bytes).map_err(|e| match e.source.kind() {
        std::io::ErrorKind::AlreadyExists => format!("{}: already exists (--force replaces it)", path.display()),
        _ => e.to_string(),
    })?;
    Ok(if png {
        format!("{} (PNG from {}, {} bytes)", path.display(), face.format, bytes.len())
    } else {
        format!("{} ({}, {} bytes as stored)", path.display(), face.format, bytes.len())
    })
}
