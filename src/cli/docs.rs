//! `ghg completions SHELL` and `ghg man`: generated from the clap definitions, so they never drift from `--help`.

use std::path::Path;

use clap::CommandFactory;
use ghg::{Diagnostics, Error, ErrorKind};

use super::{Cli, Out};

/// `ghg completions SHELL`.
pub fn completions(out: &mut Out, shell: clap_complete::Shell) -> Result<u8, Diagnostics> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "ghg", &mut buf);
    out.write_bytes(&buf);
    Ok(0)
}

fn render(cmd: clap::Command) -> Result<Vec<u8>, Error> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut buf)
        .map_err(|e| Error::new(ErrorKind::Io, format!("cannot render the man page: {e}")).with_source(e))?;
    Ok(buf)
}

/// `ghg man [--dir DIR]`.
pub fn man(out: &mut Out, dir: Option<&Path>) -> Result<u8, Diagnostics> {
    let mut cmd = Cli::command();
    cmd.build();
    let Some(dir) = dir else {
        out.write_bytes(&render(cmd)?);
        return Ok(0);
    };
    std::fs::create_dir_all(dir).map_err(|e| Diagnostics::from(Error::io(dir, &e)))?;
    let mut pages = Vec::new();
    collect(cmd, &mut pages);
    let mut written = Vec::new();
    for (name, cmd) in pages {
        let path = dir.join(format!("{name}.1"));
        std::fs::write(&path, render(cmd)?).map_err(|e| Diagnostics::from(Error::io_write(&path, &e)))?;
        written.push(path.display().to_string());
    }
    out.write(&format!("wrote {}\n", written.join(", ")));
    Ok(0)
}

/// Every command with its page name (`ghg`, `ghg-compute`, `ghg-factors-search`, ...), from a built command.
fn collect(cmd: clap::Command, out: &mut Vec<(String, clap::Command)>) {
    let subs: Vec<clap::Command> = cmd.get_subcommands().filter(|s| s.get_name() != "help").cloned().collect();
    let name = cmd.get_display_name().unwrap_or_else(|| cmd.get_name()).to_string();
    out.push((name, cmd));
    for s in subs {
        collect(s, out);
    }
}
