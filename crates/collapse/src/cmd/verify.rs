//! `collapse verify`.

use super::{in_pool, select, thread_pool};
use crate::progress::Bar;
use crate::{App, CliResult, io};
use collapse_core::output::{check_file_target, write_atomic};
use collapse_core::{Budget, Progress, Relation};
use std::io::Write;
use std::path::Path;

fn fmt_num(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else if x.abs() >= 1e-3 && x.abs() < 1e5 {
        format!("{x:.6}")
    } else {
        format!("{x:.4e}")
    }
}

fn finite_or_null(x: f64) -> serde_json::Value {
    if x.is_finite() {
        serde_json::Value::from(x)
    } else {
        serde_json::Value::Null
    }
}

/// Runs the selected checks and prints the verdicts; exit 1 if any fails.
pub fn verify(
    app: &App,
    only: Option<&str>,
    quick: bool,
    json: Option<&Path>,
    threads: Option<usize>,
    out: &mut dyn Write,
) -> CliResult {
    let checks = select(app.checks(), |c| c.id, only, "check id")?;
    let pool = thread_pool(threads)?;
    if let Some(path) = json {
        check_file_target(path, "--json")?;
    }
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
        let verdict = in_pool(&pool, || c.run(budget));
        bar.advance(1);
        let o = match verdict {
            Ok(o) => o,
            Err(why) => {
                failures += 1;
                writeln!(out, "{:44} FAIL: {why}", c.id).map_err(io)?;
                results.push(serde_json::json!({
                    "id": c.id, "statement": c.statement, "source": c.source,
                    "predicted": null, "measured": null, "std_error": null, "tolerance": null,
                    "relation": null, "pass": false, "error": why,
                }));
                continue;
            }
        };
        let pass = o.pass();
        failures += usize::from(!pass);
        let rel = match o.relation {
            Relation::Equal => "",
            Relation::AtMost => " (<=)",
            Relation::AtLeast => " (>=)",
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
