//! `ghg.lock`: tamper evidence. Beside an inventory (one lock per inventory: see [`lock_path`]), it records the
//! SHA-256 of every file its figures depend on: the inventory, each ledger, each factor file used, and the
//! reported-figures file. `ghg check`, `ghg compute`, `ghg explain`, `ghg scenario` and `ghg reconcile` fail while
//! any of them differs from what was locked, until the change is accepted with `--update-lock` (of `check` or
//! `reconcile`), which rewrites the lock. A missing lock is not an
//! error (locking is opt-in); `ghg check` says the inventory is not locked.
//!
//! ```toml
//! # ghg.lock: SHA-256 of every file the figures of inventory.toml depend on.
//! [[file]]
//! role = "ledger"
//! path = "ledger.csv"
//! sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
//! ```
//!
//! Paths are relative to the inventory's folder; built-in factor files keep their path in the ghg repository
//! (`factors/...`) with role `builtin-factors`, so a ghg release that changes a shipped factor file is noticed too.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::calc::Computation;
use crate::error::{Diagnostics, Error, ErrorKind, Location, line_col};
use crate::inventory::Inventory;

/// The lock file's name.
pub const LOCK_FILE: &str = "ghg.lock";

/// One locked file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct LockEntry {
    /// `inventory`, `ledger`, `factors`, `builtin-factors` or `reported`.
    pub role: String,
    /// Path relative to the inventory's folder (or in the ghg repository, for built-in factor files).
    pub path: String,
    /// Lowercase hex SHA-256 of the file's bytes.
    pub sha256: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LockFile {
    #[serde(default)]
    file: Vec<LockEntry>,
}

/// What a verification found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockStatus {
    /// There is no lock beside the inventory.
    Absent,
    /// Every locked file is unchanged (how many).
    Matches(usize),
}

/// The lock named after an inventory, `<stem>.ghg.lock` (`a.toml` -> `a.ghg.lock`).
fn own_lock(inv: &Inventory) -> PathBuf {
    let stem = inv.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "inventory".into());
    inv.path.with_file_name(format!("{stem}.{LOCK_FILE}"))
}

/// The folder's shared name, `ghg.lock`.
fn folder_lock(inv: &Inventory) -> PathBuf {
    inv.path.with_file_name(LOCK_FILE)
}

/// Whether the lock at `path` locks this inventory: its `inventory` entry names the inventory's file. A lock that
/// cannot be read is taken to be this inventory's (so the problem is reported, not ignored).
fn locks(path: &Path, inv: &Inventory) -> bool {
    let Ok(bytes) = crate::tomlx::read_input(path) else { return true };
    let Ok(text) = String::from_utf8(bytes) else { return true };
    let Ok(l) = toml::from_str::<LockFile>(&text) else { return true };
    let name = inv.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    l.file.iter().find(|e| e.role == "inventory").is_none_or(|e| e.path == name)
}

/// Where an inventory's lock is. Each inventory has its own: `ghg.lock` for the first inventory locked in a folder
/// (the name earlier versions used, so their locks keep working), `<stem>.ghg.lock` for another inventory of the
/// same folder (`ghg.lock` records which inventory it locks). An existing `<stem>.ghg.lock` always wins.
pub fn lock_path(inv: &Inventory) -> PathBuf {
    let own = own_lock(inv);
    if own.exists() {
        return own;
    }
    let shared = folder_lock(inv);
    if !shared.exists() || locks(&shared, inv) { shared } else { own }
}

/// Every file that is or could become this inventory's lock (an output must not overwrite one).
pub fn lock_files(inv: &Inventory) -> Vec<PathBuf> {
    vec![folder_lock(inv), own_lock(inv)]
}

/// What `ghg check` says about the lock: which file matches, or that the inventory is not locked and how to lock it.
pub fn describe(inv: &Inventory, status: LockStatus) -> String {
    match status {
        LockStatus::Matches(n) => format!("{} matches ({n} files)", lock_path(inv).display()),
        LockStatus::Absent => format!(
            "not locked (to record the SHA-256 of every input, so that a later change is caught: ghg check {} --update-lock)",
            inv.path.display()
        ),
    }
}

fn rel(dir: &Path, p: &Path) -> String {
    let r = p.strip_prefix(dir).unwrap_or(p);
    r.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/")
}

/// The entries a lock of this computation holds, in a fixed order.
pub fn entries(inv: &Inventory, c: &Computation) -> Result<Vec<LockEntry>, Error> {
    let dir = inv.path.parent().map(Path::to_path_buf).unwrap_or_default();
    let p = &c.provenance;
    let mut out = vec![LockEntry {
        role: "inventory".into(),
        path: rel(&dir, &p.inventory.path),
        sha256: p.inventory.sha256.clone(),
    }];
    for f in &p.inputs {
        out.push(LockEntry { role: "ledger".into(), path: rel(&dir, &f.path), sha256: f.sha256.clone() });
    }
    for f in &p.factor_files {
        let builtin = f.path.is_relative() && f.path.starts_with("factors") && !dir.join(&f.path).exists();
        let role = if builtin { "builtin-factors" } else { "factors" };
        let path = if builtin { rel(Path::new(""), &f.path) } else { rel(&dir, &f.path) };
        out.push(LockEntry { role: role.into(), path, sha256: f.sha256.clone() });
    }
    if let Some(r) = &inv.reported
        && r.exists()
    {
        let bytes = crate::tomlx::read_input(r)?;
        out.push(LockEntry { role: "reported".into(), path: rel(&dir, r), sha256: crate::factor::sha256_hex(&bytes) });
    }
    Ok(out)
}

/// A TOML string holding `s` exactly (a path may hold quotes, backslashes or control characters).
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The text of a lock.
pub fn render(inv: &Inventory, entries: &[LockEntry]) -> String {
    let name = inv.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let lock = lock_path(inv).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut s = format!(
        "# {lock}: SHA-256 of every file the figures of {name} depend on.\n# `ghg check` fails while any of them differs; accept a change with `ghg check {name} --update-lock`.\n"
    );
    for e in entries {
        s.push_str(&format!(
            "\n[[file]]\nrole = \"{}\"\npath = {}\nsha256 = \"{}\"\n",
            e.role,
            toml_string(&e.path),
            e.sha256
        ));
    }
    s
}

/// Write (or rewrite) the lock of this computation, atomically. Returns its path and how many files it locks.
pub fn write(inv: &Inventory, c: &Computation) -> Result<(PathBuf, usize), Error> {
    let e = entries(inv, c)?;
    let path = lock_path(inv);
    crate::atomic::write(&path, render(inv, &e).as_bytes())?;
    Ok((path, e.len()))
}

/// Compare the lock beside the inventory (if any) with what this computation used. Every difference is reported,
/// each at its line of the lock, with the command that accepts it.
pub fn verify(inv: &Inventory, c: &Computation) -> Result<LockStatus, Diagnostics> {
    let path = lock_path(inv);
    if std::fs::symlink_metadata(&path).is_err() {
        return Ok(LockStatus::Absent);
    }
    let text = match crate::tomlx::read_input(&path) {
        Err(e) => return Err(e.into()),
        Ok(b) => String::from_utf8(b).map_err(|_| {
            Diagnostics::from(
                Error::new(ErrorKind::Encoding, "lock is not UTF-8")
                    .at(Location::file(&path))
                    .hint("it is written by ghg; restore it from version control or rewrite it with --update-lock"),
            )
        })?,
    };
    let inv_name = inv.path.display().to_string();
    let accept = format!("if the change is intended, accept it: ghg check {inv_name} --update-lock");
    let locked: LockFile = toml::from_str(&text).map_err(|e| {
        let loc = match e.span() {
            Some(s) => {
                let (l, c) = line_col(&text, s.start);
                Location::at(&path, l, Some(c))
            }
            None => Location::file(&path),
        };
        Diagnostics::from(
            Error::new(ErrorKind::LockMismatch, format!("lock is not readable: {}", e.message().trim()))
                .at(loc)
                .hint(format!("rewrite it: ghg check {inv_name} --update-lock")),
        )
    })?;
    // The line of each locked path, for the messages.
    let line_of = |p: &str| -> Location {
        // As this version writes it, or as earlier versions did (Rust's quoting, the same for plain paths).
        let found = text.find(&format!("path = {}", toml_string(p))).or_else(|| text.find(&format!("path = {p:?}")));
        match found {
            Some(off) => Location::at(&path, line_col(&text, off).0, None),
            None => Location::file(&path),
        }
    };
    let now = entries(inv, c).map_err(Diagnostics::from)?;
    let mut d = Diagnostics::new();
    let short = |h: &str| h.chars().take(12).collect::<String>();
    for e in &now {
        match locked.file.iter().find(|l| l.role == e.role && l.path == e.path) {
            Some(l) if l.sha256 == e.sha256 => {}
            Some(l) => d.push(
                Error::new(
                    ErrorKind::LockMismatch,
                    format!(
                        "{} ({}) changed since it was locked (sha256 {}..., now {}...)",
                        e.path,
                        e.role,
                        short(&l.sha256),
                        short(&e.sha256)
                    ),
                )
                .at(line_of(&l.path))
                .hint(accept.clone()),
            ),
            None => d.push(
                Error::new(ErrorKind::LockMismatch, format!("{} ({}) is used but not locked", e.path, e.role))
                    .at(Location::file(&path))
                    .hint(accept.clone()),
            ),
        }
    }
    for l in &locked.file {
        if !now.iter().any(|e| e.role == l.role && e.path == l.path) {
            d.push(
                Error::new(ErrorKind::LockMismatch, format!("{} ({}) is locked but no longer used", l.path, l.role))
                    .at(line_of(&l.path))
                    .hint(accept.clone()),
            );
        }
    }
    d.into_result(LockStatus::Matches(now.len()))
}
