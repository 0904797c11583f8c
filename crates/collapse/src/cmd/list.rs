//! `collapse list` and `collapse describe`.

use crate::{App, CliResult, io};
use std::io::Write;

/// Names every experiment and check.
pub fn list(app: &App, json: bool, out: &mut dyn Write) -> CliResult {
    if json {
        let e: Vec<serde_json::Value> = app
            .experiments()
            .map(|x| {
                serde_json::json!({"id": x.id(), "title": x.title(), "params": x.defaults().to_json()})
            })
            .collect();
        let c: Vec<serde_json::Value> = app
            .checks()
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
    for x in app.experiments() {
        writeln!(out, "  {:28} {}", x.id(), x.title()).map_err(io)?;
    }
    writeln!(out, "\nChecks:").map_err(io)?;
    for c in app.checks() {
        writeln!(out, "  {:40} {}", c.id, c.statement).map_err(io)?;
    }
    Ok(0)
}

/// Prints an experiment's parameters.
pub fn describe(app: &App, id: &str, out: &mut dyn Write) -> CliResult {
    let x = app.experiment(id)?;
    writeln!(
        out,
        "{} — {}\n\n{}\n\nParameters:",
        x.id(),
        x.title(),
        x.about()
    )
    .map_err(io)?;
    for p in x.params() {
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
