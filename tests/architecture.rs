//! The architecture holds: a module uses only the layers below it (the order of the
//! developers' guide and docs/architecture.md), nothing but tests uses the emulator, and
//! no two files of one folder import each other, directly or around a ring.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, lowest first; modules of one layer may use each other.
const LAYERS: &[&[&str]] = &[
    &["date", "oid"],
    &["tlv", "apdu"],
    &["crypto"],
    &["mrz"],
    &["transport"],
    &["sm"],
    &["access", "chip_auth", "active_auth"],
    &["lds"],
    &["pki"],
    &["reader"],
    &["identity"],
    &["ledger"],
    &["kiosk"],
];

fn layer(top: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&top))
}

/// Every library source file and its module path (`crate::reader::session`).
fn modules() -> BTreeMap<String, PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n != "bin") {
                    walk(&p, out);
                }
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&src).unwrap().with_extension("");
            let mut parts: Vec<String> = rel.iter().map(|s| s.to_string_lossy().into_owned()).collect();
            if parts.last().is_some_and(|l| l == "mod" || l == "lib") {
                parts.pop();
            }
            let mut m = vec!["crate".to_string()];
            m.extend(parts);
            (m.join("::"), p)
        })
        .collect()
}

/// The code of a file without comments and without its test module.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if t.starts_with("#[cfg(")
            && t.contains("test")
            && lines.peek().is_some_and(|n| n.trim_start().starts_with("mod tests"))
        {
            break;
        }
        if !t.starts_with("//") {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The paths a file names: `crate::…`, `super::…`, `self::…`.
fn paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    for start in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(i) = code[from..].find(start) {
            let at = from + i;
            from = at + start.len();
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
                continue;
            }
            let mut end = at;
            while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_' || bytes[end] == b':')
            {
                end += 1;
            }
            out.push(code[at..end].split("::").filter(|s| !s.is_empty()).map(String::from).collect());
        }
    }
    out
}

/// The module a path lands in (the longest prefix that is a file).
fn resolve(current: &str, path: &[String], mods: &BTreeMap<String, PathBuf>, is_mod_file: bool) -> Option<String> {
    let mut base: Vec<String> = current.split("::").map(String::from).collect();
    let mut rest = path;
    if rest.first().is_some_and(|s| s == "crate") {
        base = vec!["crate".into()];
        rest = &rest[1..];
    } else {
        // In `foo.rs` (module `a::foo`) `super` is `a`; `self` is the module itself.
        while let Some(s) = rest.first() {
            match s.as_str() {
                "super" => {
                    base.pop();
                }
                "self" => {}
                _ => break,
            }
            rest = &rest[1..];
        }
        let _ = is_mod_file;
    }
    (0..=rest.len()).rev().find_map(|k| {
        let mut m = base.clone();
        m.extend(rest[..k].iter().cloned());
        let m = m.join("::");
        mods.contains_key(&m).then_some(m)
    })
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mods = modules();
    let mut edges = BTreeMap::new();
    for (m, path) in &mods {
        let name = path.file_name().unwrap().to_string_lossy();
        if name == "tests.rs" {
            continue; // a protocol's test file may use anything
        }
        let is_mod = name == "mod.rs" || name == "lib.rs";
        let deps: BTreeSet<String> =
            paths(&code(path)).iter().filter_map(|p| resolve(m, p, &mods, is_mod)).filter(|d| d != m).collect();
        edges.insert(m.clone(), deps);
    }
    edges
}

fn top(m: &str) -> Option<&str> {
    m.split("::").nth(1)
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let mut wrong = Vec::new();
    for (m, deps) in graph() {
        let Some(from) = top(&m) else { continue };
        if from == "emulator" || from == "internal" {
            continue; // the other side of every protocol; the fuzzers' entry points
        }
        for d in &deps {
            let Some(to) = top(d) else { continue };
            if to == from {
                continue;
            }
            match (layer(from), layer(to)) {
                _ if to == "emulator" => wrong.push(format!("{m} uses the emulator ({d})")),
                (Some(a), Some(b)) if b > a => wrong.push(format!("{m} reaches up to {d}")),
                (None, _) | (_, None) if to != "internal" => wrong.push(format!("{m} → {d}: a module with no layer")),
                _ => {}
            }
        }
    }
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
}

/// BAC and PACE take the key material they need (K_seed, SHA-1 of MRZ_information), not
/// the MRZ: the protocol machinery knows no document data.
#[test]
fn the_protocols_take_key_material_not_the_mrz() {
    let mut wrong = Vec::new();
    for (m, deps) in graph() {
        let Some(from) = top(&m) else { continue };
        if ["transport", "sm", "access", "chip_auth", "active_auth"].contains(&from) {
            wrong.extend(deps.iter().filter(|d| top(d) == Some("mrz")).map(|d| format!("{m} uses {d}")));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn no_two_files_of_a_folder_import_each_other() {
    let g = graph();
    // Lift each dependency to the sibling (same parent) it lands in.
    let mut sib: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (a, deps) in &g {
        let Some((parent, _)) = a.rsplit_once("::") else { continue };
        for d in deps {
            if let Some(rest) = d.strip_prefix(&format!("{parent}::")) {
                let b = format!("{parent}::{}", rest.split("::").next().unwrap());
                if &b != a && !a.starts_with(&format!("{b}::")) {
                    sib.entry(a.clone()).or_default().insert(b);
                }
            }
        }
    }
    // A ring: a file that reaches itself.
    let mut rings = Vec::new();
    for start in sib.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<(String, Vec<String>)> = vec![(start.clone(), vec![start.clone()])];
        while let Some((at, trail)) = stack.pop() {
            for next in sib.get(&at).into_iter().flatten() {
                if next == start {
                    rings.push(trail.join(" → ") + " → " + start);
                } else if seen.insert(next.clone()) {
                    let mut t = trail.clone();
                    t.push(next.clone());
                    stack.push((next.clone(), t));
                }
            }
        }
    }
    rings.sort();
    rings.dedup();
    assert!(rings.is_empty(), "import cycles between files:\n{}", rings.join("\n"));
}

#[test]
fn the_checks_see_what_they_check() {
    let g = graph();
    assert!(g["crate::reader"].contains("crate::access"), "{:?}", g["crate::reader"]);
    assert!(g["crate::emulator::chip"].contains("crate::emulator::hostile"));
    assert!(g["crate::kiosk::bank"].contains("crate::ledger"));
    assert!(g.len() > 100, "{} files", g.len());
}
