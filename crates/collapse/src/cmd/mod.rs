//! The subcommands, one file each, and what they share.

pub mod figures;
pub mod list;
pub mod merge;
pub mod run;
pub mod verify;

use crate::CliError;

/// The largest `--threads`: more workers than this only add contention (and rayon refuses
/// absurd counts with a panic or a hang).
pub const MAX_THREADS: usize = 1024;

/// A pool of `threads` workers, or `None` for the global pool.
pub fn thread_pool(threads: Option<usize>) -> Result<Option<rayon::ThreadPool>, CliError> {
    match threads {
        None => Ok(None),
        Some(n) if !(1..=MAX_THREADS).contains(&n) => Err(CliError::Usage(format!(
            "--threads: invalid value {n}; expected an integer in [1, {MAX_THREADS}]"
        ))),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map(Some)
            .map_err(|e| CliError::Failed(format!("cannot start {n} threads: {e}"))),
    }
}

/// Runs `f` on `pool`, or on the global pool.
pub fn in_pool<T: Send>(pool: &Option<rayon::ThreadPool>, f: impl FnOnce() -> T + Send) -> T {
    match pool {
        Some(p) => p.install(f),
        None => f(),
    }
}

/// The items whose name starts with `--only`'s prefix (all without one); an empty selection is
/// refused with the list of names.
pub fn select<'a, T>(
    items: impl Iterator<Item = &'a T>,
    name: fn(&T) -> &'static str,
    only: Option<&str>,
    what: &str,
) -> Result<Vec<&'a T>, CliError> {
    let items: Vec<&T> = items.collect();
    let chosen: Vec<&T> = items
        .iter()
        .copied()
        .filter(|x| only.is_none_or(|p| name(x).starts_with(p)))
        .collect();
    if chosen.is_empty() {
        let all: Vec<&str> = items.iter().map(|x| name(x)).collect();
        return Err(CliError::Usage(format!(
            "--only: no {what} starts with `{}`; valid: {}",
            only.unwrap_or(""),
            all.join(", ")
        )));
    }
    Ok(chosen)
}

/// Ctrl-C sets this flag; runs stop at their next block and leave nothing behind.
pub fn interrupt_flag() -> &'static std::sync::atomic::AtomicBool {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicBool, Ordering};
    static FLAG: AtomicBool = AtomicBool::new(false);
    static HANDLER: OnceLock<()> = OnceLock::new();
    HANDLER.get_or_init(|| {
        // A second handler (another library in the process owns Ctrl-C) is not an error: the
        // run simply cannot be interrupted cleanly then.
        let _ = ctrlc::set_handler(|| FLAG.store(true, Ordering::SeqCst));
    });
    &FLAG
}
