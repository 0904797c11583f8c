//! `collapse figures`.

use super::select;
use crate::progress::Bar;
use crate::{App, CliError, CliResult, io};
use collapse_core::FigureEnv;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

/// Regenerates the selected figures into `dir`, warning on `err` of every layout rule a figure
/// breaks (`Drawing::lint`: too few readable ticks, a legend over data, text past the canvas…).
pub fn figures(
    app: &App,
    only: Option<&str>,
    dir: &Path,
    seed: u64,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> CliResult {
    let specs = select(app.figures(), |f| f.name, only, "figure name")?;
    if dir.exists() && !dir.is_dir() {
        return Err(CliError::Usage(format!(
            "--out: `{}` exists and is not a directory",
            dir.display()
        )));
    }
    let started_all = Instant::now();
    for f in specs {
        let bar = Bar::new(f.name);
        let started = Instant::now();
        let env = FigureEnv {
            seed,
            progress: &bar,
            program: &app.program,
        };
        let drawing = f
            .render(&env)
            .map_err(|e| CliError::Failed(format!("figure {}: {e}", f.name)))?;
        drawing
            .save(dir, f.name)
            .map_err(|e| CliError::Failed(format!("figure {}: {e}", f.name)))?;
        bar.finish();
        for fault in drawing.lint() {
            writeln!(err, "warning: figure {}: {fault}", f.name).map_err(io)?;
        }
        writeln!(
            out,
            "wrote {}/{}.{{svg,png}} ({:.1} s)",
            dir.display(),
            f.name,
            started.elapsed().as_secs_f64()
        )
        .map_err(io)?;
    }
    writeln!(out, "done in {:.1} s", started_all.elapsed().as_secs_f64()).map_err(io)?;
    Ok(0)
}
