//! `collapse merge`.

use crate::{App, CliError, CliResult, io};
use collapse_core::Configured;
use collapse_core::SummaryRow;
use collapse_core::merge::Shards;
use collapse_core::rundir::RunError;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A merged run directory and what it holds.
pub struct Merged {
    /// The experiment with the shards' parameters, checked.
    pub configured: Configured,
    /// The master seed of the shards.
    pub seed: u64,
    /// The directory written.
    pub dir: PathBuf,
    /// Number of records merged.
    pub records: u64,
    /// The summary rows written, closed forms included.
    pub summary: Vec<SummaryRow>,
    /// The manifest written.
    pub manifest: serde_json::Value,
}

impl App {
    /// Merges verified shards into the files of the unsharded run at `dest` (replacing an
    /// existing directory only with `force`), with its figure, as `collapse merge` does.
    pub fn merge_shards(
        &self,
        dirs: &[PathBuf],
        dest: &Path,
        force: bool,
    ) -> Result<Merged, CliError> {
        let shards = Shards::open(dirs)?;
        let x = self.experiment(shards.experiment()).map_err(|e| match e {
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
        let command = configured.command(&self.program, shards.seed());
        let mut summary = Vec::new();
        let (dir, records, manifest) = shards.merge(dest, force, |tmp, rows| {
            summary = rows.to_vec();
            match configured.figure(rows, &command) {
                Some(fig) => fig
                    .and_then(|f| f.save(tmp, "figure"))
                    .map(|_| ())
                    .map_err(|e| RunError::Failed(format!("figure: {e}"))),
                None => Ok(()),
            }
        })?;
        Ok(Merged {
            configured,
            seed: shards.seed(),
            dir,
            records,
            summary,
            manifest,
        })
    }
}

/// Merges verified shards into the files of the unsharded run.
pub fn merge(
    app: &App,
    dirs: &[PathBuf],
    dest: &Path,
    force: bool,
    out: &mut dyn Write,
) -> CliResult {
    let merged = app.merge_shards(dirs, dest, force)?;
    writeln!(
        out,
        "merged {} shards into {} ({} records)",
        dirs.len(),
        merged.dir.display(),
        merged.records
    )
    .map_err(io)?;
    Ok(0)
}
