//! How failures reach Python: bad input as `ValueError` (the command's exit code 2, with its
//! message), a failed run as `RuntimeError` (exit code 1), an interruption as
//! `KeyboardInterrupt` (exit code 130), and a panic, which is a bug, as `RuntimeError` too:
//! no panic crosses into Python.

use collapse::CliError;
use collapse_core::rundir::RunError;
use collapse_core::{ExperimentError, FigureError, ParamError};
use pyo3::PyErr;
use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError, PyValueError};
use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Why a call failed, sorted by what Python raises.
#[derive(Debug)]
pub enum Failure {
    /// The caller's input: a parameter, an option, a directory (`ValueError`).
    Usage(String),
    /// The work itself failed (`RuntimeError`).
    Failed(String),
    /// Stopped at the caller's request (`KeyboardInterrupt`).
    Interrupted,
    /// A panic inside the library: a bug (`RuntimeError`).
    Bug(String),
}

impl From<Failure> for PyErr {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Usage(m) => PyValueError::new_err(m),
            Failure::Failed(m) => PyRuntimeError::new_err(m),
            Failure::Interrupted => PyKeyboardInterrupt::new_err("interrupted; nothing was kept"),
            Failure::Bug(m) => {
                PyRuntimeError::new_err(format!("internal error in collapse (a bug): {m}"))
            }
        }
    }
}

impl From<RunError> for Failure {
    fn from(e: RunError) -> Self {
        match e {
            RunError::Refused(m) => Failure::Usage(m),
            RunError::Interrupted => Failure::Interrupted,
            other => Failure::Failed(other.to_string()),
        }
    }
}

impl From<ExperimentError> for Failure {
    fn from(e: ExperimentError) -> Self {
        match e {
            ExperimentError::Interrupted => Failure::Interrupted,
            e if e.is_usage() => Failure::Usage(e.to_string()),
            e => Failure::Failed(e.to_string()),
        }
    }
}

impl From<ParamError> for Failure {
    fn from(e: ParamError) -> Self {
        Failure::Usage(e.to_string())
    }
}

impl From<FigureError> for Failure {
    fn from(e: FigureError) -> Self {
        Failure::Failed(e.to_string())
    }
}

impl From<CliError> for Failure {
    fn from(e: CliError) -> Self {
        match e {
            CliError::Usage(m) => Failure::Usage(m),
            CliError::Failed(m) => Failure::Failed(m),
            CliError::Interrupted => Failure::Interrupted,
            // The package writes into buffers it owns, which never close on it.
            CliError::ReaderGone => Failure::Failed("the output's reader stopped reading".into()),
        }
    }
}

/// The text of a panic's payload.
pub fn panic_text(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}

/// Runs `f`, turning a panic into [`Failure::Bug`].
pub fn no_panic<T>(f: impl FnOnce() -> Result<T, Failure>) -> Result<T, Failure> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| Err(Failure::Bug(panic_text(&*p))))
}

/// Runs the body of a Python-facing function, turning a panic into a `RuntimeError` (PyO3 would
/// raise its `PanicException`, which derives from `BaseException` and escapes `except
/// Exception`).
pub fn guarded<T>(f: impl FnOnce() -> pyo3::PyResult<T>) -> pyo3::PyResult<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| Err(Failure::Bug(panic_text(&*p)).into()))
}
