//! # collapse
//!
//! The command-line program of the workspace; its contract (commands, options, output files,
//! exit codes, sharding) is written in `docs/command.md`:
//!
//! ```text
//! collapse list [--json]
//! collapse describe EXPERIMENT
//! collapse run EXPERIMENT [--set KEY=VALUE]... [--seed N] [--threads N]
//!              [--shard I/N] [--out DIR] [--config FILE.toml] [--summary-only]
//! collapse merge DIR... --out DIR
//! collapse verify [--only PREFIX] [--quick] [--json FILE]
//! collapse figures [--only PREFIX] [--out DIR]
//! ```
//!
//! Bad input exits with code 2 and a message naming the parameter and its valid range, before
//! anything is written; a failing check makes `verify` exit with 1.

pub mod progress;
pub mod registry;

use clap::{Parser, Subcommand};
use collapse_core::records::{
    parse_records_csv, parse_theory_rows, records_csv, sort_records, summarize, summary_csv,
};
use collapse_core::{Budget, Experiment, Progress, RunContext, Shard, SummaryRow};
use progress::Bar;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

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
    /// Merge the shards of one run into the files of the unsharded run.
    Merge {
        /// The shard directories.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output directory.
        #[arg(long, required = true)]
        out: PathBuf,
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
        /// Worker threads (default: all cores).
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

/// A failure: `Usage` is the user's input (exit 2), `Failed` a run that went wrong (exit 1).
#[derive(Debug)]
enum CliError {
    Usage(String),
    Failed(String),
}

type CliResult = Result<i32, CliError>;

/// Runs the command with `args` (the first is the program name) and returns the exit code.
pub fn main_with(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let text = e.render().to_string();
            if e.use_stderr() {
                let _ = write!(err, "{text}");
            } else {
                let _ = write!(out, "{text}");
            }
            return code;
        }
    };
    let result = match cli.command {
        Command::List { json } => list(json, out),
        Command::Describe { experiment } => describe(&experiment, out),
        Command::Run { experiment, opts } => run(&experiment, &opts, out),
        Command::Merge { dirs, out: dir } => merge(&dirs, &dir, out),
        Command::Verify {
            only,
            quick,
            json,
            threads,
        } => thread_pool(threads)
            .and_then(|pool| verify(only.as_deref(), quick, json.as_deref(), &pool, out)),
        Command::Figures {
            only,
            out: dir,
            seed,
        } => figures(only.as_deref(), &dir, seed, out),
    };
    match result {
        Ok(code) => code,
        Err(CliError::Usage(m)) => {
            let _ = writeln!(err, "error: {m}");
            2
        }
        Err(CliError::Failed(m)) => {
            let _ = writeln!(err, "error: {m}");
            1
        }
    }
}

fn find_experiment(id: &str) -> Result<Experiment, CliError> {
    let all = registry::experiments();
    let ids: Vec<&str> = all.iter().map(|e| e.id).collect();
    let joined = ids.join(", ");
    all.into_iter()
        .find(|e| e.id == id)
        .ok_or_else(|| CliError::Usage(format!("unknown experiment `{id}`; experiments: {joined}")))
}

fn list(json: bool, out: &mut dyn Write) -> CliResult {
    let exps = registry::experiments();
    let checks = registry::checks();
    if json {
        let e: Vec<serde_json::Value> = exps
            .iter()
            .map(|x| {
                serde_json::json!({"id": x.id, "title": x.title, "params": x.defaults().to_json()})
            })
            .collect();
        let c: Vec<serde_json::Value> = checks
            .iter()
            .map(|c| serde_json::json!({"id": c.id, "statement": c.statement, "source": c.source}))
            .collect();
        let v = serde_json::json!({"experiments": e, "checks": c});
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&v).expect("JSON of plain values")
        )
        .map_err(io)?;
        return Ok(0);
    }
    writeln!(out, "Experiments:").map_err(io)?;
    for x in &exps {
        writeln!(out, "  {:28} {}", x.id, x.title).map_err(io)?;
    }
    writeln!(out, "\nChecks:").map_err(io)?;
    for c in &checks {
        writeln!(out, "  {:40} {}", c.id, c.statement).map_err(io)?;
    }
    Ok(0)
}

fn describe(id: &str, out: &mut dyn Write) -> CliResult {
    let x = find_experiment(id)?;
    writeln!(out, "{} — {}\n\n{}\n\nParameters:", x.id, x.title, x.about).map_err(io)?;
    for p in &x.params {
        writeln!(
            out,
            "  {:16} default {:12} {}\n  {:16} {}",
            p.name,
            p.default.to_string(),
            p.kind.range(),
            "",
            p.help
        )
        .map_err(io)?;
    }
    writeln!(
        out,
        "\nMetrics are written to records.csv (series,replicate,step,metric,value) and summary.csv."
    )
    .map_err(io)?;
    Ok(0)
}

fn io(e: std::io::Error) -> CliError {
    CliError::Failed(format!("cannot write output: {e}"))
}

/// A pool of `threads` workers, or `None` for the global pool.
fn thread_pool(threads: Option<usize>) -> Result<Option<rayon::ThreadPool>, CliError> {
    match threads {
        None => Ok(None),
        Some(0) => Err(CliError::Usage(
            "--threads: invalid value 0; expected an integer >= 1".into(),
        )),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map(Some)
            .map_err(|e| CliError::Failed(format!("cannot start {n} threads: {e}"))),
    }
}

/// Runs `f` on `pool`, or on the global pool.
fn in_pool<T: Send>(pool: &Option<rayon::ThreadPool>, f: impl FnOnce() -> T + Send) -> T {
    match pool {
        Some(p) => p.install(f),
        None => f(),
    }
}

/// The options of `collapse run`.
#[derive(clap::Args, Debug)]
struct RunOptions {
    /// Set a parameter (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Master seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Run only shard I of N (replicates r with r mod N = I).
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    /// Output directory (default runs/EXPERIMENT-SEED).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Parameters from a TOML file (NAME = VALUE); --set overrides it.
    #[arg(long, value_name = "FILE.toml")]
    config: Option<PathBuf>,
    /// Skip records.csv.
    #[arg(long)]
    summary_only: bool,
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

fn parse_sets(sets: &[String]) -> Result<Vec<(String, String)>, CliError> {
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

/// Writes `bytes` to `path` through a temporary file and a rename, so that no reader sees a
/// half-written file.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)
        .and_then(|_| std::fs::rename(&tmp, path))
        .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", path.display())))
}

fn run(id: &str, o: &RunOptions, out: &mut dyn Write) -> CliResult {
    // Everything the user typed is validated before any work or any file.
    let x = find_experiment(id)?;
    let config = o.config.as_deref().map(read_config).transpose()?;
    let sets = parse_sets(&o.set)?;
    let params = x
        .resolve(config.as_ref(), &sets)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let shard: Shard = match &o.shard {
        Some(s) => s.parse().map_err(CliError::Usage)?,
        None => Shard::WHOLE,
    };
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
    bar.start((x.work)(&params));
    let started = Instant::now();
    let ctx = RunContext {
        seed: o.seed,
        key: id.to_string(),
        shard,
        progress: &bar,
    };
    let output =
        in_pool(&pool, || x.execute(&params, &ctx)).map_err(|e| CliError::Usage(e.to_string()))?;
    bar.finish();
    let elapsed = started.elapsed().as_secs_f64();

    std::fs::create_dir_all(&dir)
        .map_err(|e| CliError::Failed(format!("cannot create {}: {e}", dir.display())))?;
    let summary = summarize(&output.records, &output.theory);
    if !o.summary_only {
        write_atomic(
            &dir.join("records.csv"),
            records_csv(&output.records).as_bytes(),
        )?;
    }
    write_atomic(&dir.join("summary.csv"), summary_csv(&summary).as_bytes())?;
    let manifest = serde_json::json!({
        "experiment": id,
        "params": params.to_json(),
        "seed": o.seed,
        "shard": shard.to_string(),
        "version": env!("CARGO_PKG_VERSION"),
        "elapsed_seconds": elapsed,
        "records": output.records.len(),
        "summary_only": o.summary_only,
    });
    write_atomic(
        &dir.join("manifest.json"),
        serde_json::to_string_pretty(&manifest)
            .expect("plain JSON")
            .as_bytes(),
    )?;
    if shard.count == 1 {
        draw_run_figure(id, &params, &summary, o.seed, &dir)?;
    }
    if let Some(report) = &output.report {
        writeln!(out, "{report}").map_err(io)?;
    }
    writeln!(
        out,
        "wrote {} ({} records, {:.2} s)",
        dir.display(),
        output.records.len(),
        elapsed
    )
    .map_err(io)?;
    Ok(0)
}

fn draw_run_figure(
    id: &str,
    params: &collapse_core::Params,
    summary: &[SummaryRow],
    seed: u64,
    dir: &Path,
) -> Result<(), CliError> {
    if let Some(f) = registry::run_figure(id) {
        let chart = (f.draw)(params, summary, seed);
        chart
            .save(dir, "figure")
            .map_err(|e| CliError::Failed(e.to_string()))?;
    }
    Ok(())
}

fn read_manifest(dir: &Path) -> Result<serde_json::Value, CliError> {
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| CliError::Usage(format!("merge: cannot read {}: {e}", path.display())))?;
    serde_json::from_str(&text)
        .map_err(|e| CliError::Usage(format!("merge: {} is not valid JSON: {e}", path.display())))
}

fn merge(dirs: &[PathBuf], dest: &Path, out: &mut dyn Write) -> CliResult {
    let manifests: Vec<serde_json::Value> = dirs
        .iter()
        .map(|d| read_manifest(d))
        .collect::<Result<_, _>>()?;
    let first = &manifests[0];
    let id = first["experiment"].as_str().unwrap_or_default().to_string();
    let mut seen = Vec::new();
    let mut count = None;
    for (m, d) in manifests.iter().zip(dirs) {
        for key in ["experiment", "params", "seed"] {
            if m[key] != first[key] {
                return Err(CliError::Usage(format!(
                    "merge: {} has a different `{key}` from {}; only shards of one run can be merged",
                    d.display(),
                    dirs[0].display()
                )));
            }
        }
        let shard: Shard = m["shard"]
            .as_str()
            .unwrap_or("")
            .parse()
            .map_err(|e: String| {
                CliError::Usage(format!(
                    "merge: {}: manifest shard is invalid: {e}",
                    d.display()
                ))
            })?;
        if *count.get_or_insert(shard.count) != shard.count {
            return Err(CliError::Usage(
                "merge: the shards come from different shard counts".into(),
            ));
        }
        seen.push(shard.index);
    }
    let n = count.unwrap_or(1);
    seen.sort_unstable();
    if seen != (0..n).collect::<Vec<_>>() {
        return Err(CliError::Usage(format!(
            "merge: expected shards 0..{n} exactly once each; got {seen:?}"
        )));
    }
    let mut records = Vec::new();
    for d in dirs {
        let path = d.join("records.csv");
        let text = std::fs::read_to_string(&path).map_err(|e| {
            CliError::Usage(format!(
                "merge: cannot read {} ({e}); shards run with --summary-only cannot be merged",
                path.display()
            ))
        })?;
        records.extend(
            parse_records_csv(&text)
                .map_err(|e| CliError::Usage(format!("merge: {}: {e}", path.display())))?,
        );
    }
    sort_records(&mut records);
    let summary_path = dirs[0].join("summary.csv");
    let theory_text = std::fs::read_to_string(&summary_path).map_err(|e| {
        CliError::Usage(format!(
            "merge: cannot read {}: {e}",
            summary_path.display()
        ))
    })?;
    let theory =
        parse_theory_rows(&theory_text).map_err(|e| CliError::Usage(format!("merge: {e}")))?;
    let summary = summarize(&records, &theory);

    std::fs::create_dir_all(dest)
        .map_err(|e| CliError::Failed(format!("cannot create {}: {e}", dest.display())))?;
    write_atomic(&dest.join("records.csv"), records_csv(&records).as_bytes())?;
    write_atomic(&dest.join("summary.csv"), summary_csv(&summary).as_bytes())?;
    let elapsed: f64 = manifests
        .iter()
        .filter_map(|m| m["elapsed_seconds"].as_f64())
        .sum();
    let manifest = serde_json::json!({
        "experiment": id,
        "params": first["params"],
        "seed": first["seed"],
        "shard": "0/1",
        "merged_from": n,
        "version": env!("CARGO_PKG_VERSION"),
        "elapsed_seconds": elapsed,
        "records": records.len(),
        "summary_only": false,
    });
    write_atomic(
        &dest.join("manifest.json"),
        serde_json::to_string_pretty(&manifest)
            .expect("plain JSON")
            .as_bytes(),
    )?;
    if let Ok(x) = find_experiment(&id) {
        let sets: Vec<(String, String)> = first["params"]
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            v.as_str().map_or_else(|| v.to_string(), str::to_string),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        if let Ok(params) = x.resolve(None, &sets) {
            let seed = first["seed"].as_u64().unwrap_or(0);
            draw_run_figure(&id, &params, &summary, seed, dest)?;
        }
    }
    writeln!(
        out,
        "merged {n} shards into {} ({} records)",
        dest.display(),
        records.len()
    )
    .map_err(io)?;
    Ok(0)
}

/// The items whose name starts with `--only`'s prefix (all without one); an empty selection is
/// refused with the list of names.
fn select<T>(
    items: Vec<T>,
    name: fn(&T) -> &'static str,
    only: Option<&str>,
    what: &str,
) -> Result<Vec<T>, CliError> {
    let all: Vec<&str> = items.iter().map(name).collect();
    let chosen: Vec<T> = items
        .into_iter()
        .filter(|x| only.is_none_or(|p| name(x).starts_with(p)))
        .collect();
    if chosen.is_empty() {
        return Err(CliError::Usage(format!(
            "--only: no {what} starts with `{}`; valid: {}",
            only.unwrap_or(""),
            all.join(", ")
        )));
    }
    Ok(chosen)
}

fn fmt_num(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else if x.abs() >= 1e-3 && x.abs() < 1e5 {
        format!("{x:.6}")
    } else {
        format!("{x:.4e}")
    }
}

fn verify(
    only: Option<&str>,
    quick: bool,
    json: Option<&Path>,
    pool: &Option<rayon::ThreadPool>,
    out: &mut dyn Write,
) -> CliResult {
    let checks = select(registry::checks(), |c| c.id, only, "check id")?;
    let budget = if quick { Budget::Quick } else { Budget::Full };
    let bar = Bar::new("verify");
    bar.start(checks.len() as u64);
    writeln!(
        out,
        "{:44} {:>14} {:>14} {:>12} {:>12}  verdict",
        "id", "predicted", "measured", "std error", "tolerance"
    )
    .map_err(io)?;
    let mut results = Vec::new();
    let mut failures = 0;
    for c in &checks {
        bar.message(c.id);
        let o = in_pool(pool, || (c.run)(budget));
        let pass = o.pass();
        failures += usize::from(!pass);
        let rel = match o.relation {
            collapse_core::Relation::Equal => "",
            collapse_core::Relation::AtMost => " (<=)",
            collapse_core::Relation::AtLeast => " (>=)",
        };
        writeln!(
            out,
            "{:44} {:>14} {:>14} {:>12} {:>12}  {}{rel}",
            c.id,
            fmt_num(o.predicted),
            fmt_num(o.measured),
            fmt_num(o.std_error),
            fmt_num(o.tolerance),
            if pass { "pass" } else { "FAIL" }
        )
        .map_err(io)?;
        bar.advance(1);
        results.push(serde_json::json!({
            "id": c.id, "statement": c.statement, "source": c.source,
            "predicted": finite_or_null(o.predicted), "measured": finite_or_null(o.measured),
            "std_error": finite_or_null(o.std_error), "tolerance": finite_or_null(o.tolerance),
            "relation": format!("{:?}", o.relation).to_lowercase(), "pass": pass,
        }));
    }
    bar.finish();
    writeln!(
        out,
        "{} passed, {} failed",
        checks.len() - failures,
        failures
    )
    .map_err(io)?;
    if let Some(path) = json {
        let text = serde_json::to_string_pretty(&results).expect("plain JSON");
        write_atomic(path, text.as_bytes())?;
    }
    Ok(if failures == 0 { 0 } else { 1 })
}

fn finite_or_null(x: f64) -> serde_json::Value {
    if x.is_finite() {
        serde_json::Value::from(x)
    } else {
        serde_json::Value::Null
    }
}

fn figures(only: Option<&str>, dir: &Path, seed: u64, out: &mut dyn Write) -> CliResult {
    let specs = select(registry::figures(), |f| f.name, only, "figure name")?;
    for f in specs {
        let bar = Bar::new(f.name);
        let started = Instant::now();
        let env = collapse_figures::FigureEnv {
            seed,
            progress: &bar,
        };
        let chart =
            (f.render)(&env).map_err(|e| CliError::Failed(format!("figure {}: {e}", f.name)))?;
        chart
            .save(dir, f.name)
            .map_err(|e| CliError::Failed(format!("figure {}: {e}", f.name)))?;
        bar.finish();
        writeln!(
            out,
            "wrote {}/{}.{{svg,png}} ({:.1} s)",
            dir.display(),
            f.name,
            started.elapsed().as_secs_f64()
        )
        .map_err(io)?;
    }
    Ok(0)
}
