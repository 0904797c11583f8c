//! Long work off the interpreter: the work runs on a thread of its own, without the GIL, while
//! the calling thread, which keeps the interpreter's attention, wakes every [`POLL`] to let
//! Python handle signals (Ctrl-C raises `KeyboardInterrupt` there) and to report progress.
//!
//! On an interruption the work is asked to stop ([`RunContext::with_cancel`] stops a run at its
//! next block) and given [`GRACE`] to do so; work that cannot stop sooner (one long replicate, a
//! check, a figure) finishes on its own thread, its result dropped, while Python goes on at
//! once. The work never touches a Python object, so nothing it does can race with Python.
//!
//! [`RunContext::with_cancel`]: collapse_core::RunContext::with_cancel

use crate::errors::{Failure, no_panic};
use collapse_core::Progress;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;

/// How often the calling thread checks for signals and reports progress.
const POLL: Duration = Duration::from_millis(50);

/// How long an interrupted job may take to stop cleanly before Python goes on without it.
const GRACE: Duration = Duration::from_secs(1);

/// Progress counted by the work and read by the calling thread.
#[derive(Debug, Default)]
pub struct Meter {
    total: AtomicU64,
    done: AtomicU64,
}

impl Meter {
    /// Units done and units in all.
    pub fn read(&self) -> (u64, u64) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }
}

impl Progress for Meter {
    fn start(&self, total: u64) {
        self.total.store(total, Ordering::Relaxed);
        self.done.store(0, Ordering::Relaxed);
    }
    fn advance(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }
}

/// What a job shares with the calling thread: the flag that asks it to stop and its progress.
#[derive(Clone, Debug, Default)]
pub struct Handle {
    /// Set on Ctrl-C (or when the progress callback raises).
    pub cancel: Arc<AtomicBool>,
    /// The job's progress.
    pub meter: Arc<Meter>,
}

/// Runs `job` on a thread of its own and waits for it with the GIL released, handling signals
/// and calling `progress(done, total)` whenever the count moved. A panic in `job` becomes a
/// `RuntimeError`.
pub fn wait<T: Send + 'static>(
    py: Python<'_>,
    handle: &Handle,
    progress: Option<&Bound<'_, PyAny>>,
    job: impl FnOnce() -> Result<T, Failure> + Send + 'static,
) -> PyResult<T> {
    let (tx, rx) = mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("collapse-job".into())
        .spawn(move || {
            // The receiver may be gone (an interrupted wait): the result is then dropped.
            let _ = tx.send(no_panic(job));
        })
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start a thread: {e}")))?;
    let mut rx = rx;
    let mut shown = None;
    loop {
        let (back, got) = receive(py, rx, POLL);
        rx = back;
        match got {
            Ok(result) => {
                report(handle, progress, &mut shown)?;
                return result.map_err(PyErr::from);
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err(PyRuntimeError::new_err(
                    "internal error in collapse (a bug): the job's thread ended without a result",
                ));
            }
            Err(RecvTimeoutError::Timeout) => {}
        }
        let step = py
            .check_signals()
            .and_then(|()| report(handle, progress, &mut shown));
        if let Err(e) = step {
            handle.cancel.store(true, Ordering::SeqCst);
            let _ = receive(py, rx, GRACE);
            return Err(e);
        }
    }
}

type Received<T> = Result<Result<T, Failure>, RecvTimeoutError>;

/// Waits up to `timeout` for the job's result with the GIL released. The receiver travels into
/// the waiting closure and back, since a borrowed one could not leave the GIL's thread.
fn receive<T: Send>(
    py: Python<'_>,
    rx: Receiver<Result<T, Failure>>,
    timeout: Duration,
) -> (Receiver<Result<T, Failure>>, Received<T>) {
    py.detach(move || {
        let got = rx.recv_timeout(timeout);
        (rx, got)
    })
}

/// Calls `progress(done, total)` if the count moved since it was last shown.
fn report(
    handle: &Handle,
    progress: Option<&Bound<'_, PyAny>>,
    shown: &mut Option<(u64, u64)>,
) -> PyResult<()> {
    let Some(callback) = progress else {
        return Ok(());
    };
    let now = handle.meter.read();
    if *shown != Some(now) {
        *shown = Some(now);
        callback.call1(now)?;
    }
    Ok(())
}
