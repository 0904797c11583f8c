//! `collapse merge`.

use crate::{App, CliError, CliResult, io};
use collapse_core::merge::Shards;
use collapse_core::rundir::RunError;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Merges verified shards into the files of the unsharded run.
pub fn merge(
    app: &App,
    dirs: &[PathBuf],
    dest: &Path,
    force: bool,
    out: &mut dyn Write,
) -> CliResult {
    let shards = Shards::open(dirs)?;
    let x = app.experiment(shards.experiment()).map_err(|e| match e {
        CliError::Usage(m) => CliError::Usage(format!("merge: the shards' {m}")),
        other => other,
    })?;
    let configured = x.resolve(None, &shards.params()).map_err(|e| {
        CliError::Usage(format!(
            "merge: the shards' parameters are not valid for `{}`: {e}",
            x.id()
        ))
    })?;
    if &configured.params().to_json() != shards.params_json() {
        return Err(CliError::Usage(
            "merge: the shards' parameters do not read back to themselves (an edited manifest?)"
                .into(),
        ));
    }
    let command = configured.command(&app.program, shards.seed());
    let (dir, records, _) = shards.merge(dest, force, |tmp, summary| {
        match configured.figure(summary, &command) {
            Some(fig) => fig
                .and_then(|f| f.save(tmp, "figure"))
                .map(|_| ())
                .map_err(|e| RunError::Failed(format!("figure: {e}"))),
            None => Ok(()),
        }
    })?;
    writeln!(
        out,
        "merged {} shards into {} ({records} records)",
        dirs.len(),
        dir.display()
    )
    .map_err(io)?;
    Ok(0)
}
