//! `ghg factors list|show|diff`.

use std::path::PathBuf;

use ghg::report;
use ghg::{Diagnostics, Error, ErrorKind, FactorLibrary, FactorRef};

use super::Out;

fn library(dirs: &[PathBuf]) -> Result<FactorLibrary, Diagnostics> {
    let mut lib = FactorLibrary::builtin()?;
    let mut d = Diagnostics::new();
    for dir in dirs {
        if let Err(e) = lib.add_dir(dir) {
            d.0.extend(e.0);
        }
    }
    d.into_result(lib)
}

fn set_ref(s: &str) -> Result<FactorRef, Diagnostics> {
    match FactorRef::parse(s) {
        Some(r) if r.id.is_none() => Ok(r),
        _ => Err(Error::new(ErrorKind::Usage, format!("'{s}' is not SET@EDITION"))
            .hint("e.g. mee-grid@2022; ghg factors list shows them")
            .into()),
    }
}

/// `ghg factors list`.
pub fn list(out: &mut Out, dirs: &[PathBuf]) -> Result<u8, Diagnostics> {
    let lib = library(dirs)?;
    out.write(&report::render_factor_list(&lib));
    Ok(0)
}

/// `ghg factors show SET@EDITION`.
pub fn show(out: &mut Out, dirs: &[PathBuf], s: &str) -> Result<u8, Diagnostics> {
    let lib = library(dirs)?;
    let r = set_ref(s)?;
    let set = lib.set(&r).map_err(Diagnostics::from)?;
    out.write(&report::render_factor_show(set));
    Ok(0)
}

/// `ghg factors diff A B`.
pub fn diff(out: &mut Out, dirs: &[PathBuf], a: &str, b: &str) -> Result<u8, Diagnostics> {
    let lib = library(dirs)?;
    let (ra, rb) = (set_ref(a)?, set_ref(b)?);
    let sa = lib.set(&ra).map_err(Diagnostics::from)?;
    let sb = lib.set(&rb).map_err(Diagnostics::from)?;
    out.write(&report::render_factor_diff(sa, sb));
    Ok(0)
}
