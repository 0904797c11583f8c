//! Figures as data: a name, a title, and a function that runs what the figure needs and returns
//! a [`Drawing`].
//!
//! The core does not draw: a [`Drawing`] is anything that renders itself to SVG and PNG (the
//! `collapse-plot` crate's `Chart` is one). Keeping the trait here lets a family register its
//! figures beside its experiments and checks without the core depending on a plotting library.

use crate::ensemble::{NoProgress, Progress};
use crate::experiment::{Collected, Configured, DynExperiment, ExperimentError};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why a figure could not be drawn or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FigureError {
    /// The drawing backend failed.
    #[error("drawing failed: {0}")]
    Draw(String),
    /// The file could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The experiment behind the figure failed.
    #[error("{0}")]
    Run(String),
}

impl From<ExperimentError> for FigureError {
    fn from(e: ExperimentError) -> Self {
        FigureError::Run(e.to_string())
    }
}

impl From<crate::params::ParamError> for FigureError {
    fn from(e: crate::params::ParamError) -> Self {
        FigureError::Run(e.to_string())
    }
}

/// Something that renders itself as SVG and PNG.
pub trait Drawing: Send + Sync {
    /// Writes `dir/stem.svg` and `dir/stem.png`, each through a temporary file renamed into
    /// place, so that a failure never leaves a half-written figure.
    fn save(&self, dir: &Path, stem: &str) -> Result<Vec<PathBuf>, FigureError>;

    /// The layout rules this drawing breaks (an axis without three readable tick labels, a
    /// legend over data, text past the canvas, …), one sentence each; empty for a good figure
    /// or for a drawing that cannot tell (the default). `collapse figures` prints them as
    /// warnings.
    fn lint(&self) -> Vec<String> {
        Vec::new()
    }

    /// The SVG text.
    fn svg(&self) -> Result<String, FigureError> {
        let dir = scratch_dir()?;
        let files = self.save(dir.path(), "figure")?;
        let svg = files
            .iter()
            .find(|f| f.extension().is_some_and(|e| e == "svg"))
            .ok_or_else(|| FigureError::Draw("no SVG was written".into()))?;
        std::fs::read_to_string(svg).map_err(|source| FigureError::Io {
            path: svg.clone(),
            source,
        })
    }

    /// The PNG bytes.
    fn png(&self) -> Result<Vec<u8>, FigureError> {
        let dir = scratch_dir()?;
        let files = self.save(dir.path(), "figure")?;
        let png = files
            .iter()
            .find(|f| f.extension().is_some_and(|e| e == "png"))
            .ok_or_else(|| FigureError::Draw("no PNG was written".into()))?;
        std::fs::read(png).map_err(|source| FigureError::Io {
            path: png.clone(),
            source,
        })
    }
}

/// A temporary directory removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch_dir() -> Result<Scratch, FigureError> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "collapse-figure-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).map_err(|source| FigureError::Io {
        path: dir.clone(),
        source,
    })?;
    Ok(Scratch(dir))
}

/// What a figure's render function gets.
pub struct FigureEnv<'a> {
    /// The seed of every run behind the figure.
    pub seed: u64,
    /// Progress of the work behind the figure.
    pub progress: &'a dyn Progress,
    /// The program name captions use to write reproducible commands (`collapse`).
    pub program: &'a str,
}

impl Default for FigureEnv<'static> {
    fn default() -> Self {
        FigureEnv {
            seed: 0,
            progress: &NoProgress,
            program: "collapse",
        }
    }
}

/// A run behind a figure, and the command that reproduces it.
#[derive(Clone, Debug)]
pub struct FigureRun {
    /// Records, summary, theory and report.
    pub run: Collected,
    /// `collapse run … --seed S`.
    pub command: String,
    /// The experiment and its typed configuration (`configured.config::<C>()`).
    pub configured: Configured,
}

impl std::ops::Deref for FigureRun {
    type Target = Collected;
    fn deref(&self) -> &Collected {
        &self.run
    }
}

impl FigureEnv<'_> {
    /// Runs `x` at its defaults overridden by `sets`, as `collapse run` would (same streams),
    /// keeping records and summary in memory, with progress sized by the experiment's work.
    pub fn run(&self, x: &DynExperiment, sets: &[(&str, &str)]) -> Result<FigureRun, FigureError> {
        let c = x.configure_with(sets)?;
        self.progress.start(c.work());
        let run = c.collect_with(self.seed, self.progress)?;
        Ok(FigureRun {
            command: c.command(self.program, self.seed),
            run,
            configured: c,
        })
    }
}

type RenderFn = dyn Fn(&FigureEnv<'_>) -> Result<Box<dyn Drawing>, FigureError> + Send + Sync;

/// A registered figure of `collapse figures`.
#[derive(Clone)]
pub struct Figure {
    /// Family-first name, e.g. `gaussian-variance-collapse`; also the file stem.
    pub name: &'static str,
    /// One line.
    pub title: &'static str,
    render: Arc<RenderFn>,
}

impl std::fmt::Debug for Figure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Figure").field("name", &self.name).finish()
    }
}

impl Figure {
    /// A figure drawn by `render`.
    pub fn new<F, D>(name: &'static str, title: &'static str, render: F) -> Self
    where
        F: Fn(&FigureEnv<'_>) -> Result<D, FigureError> + Send + Sync + 'static,
        D: Drawing + 'static,
    {
        Self {
            name,
            title,
            render: Arc::new(move |env| Ok(Box::new(render(env)?) as Box<dyn Drawing>)),
        }
    }

    /// Runs what the figure needs and draws it.
    pub fn render(&self, env: &FigureEnv<'_>) -> Result<Box<dyn Drawing>, FigureError> {
        (self.render)(env)
    }
}
