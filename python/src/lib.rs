//! `collapse._native`: the extension module under the `collapse` Python package.
//!
//! Each function here is what the command does, for Python: the same catalogs
//! ([`collapse::App::workspace`]), the same parameter checks and messages, the same runs, sinks
//! and files. The Python package around it (`collapse/__init__.py`) gives the results their
//! Python shape (tables of numpy arrays, frames, bytes a notebook displays).
//!
//! Long work (runs, checks, merges, figures) runs on a thread of its own without the GIL and
//! can be interrupted with Ctrl-C ([`background`]). Bad input raises `ValueError` with the
//! command's message, a failed run `RuntimeError`; a panic is caught and raised as
//! `RuntimeError` too ([`errors`]).

mod background;
mod columns;
mod convert;
mod errors;
mod runs;

use background::Handle;
use collapse_core::{Budget, Check, Configured, Drawing, FigureEnv, Progress, Quantiles, Shard};
use columns::Columns;
use errors::{Failure, guarded, panic_text};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use runs::{Finished, PROGRAM, RunSpec, app};
use std::path::PathBuf;

/// The most worker threads a call may ask for (the command's limit).
const MAX_THREADS: i64 = 1024;

/// A pool of `threads` workers, or `None` for the global pool (all cores).
fn pool(threads: Option<i64>) -> Result<Option<rayon::ThreadPool>, Failure> {
    match threads {
        None => Ok(None),
        Some(n) if !(1..=MAX_THREADS).contains(&n) => Err(Failure::Usage(format!(
            "threads: invalid value {n}; expected an integer in [1, {MAX_THREADS}]"
        ))),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n as usize)
            .build()
            .map(Some)
            .map_err(|e| Failure::Failed(format!("cannot start {n} threads: {e}"))),
    }
}

/// Runs `f` on `pool`, or on the global pool.
fn in_pool<T: Send>(pool: &Option<rayon::ThreadPool>, f: impl FnOnce() -> T + Send) -> T {
    match pool {
        Some(p) => p.install(f),
        None => f(),
    }
}

/// Every experiment: `id`, `title`, `about` and `params` (each parameter's default).
#[pyfunction]
fn experiments(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    guarded(|| {
        let items = app()
            .experiments()
            .map(|x| {
                let d = PyDict::new(py);
                d.set_item("id", x.id())?;
                d.set_item("title", x.title())?;
                d.set_item("about", x.about())?;
                d.set_item("params", convert::params(py, &x.defaults())?)?;
                Ok(d)
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    })
}

/// Every check: `id`, `statement` and `source`.
#[pyfunction]
fn checks(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    guarded(|| {
        let items = app()
            .checks()
            .map(|c| {
                let d = PyDict::new(py);
                d.set_item("id", c.id)?;
                d.set_item("statement", c.statement)?;
                d.set_item("source", c.source)?;
                Ok(d)
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    })
}

/// Every figure of `collapse figures`: `name` and `title`, in gallery order.
#[pyfunction]
fn figures(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    guarded(|| {
        let items = app()
            .figures()
            .map(|f| {
                let d = PyDict::new(py);
                d.set_item("name", f.name)?;
                d.set_item("title", f.title)?;
                Ok(d)
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    })
}

/// An experiment's `id`, `title`, `about` and `params`: a list of declarations.
#[pyfunction]
fn describe<'py>(py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyDict>> {
    guarded(|| {
        let x = app().experiment(id).map_err(Failure::from)?;
        let d = PyDict::new(py);
        d.set_item("id", x.id())?;
        d.set_item("title", x.title())?;
        d.set_item("about", x.about())?;
        let specs = x
            .params()
            .iter()
            .map(|s| convert::spec(py, s))
            .collect::<PyResult<Vec<_>>>()?;
        d.set_item("params", PyList::new(py, specs)?)?;
        Ok(d)
    })
}

/// Runs an experiment; `params` are `(name, text)` pairs read as `--set name=text` is.
#[pyfunction]
#[pyo3(signature = (id, params, seed, shard, threads, records, quantiles, out, force, progress))]
#[allow(clippy::too_many_arguments)]
fn run<'py>(
    py: Python<'py>,
    id: &str,
    params: Vec<(String, String)>,
    seed: u64,
    shard: Option<String>,
    threads: Option<i64>,
    records: bool,
    quantiles: &str,
    out: Option<PathBuf>,
    force: bool,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    guarded(|| {
        // Everything the caller gave is checked before any work, as the command does.
        let x = app().experiment(id).map_err(Failure::from)?;
        let configured = x.resolve(None, &params).map_err(Failure::from)?;
        let shard: Shard = match shard {
            Some(s) => s
                .parse()
                .map_err(|m: String| Failure::Usage(m.trim_start_matches('-').to_string()))?,
            None => Shard::WHOLE,
        };
        let quantiles = Quantiles::parse(quantiles).ok_or_else(|| {
            Failure::Usage(format!(
                "quantiles: invalid value `{quantiles}`; expected one of exact | none"
            ))
        })?;
        let pool = pool(threads)?;
        let spec = RunSpec {
            configured,
            seed,
            shard,
            quantiles,
            records,
            out,
            force,
        };
        let handle = Handle::default();
        let job = handle.clone();
        let finished = background::wait(py, &handle, progress.as_ref(), move || {
            in_pool(&pool, || runs::run(spec, &job))
        })?;
        finished_into_py(py, finished)
    })
}

/// Merges shard directories into `out`, verifying them, as `collapse merge` does.
#[pyfunction]
#[pyo3(signature = (dirs, out, force, progress))]
fn merge<'py>(
    py: Python<'py>,
    dirs: Vec<PathBuf>,
    out: PathBuf,
    force: bool,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    guarded(|| {
        let handle = Handle::default();
        let finished = background::wait(py, &handle, progress.as_ref(), move || {
            runs::merge(&dirs, &out, force)
        })?;
        finished_into_py(py, finished)
    })
}

/// Reads a run directory back (its records too when `records`), checking its digests.
#[pyfunction]
#[pyo3(signature = (dir, records))]
fn load(py: Python<'_>, dir: PathBuf, records: bool) -> PyResult<Bound<'_, PyDict>> {
    guarded(|| {
        let handle = Handle::default();
        let finished = background::wait(py, &handle, None, move || runs::load(&dir, records))?;
        finished_into_py(py, finished)
    })
}

/// Runs the checks whose id starts with `only` (all without it) and returns their outcomes.
#[pyfunction]
#[pyo3(signature = (only, quick, threads, progress))]
fn verify<'py>(
    py: Python<'py>,
    only: Option<String>,
    quick: bool,
    threads: Option<i64>,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyList>> {
    guarded(|| {
        let all: Vec<&Check> = app().checks().collect();
        let chosen: Vec<Check> = all
            .iter()
            .filter(|c| only.as_deref().is_none_or(|p| c.id.starts_with(p)))
            .map(|c| (*c).clone())
            .collect();
        if chosen.is_empty() {
            let ids: Vec<&str> = all.iter().map(|c| c.id).collect();
            return Err(Failure::Usage(format!(
                "only: no check id starts with `{}`; valid: {}",
                only.unwrap_or_default(),
                ids.join(", ")
            ))
            .into());
        }
        let pool = pool(threads)?;
        let budget = if quick { Budget::Quick } else { Budget::Full };
        let handle = Handle::default();
        let job = handle.clone();
        let verdicts = background::wait(py, &handle, progress.as_ref(), move || {
            job.meter.start(chosen.len() as u64);
            let mut done = Vec::with_capacity(chosen.len());
            for c in chosen {
                if job.cancel.load(std::sync::atomic::Ordering::Relaxed) {
                    return Err(Failure::Interrupted);
                }
                // A check that panics fails alone, with the panic as its error.
                let verdict = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    in_pool(&pool, || c.run(budget))
                }))
                .unwrap_or_else(|p| Err(format!("internal error (a bug): {}", panic_text(&*p))));
                done.push((c, verdict));
                job.meter.advance(1);
            }
            Ok(done)
        })?;
        let items = verdicts
            .into_iter()
            .map(|(c, verdict)| {
                let d = PyDict::new(py);
                d.set_item("id", c.id)?;
                d.set_item("statement", c.statement)?;
                d.set_item("source", c.source)?;
                match verdict {
                    Ok(o) => {
                        d.set_item("predicted", o.predicted)?;
                        d.set_item("measured", o.measured)?;
                        d.set_item("std_error", o.std_error)?;
                        d.set_item("tolerance", o.tolerance)?;
                        let relation = format!("{:?}", o.relation).to_lowercase();
                        d.set_item("relation", relation)?;
                        d.set_item("pass", o.pass())?;
                        d.set_item("error", py.None())?;
                    }
                    Err(why) => {
                        for k in [
                            "predicted",
                            "measured",
                            "std_error",
                            "tolerance",
                            "relation",
                        ] {
                            d.set_item(k, py.None())?;
                        }
                        d.set_item("pass", false)?;
                        d.set_item("error", why)?;
                    }
                }
                Ok(d)
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    })
}

/// Draws the figure `name` of `collapse figures` (running what it needs under `seed`).
#[pyfunction]
#[pyo3(signature = (name, seed, progress))]
fn figure<'py>(
    py: Python<'py>,
    name: &str,
    seed: u64,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<Figure> {
    guarded(|| {
        let Some(f) = app().figures().find(|f| f.name == name).cloned() else {
            let names: Vec<&str> = app().figures().map(|f| f.name).collect();
            return Err(Failure::Usage(format!(
                "unknown figure `{name}`; figures: {}",
                names.join(", ")
            ))
            .into());
        };
        let handle = Handle::default();
        let job = handle.clone();
        let drawing = background::wait(py, &handle, progress.as_ref(), move || {
            let env = FigureEnv {
                seed,
                progress: &*job.meter,
                program: PROGRAM,
            };
            f.render(&env).map_err(Failure::from)
        })?;
        Ok(Figure(drawing))
    })
}

/// A drawn figure: SVG text, PNG bytes, or both written to files.
#[pyclass(module = "collapse._native", frozen)]
pub struct Figure(Box<dyn Drawing>);

#[pymethods]
impl Figure {
    /// The SVG text.
    fn svg(&self, py: Python<'_>) -> PyResult<String> {
        guarded(|| {
            py.detach(|| self.0.svg())
                .map_err(|e| Failure::from(e).into())
        })
    }

    /// The PNG bytes.
    fn png<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        guarded(|| {
            let bytes = py
                .detach(|| self.0.png())
                .map_err(|e| PyErr::from(Failure::from(e)))?;
            Ok(PyBytes::new(py, &bytes))
        })
    }

    /// Writes `dir/stem.svg` and `dir/stem.png` (creating `dir`) and returns their paths.
    fn save(&self, py: Python<'_>, dir: PathBuf, stem: &str) -> PyResult<Vec<PathBuf>> {
        guarded(|| {
            py.detach(|| self.0.save(&dir, stem))
                .map_err(|e| Failure::from(e).into())
        })
    }
}

/// What a result keeps to draw its run's figure later.
#[pyclass(module = "collapse._native", frozen)]
pub struct RunFigure {
    configured: Configured,
    summary: Vec<collapse_core::SummaryRow>,
    seed: u64,
    shard: Shard,
}

#[pymethods]
impl RunFigure {
    /// The experiment's figure of this run (`figure.svg`/`figure.png` of `collapse run`), or
    /// `None` when the experiment draws none or the run is one shard of several.
    fn draw(&self, py: Python<'_>) -> PyResult<Option<Figure>> {
        guarded(|| {
            if self.shard.count > 1 {
                return Ok(None);
            }
            let command = self.configured.command(PROGRAM, self.seed);
            let drawn = py.detach(|| {
                self.configured
                    .figure(&self.summary, &command)
                    .map(|r| r.map_err(Failure::from))
            });
            match drawn {
                None => Ok(None),
                Some(Ok(d)) => Ok(Some(Figure(d))),
                Some(Err(e)) => Err(e.into()),
            }
        })
    }
}

/// A finished run as a dict for the Python package.
fn finished_into_py(py: Python<'_>, f: Finished) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("experiment", f.configured.experiment().id())?;
    d.set_item("params", convert::params(py, f.configured.params())?)?;
    d.set_item("manifest", convert::json(py, &f.manifest)?)?;
    d.set_item("summary", Columns::summary(f.summary.clone()))?;
    match f.records {
        Some(r) => d.set_item("records", Columns::records(r))?,
        None => d.set_item("records", py.None())?,
    }
    d.set_item("report", f.report)?;
    d.set_item("dir", f.dir)?;
    d.set_item("seed", f.seed)?;
    d.set_item("shard", f.shard.to_string())?;
    d.set_item("command", f.configured.command(PROGRAM, f.seed))?;
    let figure = RunFigure {
        configured: f.configured,
        summary: f.summary,
        seed: f.seed,
        shard: f.shard,
    };
    d.set_item("figure", Py::new(py, figure)?)?;
    Ok(d)
}

/// Panics on purpose, on the calling thread (`"here"`) or in a background job (`"job"`), so
/// that the tests can see a panic arrive as `RuntimeError`.
#[pyfunction]
fn _panic_for_tests(py: Python<'_>, place: &str) -> PyResult<()> {
    guarded(|| {
        if place == "job" {
            let handle = Handle::default();
            return background::wait(py, &handle, None, || -> Result<(), Failure> {
                panic!("a panic the tests asked for")
            });
        }
        panic!("a panic the tests asked for")
    })
}

/// The extension module.
#[pymodule]
#[pyo3(name = "_native")]
fn collapse_native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(experiments, m)?)?;
    m.add_function(wrap_pyfunction!(checks, m)?)?;
    m.add_function(wrap_pyfunction!(figures, m)?)?;
    m.add_function(wrap_pyfunction!(describe, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(merge, m)?)?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(verify, m)?)?;
    m.add_function(wrap_pyfunction!(figure, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    m.add_class::<Figure>()?;
    m.add_class::<RunFigure>()?;
    m.add_class::<Columns>()?;
    m.add("VERSION", collapse_core::rundir::VERSION)?;
    Ok(())
}
