//! The `ghg` command line. The library computes; this file parses arguments, renders and sets exit codes:
//! 0 ok, 1 reconciliation outside tolerance, 2 bad input or usage.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    ghg::atomic::remove_temporaries_on_signals();
    let args = match cli::Cli::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    cli::run(args)
}
