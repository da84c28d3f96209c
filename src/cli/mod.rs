//! clap definitions and dispatch. Each subcommand lives in its own file.

mod baseyear;
mod compute;
mod docs;
mod factors;
mod init;
mod output;
mod progress;
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

/// Exact, traceable carbon accounting: scope 1, scope 2 (location and market), energy in tce, intensities.
#[derive(Debug, Parser)]
#[command(name = "ghg", version, about, long_about = None, after_help = "Examples:\n  ghg init my-company                    # an inventory, a ledger and a reported-figures template\n  ghg compute examples/hikvision-2024/inventory.toml\n  ghg compute examples/hikvision-2024/inventory.toml --format xlsx --output report.xlsx\n  ghg compute examples/hikvision-2024/inventory.toml --format html --lang zh --output report.html\n  ghg explain examples/hikvision-2024/inventory.toml scope1\n  ghg factors search diesel\n\nExit codes: 0 ok, 1 reconciliation outside tolerance, 2 bad input or usage.")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// `--uncertainty approach1|approach2 [--seed N] [--draws N]`: a 95 % interval for every figure.
#[derive(Debug, Clone, clap::Args)]
pub struct UncertaintyArgs {
    /// Give every figure a 95 % interval from the uncertainties of its factors and activities (IPCC 2006 Vol. 1
    /// ch. 3): approach1 = error propagation, approach2 = Monte Carlo. Central values do not change.
    #[arg(long, value_enum, value_name = "APPROACH")]
    pub uncertainty: Option<compute::ApproachArg>,
    /// Seed of the Monte Carlo simulation (approach2): the same seed gives the same output, byte for byte.
    #[arg(long, value_name = "N", requires = "uncertainty")]
    pub seed: Option<u64>,
    /// Number of Monte Carlo draws (approach2), 100 to 1,000,000.
    #[arg(long, value_name = "N", requires = "uncertainty", value_parser = clap::value_parser!(u32).range(100..=1_000_000))]
    pub draws: Option<u32>,
}

/// Options shared by commands that load an inventory.
#[derive(Debug, Clone, clap::Args)]
pub struct Common {
    /// Extra factor folders to add to the library (may not shadow built-in sets).
    #[arg(long = "factors", value_name = "DIR")]
    pub factor_dirs: Vec<PathBuf>,
    /// Decimal places when rendering (rounded half away from zero, 四舍五入); default 2. In `ghg reconcile` the
    /// recomputed values are otherwise shown two digits beyond each reported figure's printed precision.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=12))]
    pub places: Option<u32>,
    /// Produce figures from the valid rows even when some rows are rejected (they are listed).
    #[arg(long, conflicts_with = "strict")]
    pub lenient: bool,
    /// Refuse to produce figures when any row is rejected (the default).
    #[arg(long)]
    pub strict: bool,
    /// No progress bar (it is shown on stderr only when that is a terminal and the run takes over a second).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Text encoding of the ledgers: utf-8 (the default; a byte-order mark is fine), gbk, gb18030, utf-16 (by its
    /// byte-order mark), utf-16le or utf-16be. An inventory's own declaration wins (`encoding = "gbk"`, or
    /// `{ path = "b.csv", encoding = "gbk" }` in activity_files): this flag applies only to CSV ledgers that have none.
    #[arg(long, value_name = "ENC", default_value = "utf-8", value_parser = clap::builder::ValueParser::new(parse_encoding))]
    pub encoding: ghg::encoding::Encoding,
    /// Threads to read each ledger with (default: one per core); results are identical for any number. Ledgers
    /// read with calculation lines, a declared GBK/GB18030 encoding, or a scenario's changes (every run of `ghg
    /// scenario` but the baseline: on-site PV displaces grid rows in ledger order) are read on one thread.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
    /// Smallest part of a ledger one thread reads, in bytes (for tests of splitting; default 4 MiB).
    #[arg(long, value_name = "BYTES", hide = true)]
    pub chunk_bytes: Option<u64>,
}

impl Common {
    /// `--places`, 2 when not given.
    pub fn places(&self) -> u32 {
        self.places.unwrap_or(2)
    }
}

fn parse_encoding(s: &str) -> Result<ghg::encoding::Encoding, String> {
    s.parse()
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
    /// An Excel workbook: Summary, By entity, Factors, Lines, Findings, Provenance sheets (needs --output FILE
    /// unless stdout is redirected).
    Xlsx,
    /// One self-contained HTML report with inline SVG charts (--lang en|zh).
    Html,
}

/// Periods `ghg compute --by-period` shows figures by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PeriodArg {
    /// Calendar months.
    Month,
    /// Quarters (rows dated by month are added into their quarter).
    Quarter,
}

impl From<PeriodArg> for ghg::report::Granularity {
    fn from(p: PeriodArg) -> Self {
        match p {
            PeriodArg::Month => ghg::report::Granularity::Month,
            PeriodArg::Quarter => ghg::report::Granularity::Quarter,
        }
    }
}

/// Languages of the xlsx and html reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    /// English.
    En,
    /// Simplified Chinese (简体中文).
    Zh,
}

impl From<LangArg> for ghg::report::Lang {
    fn from(l: LangArg) -> Self {
        match l {
            LangArg::En => ghg::report::Lang::En,
            LangArg::Zh => ghg::report::Lang::Zh,
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Compute every figure of an inventory.
    #[command(
        after_help = "Examples:\n  ghg compute examples/hikvision-2024/inventory.toml\n  ghg compute examples/hikvision-2024/inventory.toml --format json\n  ghg compute examples/hikvision-2024/inventory.toml --format csv --output figures.csv\n  ghg compute examples/hikvision-2024/inventory.toml --format markdown\n  ghg compute examples/hikvision-2024/inventory.toml --format xlsx --output report.xlsx\n  ghg compute examples/hikvision-2024/inventory.toml --format html --lang zh --output report.html\n  ghg compute inv.toml --lines lines.csv   # every calculation line, streamed to a file\n\nLedgers may be CSV or spreadsheets (.xlsx, .xls, .ods; `ledger.xlsx#Sheet2` names a sheet)."
    )]
    Compute {
        /// The inventory TOML.
        inventory: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = FormatArg::Table)]
        format: FormatArg,
        /// Write the output to FILE (atomically) instead of stdout.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
        /// Language of the xlsx and html reports.
        #[arg(long, value_enum, default_value_t = LangArg::En)]
        lang: LangArg,
        /// Stream every calculation line to FILE (.csv for CSV, otherwise JSON Lines) instead of keeping them.
        #[arg(long, value_name = "FILE")]
        lines: Option<PathBuf>,
        /// Build no calculation lines at all (JSON: figures, per-entity figures and provenance, no lines). For large
        /// ledgers: rows are then read by several threads in constant memory.
        #[arg(long, conflicts_with = "lines")]
        no_lines: bool,
        /// Also show the figures by month or by quarter, summed from the calculation lines by the period of their
        /// ledger rows (exact sums; a row dated by quarter or year is never split: it keeps its own column). A
        /// section in every format (JSON `by_period`, CSV `by_period.<period>.<figure>` rows, a sheet, a chart).
        #[arg(long, value_enum, value_name = "PERIOD")]
        by_period: Option<PeriodArg>,
        #[command(flatten)]
        uncertainty: UncertaintyArgs,
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
        uncertainty: UncertaintyArgs,
        #[command(flatten)]
        common: Common,
    },
    /// Validate an inventory, its ledgers and factor choices without printing figures.
    #[command(
        after_help = "Examples:\n  ghg check examples/hikvision-2024/inventory.toml\n  ghg check my-company/inventory.toml --lenient\n  ghg check inv.toml --update-lock   # record (or accept changes to) the SHA-256 of every file used, in ghg.lock"
    )]
    Check {
        /// The inventory TOML.
        inventory: PathBuf,
        /// Write the inventory's lock beside it (ghg.lock; <stem>.ghg.lock for another inventory of the same folder):
        /// the SHA-256 of the inventory, ledgers, factor files and reported figures used. Once it exists, check,
        /// compute, explain, scenario and reconcile fail while any of them differs, until this is run again.
        #[arg(long)]
        update_lock: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Compare the figures a report prints with the recomputed ones: exit 1 if any is outside tolerance.
    #[command(
        after_help = "Examples:\n  ghg reconcile examples/hikvision-2024/inventory.toml\n  ghg reconcile examples/hikvision-202{2,3,4}/inventory.toml --format markdown --output working-paper.md\n  ghg reconcile inv.toml --update-lock   # accept changed inputs: rewrite ghg.lock (a changed locked file stops reconcile)\n\nStatuses: exact (equal at the printed precision), consistent (intervals overlap given the precision of printed inputs),\nwithin (inside the stated tolerance), outside. Exit codes: 0 all reconcile, 1 some figure outside, 2 bad input."
    )]
    Reconcile(reconcile::ReconcileArgs),
    /// What if: baseline vs scenario for every figure, sweeps (table, CSV, SVG) and targets.
    #[command(
        after_help = "Examples:\n  ghg scenario examples/hikvision-2024/inventory.toml examples/hikvision-2024/scenarios/more-gec-50000.toml\n  ghg scenario inv.toml --add-certificates 50000 --price 30\n  ghg scenario inv.toml --remove-certificates\n  ghg scenario inv.toml --grid mee-grid@2023\n  ghg scenario inv.toml --sweep certificates=0..100000:10000 --csv sweep.csv --svg sweep.svg\n  ghg scenario inv.toml --target \"intensity.total.market<=1.80\"\n\nShort flags add changes after the scenario file's, in this order: --remove-certificates, --add-certificates, --pv, --scale, --grid, --residual.\nProgress: a sweep or target shows the bar (hidden by --quiet) while its baseline is read; the scenario's own runs, and a plain scenario, draw none.\nWarnings: on stderr, each once, when the output does not show them (--output, CSV, sweeps, targets; a table or Markdown shows only the scenario's own, so the baseline's go to stderr); fallbacks always.\nA changed file recorded in ghg.lock stops the scenario, as it stops compute (accept it with ghg check --update-lock).\nExit codes: 0 ok, 1 target out of reach, 2 bad input or usage."
    )]
    Scenario(Box<scenario::ScenarioArgs>),
    /// Whether the base year must be recalculated under the inventory's [base_year] policy, and its recalculation.
    #[command(
        after_help = "Examples:\n  ghg base-year examples/acme-2024/inventory.toml\n  ghg base-year examples/acme-2024/inventory.toml --format markdown --output base-year.md\n\nThe change of the test figure from the base year is attributed (boundary, activity, factors); each trigger's\nshare of the base-year figure counts towards the threshold, cumulatively.\nExit codes: 0 ok (recalculation required or not: see the output), 2 bad input or usage."
    )]
    BaseYear(baseyear::BaseYearArgs),
    /// Browse the factor library.
    #[command(
        after_help = "Examples:\n  ghg factors list\n  ghg factors search diesel\n  ghg factors show mee-grid@2022\n  ghg factors diff mee-grid@2021 mee-grid@2022"
    )]
    Factors {
        #[command(subcommand)]
        action: FactorsAction,
        /// Extra factor folders to add to the library.
        #[arg(long = "factors", value_name = "DIR", global = true)]
        factor_dirs: Vec<PathBuf>,
    },
    /// Start an inventory in a folder: inventory.toml, a ledger template and a reported-figures template.
    #[command(
        after_help = "Examples:\n  ghg init my-company\n  ghg init my-company --organisation \"Example Co.\" --year 2024 --xlsx\n  ghg check my-company/inventory.toml"
    )]
    Init {
        /// The folder (created if missing).
        dir: PathBuf,
        /// Organisation name written into inventory.toml.
        #[arg(long, default_value = "Example Co.")]
        organisation: String,
        /// Reporting year.
        #[arg(long, default_value_t = 2024, value_parser = clap::value_parser!(i32).range(1900..=2200))]
        year: i32,
        /// Write the ledger template as ledger.xlsx (with a drop-down of activities) instead of ledger.csv.
        #[arg(long)]
        xlsx: bool,
        /// Overwrite files that already exist.
        #[arg(long)]
        force: bool,
    },
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  ghg completions bash > ~/.local/share/bash-completion/completions/ghg\n  ghg completions zsh > ~/.zfunc/_ghg\n  ghg completions fish > ~/.config/fish/completions/ghg.fish"
    )]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (ghg.1), or write one page per command into a folder.
    #[command(after_help = "Examples:\n  ghg man | man -l -\n  ghg man --dir /usr/local/share/man/man1")]
    Man {
        /// Write ghg.1, ghg-compute.1, ... into DIR instead of printing ghg.1.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum FactorsAction {
    /// List every factor set.
    #[command(after_help = "Examples:\n  ghg factors list\n  ghg factors list --factors my-factors/")]
    List,
    /// Find factors by activity, region or country, gas, publisher, set or citation (every word must match, whole words).
    #[command(
        after_help = "Examples:\n  ghg factors search diesel\n  ghg factors search electricity 浙江\n  ghg factors search 生态环境部\n  ghg factors search grid CN-East --format json\n  ghg factors search Germany residual\n\nExit 1 when no factor matches."
    )]
    Search {
        /// Words to look for (case-insensitive; activities and regions also in Chinese, e.g. 柴油, 浙江).
        #[arg(required = true)]
        words: Vec<String>,
        /// Output format (table or json).
        #[arg(long, value_enum, default_value_t = FormatArg::Table)]
        format: FormatArg,
    },
    /// Show one set with every factor and its provenance, or one factor (SET@EDITION:ID) with its source.
    #[command(
        after_help = "Examples:\n  ghg factors show mee-grid@2022\n  ghg factors show cn-guideline-fuels@2015\n  ghg factors show mee-grid@2022:grid.province.zj"
    )]
    Show {
        /// SET@EDITION or SET@EDITION:ID
        set: String,
    },
    /// Check a folder of factor files against its reference table; exit 1 when anything differs or is missing.
    ///
    /// Every value and unit is compared with its row in DIR/reference/*.csv, and every factor must carry a citation,
    /// validity years and a confidence grade, every set a licence. Each problem is printed as file:line.
    #[command(after_help = "Examples:\n  ghg factors verify\n  ghg factors verify my-factors/")]
    Verify {
        /// The folder of factor files.
        #[arg(default_value = "factors")]
        dir: PathBuf,
    },
    /// Changed, added and removed factors between two editions.
    #[command(after_help = "Examples:\n  ghg factors diff mee-grid@2021 mee-grid@2022")]
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
    // The factor folders a "did you mean" for a factor set looks in, besides the built-in sets.
    let dirs: Vec<PathBuf> = match &cli.command {
        Command::Compute { common, .. } | Command::Explain { common, .. } | Command::Check { common, .. } => {
            common.factor_dirs.clone()
        }
        Command::Reconcile(a) => a.common.factor_dirs.clone(),
        Command::Scenario(a) => a.common.factor_dirs.clone(),
        Command::Factors { factor_dirs, .. } => factor_dirs.clone(),
        _ => Vec::new(),
    };
    let r = match cli.command {
        Command::Compute { inventory, format, output, lang, lines, no_lines, by_period, uncertainty, common } => {
            compute::compute(
                &mut out,
                &inventory,
                compute::Target {
                    format,
                    output: output.as_deref(),
                    lang: lang.into(),
                    by_period: by_period.map(Into::into),
                    uncertainty,
                },
                lines.as_deref(),
                no_lines,
                &common,
            )
        }
        Command::Explain { inventory, figure, format, uncertainty, common } => {
            compute::explain(&mut out, &inventory, &figure, format, &uncertainty, &common)
        }
        Command::Check { inventory, update_lock, common } => compute::check(&mut out, &inventory, update_lock, &common),
        Command::Reconcile(args) => reconcile::run(&mut out, &args),
        Command::Scenario(args) => scenario::scenario(&mut out, &args),
        Command::BaseYear(args) => baseyear::run(&mut out, &args),
        Command::Factors { action, factor_dirs } => match action {
            FactorsAction::List => factors::list(&mut out, &factor_dirs),
            FactorsAction::Search { words, format } => factors::search(&mut out, &factor_dirs, &words, format),
            FactorsAction::Show { set } => factors::show(&mut out, &factor_dirs, &set),
            FactorsAction::Diff { a, b } => factors::diff(&mut out, &factor_dirs, &a, &b),
            FactorsAction::Verify { dir } => factors::verify(&mut out, &dir),
        },
        Command::Init { dir, organisation, year, xlsx, force } => {
            init::init(&mut out, &dir, &init::Options { organisation, year, xlsx, force })
        }
        Command::Completions { shell } => docs::completions(&mut out, shell),
        Command::Man { dir } => docs::man(&mut out, dir.as_deref()),
    };
    match r {
        Ok(code) => ExitCode::from(code),
        Err(d) => {
            output::print_diagnostics(&output::suggest_sets(d, &dirs));
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}
