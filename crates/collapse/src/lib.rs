//! # collapse
//!
//! The command-line program of the workspace, as a library: the command is built from a list of
//! [`Catalog`]s (one per model family), so an outside crate builds the same command with its own
//! family added:
//!
//! ```no_run
//! let my_family = collapse_core::Catalog::new("poisson"); // .experiment(…).checks(…)
//! let app = collapse::App::workspace().with(my_family).program("poisson-collapse");
//! let args: Vec<String> = std::env::args().collect();
//! std::process::exit(app.main(&args, &mut std::io::stdout(), &mut std::io::stderr()));
//! ```
//!
//! ```text
//! collapse list [--json]
//! collapse describe EXPERIMENT
//! collapse run EXPERIMENT [--set KEY=VALUE]... [--seed N] [--threads N] [--shard I/N]
//!              [--out DIR] [--force] [--config FILE.toml] [--summary-only]
//!              [--quantiles exact|none]
//! collapse merge DIR... --out DIR [--force]
//! collapse verify [--only PREFIX] [--quick] [--json FILE] [--threads N]
//! collapse figures [--only PREFIX] [--out DIR] [--seed N]
//! ```
//!
//! The contract (options, files and their columns, exit codes, the sharding rule) is written in
//! `docs/command.md`. Bad input exits with code 2 and a message naming the parameter and its
//! valid range, before anything is written; a failed run or check exits with 1; an interrupted
//! run with 130.

mod cmd;
pub mod progress;

use clap::{Parser, Subcommand};
use collapse_core::{Catalog, Check, DynExperiment, Figure};
use std::io::Write;
use std::path::PathBuf;

pub use cmd::merge::Merged;
pub use cmd::run::RunOptions;

/// The catalogs of every family of this workspace.
pub fn workspace_catalogs() -> Vec<Catalog> {
    vec![
        collapse_gaussian::catalog(),
        collapse_discrete::catalog(),
        collapse_ngram::catalog(),
        collapse_mixture::catalog(),
        collapse_regression::catalog(),
        collapse_selftrain::catalog(),
        collapse_latent::catalog(),
    ]
}

/// The command, built from catalogs.
#[derive(Clone, Debug)]
pub struct App {
    catalogs: Vec<Catalog>,
    program: String,
}

impl App {
    /// A command over `catalogs`.
    ///
    /// # Panics
    /// When two catalogs register the same experiment id, check id or figure name (a
    /// programming error, reported with both families).
    pub fn new(catalogs: Vec<Catalog>) -> Self {
        if let Err(e) = collapse_core::catalog::validate(&catalogs) {
            panic!("{e}");
        }
        Self {
            catalogs,
            program: "collapse".into(),
        }
    }

    /// The command over this workspace's families.
    pub fn workspace() -> Self {
        Self::new(workspace_catalogs())
    }

    /// The same command with one more family.
    pub fn with(mut self, catalog: Catalog) -> Self {
        self.catalogs.push(catalog);
        Self::new(self.catalogs)
    }

    /// The program name shown in help and written into figure captions.
    pub fn program(mut self, name: impl Into<String>) -> Self {
        self.program = name.into();
        self
    }

    /// The catalogs.
    pub fn catalogs(&self) -> &[Catalog] {
        &self.catalogs
    }

    /// Every experiment.
    pub fn experiments(&self) -> impl Iterator<Item = &DynExperiment> {
        self.catalogs.iter().flat_map(|c| &c.experiments)
    }

    /// Every check.
    pub fn checks(&self) -> impl Iterator<Item = &Check> {
        self.catalogs.iter().flat_map(|c| &c.checks)
    }

    /// Every figure, in gallery order.
    pub fn figures(&self) -> impl Iterator<Item = &Figure> {
        self.catalogs.iter().flat_map(|c| &c.figures)
    }

    /// The experiment `id`, or a usage error listing the ids.
    pub fn experiment(&self, id: &str) -> Result<&DynExperiment, CliError> {
        self.experiments().find(|e| e.id() == id).ok_or_else(|| {
            let ids: Vec<&str> = self.experiments().map(|e| e.id()).collect();
            CliError::Usage(format!(
                "unknown experiment `{id}`; experiments: {}",
                ids.join(", ")
            ))
        })
    }

    /// Runs the command with `args` (the first is the program name) and returns the exit code.
    pub fn main(&self, args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
        let cli = match Cli::try_parse_from(args) {
            Ok(c) => c,
            Err(e) => {
                let code = if e.use_stderr() { 2 } else { 0 };
                let text = e.render().to_string();
                let _ = if e.use_stderr() {
                    write!(err, "{text}")
                } else {
                    write!(out, "{text}")
                };
                return code;
            }
        };
        let result = match cli.command {
            Command::List { json } => cmd::list::list(self, json, out),
            Command::Describe { experiment } => cmd::list::describe(self, &experiment, out),
            Command::Run { experiment, opts } => cmd::run::run(self, &experiment, &opts, out),
            Command::Merge {
                dirs,
                out: dir,
                force,
            } => cmd::merge::merge(self, &dirs, &dir, force, out),
            Command::Verify {
                only,
                quick,
                json,
                threads,
            } => cmd::verify::verify(self, only.as_deref(), quick, json.as_deref(), threads, out),
            Command::Figures {
                only,
                out: dir,
                seed,
            } => cmd::figures::figures(self, only.as_deref(), &dir, seed, out, err),
        };
        match result {
            Ok(code) => code,
            Err(CliError::ReaderGone) => 0,
            Err(e) => {
                let _ = writeln!(err, "error: {}", e.message());
                e.code()
            }
        }
    }
}

/// Runs the workspace's command with `args` (the first is the program name).
pub fn main_with(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    App::workspace().main(args, out, err)
}

/// Runs a command built from `catalogs` with `args`.
pub fn main_with_catalogs(
    catalogs: Vec<Catalog>,
    args: &[String],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    App::new(catalogs).main(args, out, err)
}

#[derive(Parser, Debug)]
#[command(
    name = "collapse",
    version,
    about = "Model collapse, computable: run experiments, verify theorems, regenerate figures"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Name every experiment and every check.
    List {
        /// Print JSON: {"experiments":[{id,title,params}], "checks":[{id,statement,source}]}.
        #[arg(long)]
        json: bool,
    },
    /// Print an experiment's parameters, defaults, meanings and valid ranges.
    Describe {
        /// The experiment id.
        experiment: String,
    },
    /// Run an experiment and write manifest.json, records.csv, summary.csv and its figure.
    Run {
        /// The experiment id.
        experiment: String,
        #[command(flatten)]
        opts: RunOptions,
    },
    /// Merge the shards of one run into the files of the unsharded run, verifying them.
    Merge {
        /// The shard directories.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output directory (not one of the shards).
        #[arg(long, required = true)]
        out: PathBuf,
        /// Replace an existing non-empty output directory as a whole.
        #[arg(long)]
        force: bool,
    },
    /// Run every registered check and print the verdicts.
    Verify {
        /// Only checks whose id starts with PREFIX.
        #[arg(long)]
        only: Option<String>,
        /// A smaller budget suited to CI.
        #[arg(long)]
        quick: bool,
        /// Also write the results as JSON.
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
        /// Worker threads, 1 to 1024 (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Regenerate the figures into DIR (default figures/).
    Figures {
        /// Only figures whose name starts with PREFIX.
        #[arg(long)]
        only: Option<String>,
        /// Output directory.
        #[arg(long, default_value = "figures")]
        out: PathBuf,
        /// Master seed of every run behind the figures.
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
}

/// A failure of the command.
#[derive(Debug)]
pub enum CliError {
    /// The user's input (exit 2).
    Usage(String),
    /// A run that went wrong (exit 1).
    Failed(String),
    /// Interrupted (exit 130).
    Interrupted,
    /// Whoever read the output stopped reading (`collapse list | head`): not an error of the
    /// command, so it ends quietly with exit 0, as the Unix tools do.
    ReaderGone,
}

impl CliError {
    fn code(&self) -> i32 {
        match self {
            CliError::Usage(_) => 2,
            CliError::Failed(_) => 1,
            CliError::Interrupted => 130,
            CliError::ReaderGone => 0,
        }
    }
    fn message(&self) -> String {
        match self {
            CliError::Usage(m) | CliError::Failed(m) => m.clone(),
            CliError::Interrupted => "interrupted; nothing was written".into(),
            CliError::ReaderGone => String::new(),
        }
    }
}

impl From<collapse_core::rundir::RunError> for CliError {
    fn from(e: collapse_core::rundir::RunError) -> Self {
        use collapse_core::rundir::RunError;
        match e {
            RunError::Refused(m) => CliError::Usage(m),
            RunError::Interrupted => CliError::Interrupted,
            other => CliError::Failed(other.to_string()),
        }
    }
}

impl From<collapse_core::output::OutputError> for CliError {
    fn from(e: collapse_core::output::OutputError) -> Self {
        collapse_core::rundir::RunError::from(e).into()
    }
}

type CliResult = Result<i32, CliError>;

fn io(e: std::io::Error) -> CliError {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return CliError::ReaderGone;
    }
    CliError::Failed(format!("cannot write output: {e}"))
}
