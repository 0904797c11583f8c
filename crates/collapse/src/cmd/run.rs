//! `collapse run`.

use super::{in_pool, interrupt_flag, thread_pool};
use crate::progress::Bar;
use crate::{App, CliError, CliResult, io};
use collapse_core::rundir::{RunRequest, write_run};
use collapse_core::{Progress, Quantiles, Shard};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The options of `collapse run`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct RunOptions {
    /// Set a parameter (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Master seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Worker threads, 1 to 1024 (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Run only shard I of N (replicates r with r mod N = I).
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Output directory (default runs/EXPERIMENT-SEED); it must not exist or be empty.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an existing non-empty output directory as a whole.
    #[arg(long)]
    pub force: bool,
    /// Parameters from a TOML file (NAME = VALUE); --set overrides it.
    #[arg(long, value_name = "FILE.toml")]
    pub config: Option<PathBuf>,
    /// Skip records.csv.
    #[arg(long)]
    pub summary_only: bool,
    /// What summary.csv keeps: exact quantiles (8 bytes a record in memory) or none
    /// (constant memory per group; q05, q50, q95 left empty).
    #[arg(long, value_name = "exact|none", default_value = "exact")]
    pub quantiles: String,
}

fn read_config(path: &Path) -> Result<toml::Table, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Usage(format!("--config: cannot read {}: {e}", path.display())))?;
    text.parse::<toml::Table>().map_err(|e| {
        CliError::Usage(format!(
            "--config: {} is not valid TOML: {e}",
            path.display()
        ))
    })
}

/// Splits `KEY=VALUE` assignments.
pub fn parse_sets(sets: &[String]) -> Result<Vec<(String, String)>, CliError> {
    sets.iter()
        .map(|s| {
            s.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| {
                    CliError::Usage(format!(
                        "--set: invalid assignment `{s}`; expected KEY=VALUE"
                    ))
                })
        })
        .collect()
}

/// Runs an experiment into its directory.
pub fn run(app: &App, id: &str, o: &RunOptions, out: &mut dyn Write) -> CliResult {
    // Everything the user typed is validated before any work or any file.
    let x = app.experiment(id)?;
    let config = o.config.as_deref().map(read_config).transpose()?;
    let sets = parse_sets(&o.set)?;
    let configured = x
        .resolve(config.as_ref(), &sets)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let shard: Shard = match &o.shard {
        Some(s) => s.parse().map_err(CliError::Usage)?,
        None => Shard::WHOLE,
    };
    let quantiles = Quantiles::parse(&o.quantiles).ok_or_else(|| {
        CliError::Usage(format!(
            "--quantiles: invalid value `{}`; expected one of exact | none",
            o.quantiles
        ))
    })?;
    let pool = thread_pool(o.threads)?;
    let dir = o.out.clone().unwrap_or_else(|| {
        let base = format!("runs/{id}-{}", o.seed);
        PathBuf::from(if shard.count > 1 {
            format!("{base}-shard{}-of-{}", shard.index, shard.count)
        } else {
            base
        })
    });
    let bar = Bar::new(id);
    bar.start(configured.work());
    let req = RunRequest {
        configured: &configured,
        seed: o.seed,
        shard,
        out: dir,
        records: !o.summary_only,
        quantiles,
        force: o.force,
        program: &app.program,
        progress: &bar,
        cancel: Some(interrupt_flag()),
    };
    let report = in_pool(&pool, || write_run(&req));
    bar.finish();
    let report = report?;
    if let Some(text) = &report.report {
        writeln!(out, "{text}").map_err(io)?;
    }
    writeln!(
        out,
        "wrote {} ({} records, {:.2} s)",
        report.dir.display(),
        report.records,
        report.elapsed
    )
    .map_err(io)?;
    Ok(0)
}
