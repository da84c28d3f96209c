//! clap definitions and dispatch. Each subcommand lives in its own file.

mod compute;
mod factors;
mod output;
mod reconcile;
mod scenario;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

pub use output::Out;

/// Exit code for bad input or usage.
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit code kept for "reconciliation outside tolerance".
#[allow(dead_code)] // used by `ghg reconcile`
pub const EXIT_OUTSIDE: u8 = 1;

/// ghg — exact, traceable carbon accounting: scope 1, scope 2 (location and market), energy in tce, intensities.
#[derive(Debug, Parser)]
#[command(name = "ghg", version, about, long_about = None, after_help = "Examples:\n  ghg compute examples/hikvision-2024/inventory.toml\n  ghg explain examples/hikvision-2024/inventory.toml scope1\n  ghg factors show mee-grid@2022\n\nExit codes: 0 ok, 1 reconciliation outside tolerance, 2 bad input or usage.")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Options shared by commands that load an inventory.
#[derive(Debug, Clone, clap::Args)]
pub struct Common {
    /// Extra factor folders to add to the library (may not shadow built-in sets).
    #[arg(long = "factors", value_name = "DIR")]
    pub factor_dirs: Vec<PathBuf>,
    /// Decimal places when rendering (rounded half away from zero, 四舍五入).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(0..=12))]
    pub places: u32,
    /// Produce figures from the valid rows even when some rows are rejected (they are listed).
    #[arg(long, conflicts_with = "strict")]
    pub lenient: bool,
    /// Refuse to produce figures when any row is rejected (the default).
    #[arg(long)]
    pub strict: bool,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Aligned text for people.
    Table,
    /// One JSON object; decimals as strings at full precision.
    Json,
    /// CSV of figures.
    Csv,
    /// A Markdown document.
    Markdown,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Compute every figure of an inventory.
    #[command(
        after_help = "Examples:\n  ghg compute examples/hikvision-2024/inventory.toml\n  ghg compute examples/hikvision-2024/inventory.toml --format json\n  ghg compute inv.toml --lines lines.csv   # every calculation line, streamed to a file"
    )]
    Compute {
        /// The inventory TOML.
        inventory: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = FormatArg::Table)]
        format: FormatArg,
        /// Stream every calculation line to FILE (.csv for CSV, otherwise JSON Lines) instead of keeping them.
        #[arg(long, value_name = "FILE")]
        lines: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Show the trace of one figure: rows, factors with citations, formula, subtotal.
    #[command(
        after_help = "Examples:\n  ghg explain examples/hikvision-2024/inventory.toml scope1\n  ghg explain examples/hikvision-2024/inventory.toml intensity.total.market --format json"
    )]
    Explain {
        /// The inventory TOML.
        inventory: PathBuf,
        /// Figure id (scope1, scope1.gasoline, scope2.location, energy.total, ...).
        figure: String,
        /// Output format (table or json).
        #[arg(long, value_enum, default_value_t = FormatArg::Table)]
        format: FormatArg,
        #[command(flatten)]
        common: Common,
    },
    /// Validate an inventory, its ledgers and factor choices without printing figures.
    #[command(after_help = "Example:\n  ghg check examples/hikvision-2024/inventory.toml")]
    Check {
        /// The inventory TOML.
        inventory: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// Compare the figures a report prints with the recomputed ones: exit 1 if any is outside tolerance.
    #[command(
        after_help = "Examples:\n  ghg reconcile examples/hikvision-2024/inventory.toml\n  ghg reconcile examples/hikvision-202{2,3,4}/inventory.toml --format markdown > working-paper.md\n\nStatuses: exact (equal at the printed precision), consistent (intervals overlap given the precision of printed inputs),\nwithin (inside the stated tolerance), outside. Exit codes: 0 all reconcile, 1 some figure outside, 2 bad input."
    )]
    Reconcile(reconcile::ReconcileArgs),
    /// What if: baseline vs scenario for every figure, sweeps (table, CSV, SVG) and targets.
    #[command(
        after_help = "Examples:\n  ghg scenario examples/hikvision-2024/inventory.toml examples/hikvision-2024/scenarios/more-gec-50000.toml\n  ghg scenario inv.toml --add-certificates 50000 --price 30\n  ghg scenario inv.toml --remove-certificates\n  ghg scenario inv.toml --grid mee-grid@2023\n  ghg scenario inv.toml --sweep certificates=0..100000:10000 --csv sweep.csv --svg sweep.svg\n  ghg scenario inv.toml --target \"intensity.total.market<=1.80\"\n\nShort flags add changes after the scenario file's, in this order: --remove-certificates, --add-certificates, --pv, --scale, --grid, --residual.\nExit codes: 0 ok, 1 target out of reach, 2 bad input or usage."
    )]
    Scenario(Box<scenario::ScenarioArgs>),
    /// Browse the factor library.
    Factors {
        #[command(subcommand)]
        action: FactorsAction,
        /// Extra factor folders to add to the library.
        #[arg(long = "factors", value_name = "DIR", global = true)]
        factor_dirs: Vec<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum FactorsAction {
    /// List every factor set.
    List,
    /// Show one set with every factor and its provenance.
    #[command(after_help = "Example:\n  ghg factors show mee-grid@2022")]
    Show {
        /// SET@EDITION
        set: String,
    },
    /// Changed, added and removed factors between two editions.
    #[command(after_help = "Example:\n  ghg factors diff mee-grid@2021 mee-grid@2022")]
    Diff {
        /// SET@EDITION (old)
        a: String,
        /// SET@EDITION (new)
        b: String,
    },
}

/// Run a parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    let mut out = Out::stdout();
    let r = match cli.command {
        Command::Compute { inventory, format, lines, common } => {
            compute::compute(&mut out, &inventory, format, lines.as_deref(), &common)
        }
        Command::Explain { inventory, figure, format, common } => {
            compute::explain(&mut out, &inventory, &figure, format, &common)
        }
        Command::Check { inventory, common } => compute::check(&mut out, &inventory, &common),
        Command::Reconcile(args) => reconcile::run(&mut out, &args),
        Command::Scenario(args) => scenario::scenario(&mut out, &args),
        Command::Factors { action, factor_dirs } => match action {
            FactorsAction::List => factors::list(&mut out, &factor_dirs),
            FactorsAction::Show { set } => factors::show(&mut out, &factor_dirs, &set),
            FactorsAction::Diff { a, b } => factors::diff(&mut out, &factor_dirs, &a, &b),
        },
    };
    match r {
        Ok(code) => ExitCode::from(code),
        Err(d) => {
            output::print_diagnostics(&d);
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}
