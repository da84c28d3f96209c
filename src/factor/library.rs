//! The factor library: built-in sets (embedded at build time) plus the user's folders, with no silent shadowing.

use std::fmt;
use std::path::{Path, PathBuf};

use super::{Factor, FactorSet, parse_set};
use crate::error::{Diagnostics, Error, ErrorKind, Location};

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_factors.rs"));
}

/// A reference to a factor set or a single factor: `set@edition` or `set@edition:id`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct FactorRef {
    /// Set id.
    pub set: String,
    /// Edition.
    pub edition: String,
    /// Factor id, if the reference names one factor.
    pub id: Option<String>,
}

impl FactorRef {
    /// Parse `set@edition` or `set@edition:id`.
    pub fn parse(s: &str) -> Option<FactorRef> {
        let (set, rest) = s.trim().split_once('@')?;
        let (edition, id) = match rest.split_once(':') {
            Some((e, i)) => (e, Some(i.to_string())),
            None => (rest, None),
        };
        if set.is_empty() || edition.is_empty() || id.as_deref() == Some("") {
            return None;
        }
        Some(FactorRef { set: set.to_string(), edition: edition.to_string(), id })
    }
    /// `set@edition` without the id.
    pub fn set_key(&self) -> String {
        format!("{}@{}", self.set, self.edition)
    }
}

impl fmt::Display for FactorRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.set, self.edition)?;
        if let Some(id) = &self.id {
            write!(f, ":{id}")?;
        }
        Ok(())
    }
}

/// All factor sets available to a run.
#[derive(Debug, Clone, Default)]
pub struct FactorLibrary {
    sets: Vec<FactorSet>,
}

impl FactorLibrary {
    /// An empty library (tests, or users who want only their own factors).
    pub fn empty() -> Self {
        FactorLibrary { sets: Vec::new() }
    }

    /// The factor files that ship inside the binary.
    pub fn builtin() -> Result<Self, Diagnostics> {
        let mut lib = FactorLibrary::empty();
        let mut d = Diagnostics::new();
        for (path, text) in builtin::BUILTIN {
            match parse_set(Path::new(path), text, true) {
                Ok(s) => {
                    if let Err(e) = lib.insert(s) {
                        d.push(e);
                    }
                }
                Err(e) => d.0.extend(e.0),
            }
        }
        d.into_result(lib)
    }

    fn insert(&mut self, set: FactorSet) -> Result<(), Error> {
        if let Some(existing) = self.get(&set.meta.id, &set.meta.edition) {
            let (kind, hint) = if existing.builtin {
                (
                    ErrorKind::Shadowing,
                    "a user set may not replace a built-in one: give yours another set id or edition (e.g. \"2022-corrected\")",
                )
            } else {
                (ErrorKind::DuplicateId, "each set@edition may be defined once")
            };
            return Err(Error::new(
                kind,
                format!("factor set {} is already defined by {}", set.key(), existing.path.display()),
            )
            .at(Location::file(&set.path))
            .hint(hint));
        }
        self.sets.push(set);
        Ok(())
    }

    /// Add one parsed set (for programs that build sets themselves).
    pub fn add_set(&mut self, set: FactorSet) -> Result<(), Diagnostics> {
        self.insert(set).map_err(Diagnostics::from)
    }

    /// Add every `*.toml` under a folder (recursively). All problems of all files are reported together.
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), Diagnostics> {
        let mut files = Vec::new();
        collect_toml(dir, &mut files)?;
        let mut d = Diagnostics::new();
        for f in files {
            match crate::tomlx::read_input(&f) {
                Err(e) => d.push(e),
                Ok(bytes) => match String::from_utf8(bytes) {
                    Err(_) => d.push(
                        Error::new(ErrorKind::Encoding, "factor file is not UTF-8")
                            .at(Location::file(&f))
                            .hint("save it as UTF-8"),
                    ),
                    Ok(text) => match parse_set(&f, &text, false) {
                        Ok(s) => {
                            if let Err(e) = self.insert(s) {
                                d.push(e);
                            }
                        }
                        Err(e) => d.0.extend(e.0),
                    },
                },
            }
        }
        d.into_result(())
    }

    /// All sets, built-in first.
    pub fn sets(&self) -> &[FactorSet] {
        &self.sets
    }

    /// The set `id@edition`.
    pub fn get(&self, id: &str, edition: &str) -> Option<&FactorSet> {
        self.sets.iter().find(|s| s.meta.id == id && s.meta.edition == edition)
    }

    /// The set a reference names, or an error listing what exists.
    pub fn set(&self, r: &FactorRef) -> Result<&FactorSet, Error> {
        if let Some(s) = self.get(&r.set, &r.edition) {
            return Ok(s);
        }
        let editions: Vec<String> =
            self.sets.iter().filter(|s| s.meta.id == r.set).map(|s| s.meta.edition.clone()).collect();
        let hint = if editions.is_empty() {
            let mut ids: Vec<&str> = self.sets.iter().map(|s| s.meta.id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            format!("known sets: {} (ghg factors list)", ids.join(", "))
        } else {
            format!("editions of {}: {}", r.set, editions.join(", "))
        };
        Err(Error::new(ErrorKind::UnknownFactorSet, format!("factor set {} is not in the library", r.set_key()))
            .hint(hint))
    }

    /// The factor a full reference `set@edition:id` names.
    pub fn factor(&self, r: &FactorRef) -> Result<(&FactorSet, &Factor), Error> {
        let set = self.set(r)?;
        let Some(id) = &r.id else {
            return Err(
                Error::new(ErrorKind::BadValue, format!("{r} names a set, not a factor")).hint("write set@edition:id")
            );
        };
        match set.get(id) {
            Some(f) => Ok((set, f)),
            None => Err(Error::new(ErrorKind::MissingFactor, format!("factor {r} is not in {}", set.path.display()))
                .hint("ghg factors show SET@EDITION lists its factor ids")),
        }
    }

    /// Every file of the library with its hash, for provenance.
    pub fn files(&self) -> Vec<(PathBuf, String)> {
        self.sets.iter().map(|s| (s.path.clone(), s.sha256.clone())).collect()
    }
}

/// Every `*.toml` under `dir`, in path order. A folder or an entry that cannot be read is an error at that
/// folder or entry (never skipped: a factor file left unloaded would change every figure that needs it).
fn collect_toml(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let mut entries = Vec::new();
    for e in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let e = e.map_err(|e| {
            Error::new(ErrorKind::Io, format!("cannot read an entry of this folder: {e}"))
                .at(Location::file(dir))
                .with_source(e)
        })?;
        entries.push(e.path());
    }
    entries.sort();
    for p in entries {
        // `metadata` follows links, as loading does: a link to a folder is a folder.
        let meta = std::fs::metadata(&p).map_err(|e| {
            Error::io(&p, e).hint("a factor folder holds factor files and folders: fix this entry or remove it")
        })?;
        if meta.is_dir() {
            collect_toml(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "toml") {
            out.push(p);
        }
    }
    Ok(())
}
