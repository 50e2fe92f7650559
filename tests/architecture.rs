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

/// The paths a file names: `crate::…`, `super::…`, `self::…`, with use-tree groups
/// expanded (`use super::{a::B, c}` names `super::a::B` and `super::c`).
fn paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    for start in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(i) = code[from..].find(start) {
            let at = from + i;
            from = at + start.len();
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_' || bytes[at - 1] == b':') {
                continue;
            }
            use_tree(bytes, at, Vec::new(), &mut out);
        }
    }
    out
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Reads the path (or use tree) at `at` onto `prefix`; returns where it ends.
fn use_tree(b: &[u8], mut at: usize, mut prefix: Vec<String>, out: &mut Vec<Vec<String>>) -> usize {
    loop {
        while at < b.len() && b[at].is_ascii_whitespace() {
            at += 1;
        }
        if at < b.len() && b[at] == b'{' {
            at += 1;
            loop {
                while at < b.len() && (b[at].is_ascii_whitespace() || b[at] == b',') {
                    at += 1;
                }
                if at >= b.len() || b[at] == b'}' {
                    out.push(prefix.clone()); // the group's parent is used too
                    return at + 1;
                }
                let before = at;
                at = use_tree(b, at, prefix.clone(), out);
                if at == before {
                    at += 1; // `*` or anything unexpected
                }
            }
        }
        let start = at;
        while at < b.len() && is_ident(b[at]) {
            at += 1;
        }
        if at > start {
            prefix.push(String::from_utf8_lossy(&b[start..at]).into_owned());
        }
        if b.get(at..at + 2) == Some(b"::") {
            at += 2;
            continue;
        }
        if !prefix.is_empty() {
            out.push(prefix);
        }
        return at;
    }
}

/// What each module re-exports from its own child modules: (`crate::reader`, `Session`) →
/// `crate::reader::session`, from `pub use session::*` or `pub use session::{Session, …}`.
/// A file that names `super::Session` depends on the sibling that defines it.
fn reexports(mods: &BTreeMap<String, PathBuf>) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    for (m, path) in mods {
        let text = code(path);
        for line in text.lines() {
            let t = line.trim_start();
            let Some(rest) = t.strip_prefix("pub use ").or_else(|| t.strip_prefix("pub(crate) use ")) else {
                continue;
            };
            let Some((child, items)) = rest.split_once("::") else { continue };
            let child_mod = format!("{m}::{child}");
            let Some(child_path) = mods.get(&child_mod) else { continue };
            let items = items.trim_end_matches(';').trim_matches(|c| c == '{' || c == '}');
            let names: Vec<String> = if items == "*" {
                public_items(&code(child_path))
            } else {
                items.split(',').filter_map(|i| i.trim().rsplit("::").next()).map(String::from).collect()
            };
            for n in names.into_iter().filter(|n| !n.is_empty() && n != "self") {
                out.insert((m.clone(), n), child_mod.clone());
            }
        }
    }
    out
}

/// The names a file declares `pub` at its top level.
fn public_items(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in code.lines().filter(|l| l.starts_with("pub ")) {
        let words: Vec<&str> =
            line.split(|c: char| !is_ident(c as u8) || !c.is_ascii()).filter(|w| !w.is_empty()).collect();
        let kinds = ["struct", "enum", "fn", "trait", "type", "const", "static"];
        if let Some(n) = words.iter().position(|w| kinds.contains(w)).and_then(|i| words.get(i + 1)) {
            out.push((*n).to_string());
        }
    }
    out
}

/// The module a path lands in (the longest prefix that is a file, then through a
/// re-export to the child that defines the name).
fn resolve(
    current: &str,
    path: &[String],
    mods: &BTreeMap<String, PathBuf>,
    reexported: &BTreeMap<(String, String), String>,
) -> Option<String> {
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
    }
    let (k, m) = (0..=rest.len()).rev().find_map(|k| {
        let mut m = base.clone();
        m.extend(rest[..k].iter().cloned());
        let m = m.join("::");
        mods.contains_key(&m).then_some((k, m))
    })?;
    match rest.get(k) {
        Some(name) => Some(reexported.get(&(m.clone(), name.clone())).cloned().unwrap_or(m)),
        None => Some(m),
    }
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mods = modules();
    let reexported = reexports(&mods);
    let mut edges = BTreeMap::new();
    for (m, path) in &mods {
        let name = path.file_name().unwrap().to_string_lossy();
        if name == "tests.rs" {
            continue; // a protocol's test file may use anything
        }
        let deps: BTreeSet<String> =
            paths(&code(path)).iter().filter_map(|p| resolve(m, p, &mods, &reexported)).filter(|d| d != m).collect();
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
    // Groups are expanded, and a name re-exported by the parent lands in the sibling
    // that defines it (otherwise `use super::{Session, …}` would hide a cycle).
    let p = paths("use super::{a::B, c};");
    assert!(p.contains(&vec!["super".into(), "a".into(), "B".into()]) && p.contains(&vec!["super".into(), "c".into()]));
    let r = reexports(&modules());
    assert_eq!(r[&("crate::reader".to_string(), "Session".to_string())], "crate::reader::session");
    assert_eq!(r[&("crate::reader".to_string(), "PartialRead".to_string())], "crate::reader::resume");
}

/// A wildcard import of the parent hides which sibling a file depends on.
#[test]
fn no_file_imports_its_parent_wholesale() {
    let wrong: Vec<String> = modules()
        .into_iter()
        .filter(|(_, p)| p.file_name().is_some_and(|n| n != "tests.rs"))
        .filter(|(_, p)| code(p).lines().any(|l| l.trim() == "use super::*;"))
        .map(|(m, _)| m)
        .collect();
    assert!(wrong.is_empty(), "`use super::*` in {wrong:?}");
}
