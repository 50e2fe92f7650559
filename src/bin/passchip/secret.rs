//! Secrets off the command line: other local users see arguments (`ps`, `/proc`) and
//! shells keep them. `--can -`, `--pin -`, `--mrz -` read the secret from standard input,
//! with a prompt that does not echo when a terminal is attached; `PASSCHIP_CAN`,
//! `PASSCHIP_PIN` and `PASSCHIP_MRZ` carry them from the environment.

use std::io::{BufRead, IsTerminal, Read};

use zeroize::Zeroizing;

/// The secret `value` stands for: itself, or for `-` what standard input gives (one line,
/// or everything for the MRZ's several lines).
pub fn resolve(value: &str, what: &str, multiline: bool) -> Result<Zeroizing<String>, String> {
    if value != "-" {
        return Ok(Zeroizing::new(value.to_string()));
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        if multiline {
            eprintln!("{what} (end with an empty line):");
            let mut all = Zeroizing::new(String::new());
            loop {
                let line = Zeroizing::new(rpassword::read_password().map_err(|e| format!("{what}: {e}"))?);
                if line.trim().is_empty() {
                    break;
                }
                all.push_str(line.trim());
                all.push('\n');
            }
            return Ok(all);
        }
        let line = rpassword::prompt_password(format!("{what}: ")).map_err(|e| format!("{what}: {e}"))?;
        return Ok(Zeroizing::new(line.trim().to_string()));
    }
    // One line per secret (`--pin - --can -` read two lines), everything for the MRZ.
    let mut all = Zeroizing::new(String::new());
    let mut input = stdin.lock().take(4096);
    let read = if multiline { input.read_to_string(&mut all) } else { input.read_line(&mut all) };
    read.map_err(|e| format!("{what} from standard input: {e}"))?;
    let text = all.trim().to_string();
    if text.is_empty() {
        return Err(format!("{what}: standard input gave nothing"));
    }
    Ok(Zeroizing::new(text))
}
