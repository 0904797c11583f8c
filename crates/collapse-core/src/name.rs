//! Interned series and metric names.
//!
//! A record names its series and its metric. Carrying strings in every row would cost an
//! allocation (or a fat pointer) per row; a [`Name`] is a 4-byte id into a process-wide table
//! of leaked strings instead. Ids compare equal exactly when the strings do, and `Name`s order
//! by their strings, so the canonical record order is the same whichever process, thread or
//! shard interned a name first.
//!
//! Intern names once, when a run is set up, and emit rows with the ids:
//!
//! ```
//! use collapse_core::Name;
//! let var = Name::new("var");
//! assert_eq!(var, Name::new("var"));
//! assert_eq!(var.as_str(), "var");
//! assert!(Name::new("log_var") < var);
//! ```

use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, OnceLock};

/// Slots per chunk of the id → text table.
const CHUNK: usize = 1024;
/// Chunks of the table: at most `CHUNK * CHUNKS` (about a million) distinct names per process.
const CHUNKS: usize = 1024;

/// Id → text, readable without a lock: chunks are allocated once and slots written once.
static TEXT: [OnceLock<Box<[OnceLock<&'static str>]>>; CHUNKS] =
    [const { OnceLock::new() }; CHUNKS];
/// Text → id, consulted only when interning.
static IDS: OnceLock<Mutex<HashMap<&'static str, u32>>> = OnceLock::new();

/// An interned series or metric name.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Name(u32);

/// More distinct names than the table holds (about a million): only a damaged input can ask
/// for that many.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("more than {} distinct series or metric names", CHUNK * CHUNKS)]
pub struct TooManyNames;

impl Name {
    /// The name of `text`, interning it on first use.
    ///
    /// # Panics
    /// When a process interns more than about a million distinct names (use
    /// [`Name::try_new`] for names read from files).
    pub fn new(text: &str) -> Name {
        Self::try_new(text).expect("the name table is full")
    }

    /// The name of `text`, or an error when the table is full.
    pub fn try_new(text: &str) -> Result<Name, TooManyNames> {
        let ids = IDS.get_or_init(|| Mutex::new(HashMap::new()));
        let mut ids = ids.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(&id) = ids.get(text) {
            return Ok(Name(id));
        }
        let id = ids.len();
        if id >= CHUNK * CHUNKS {
            return Err(TooManyNames);
        }
        let leaked: &'static str = Box::leak(text.to_owned().into_boxed_str());
        let chunk = TEXT[id / CHUNK].get_or_init(|| (0..CHUNK).map(|_| OnceLock::new()).collect());
        let _ = chunk[id % CHUNK].set(leaked);
        ids.insert(leaked, id as u32);
        Ok(Name(id as u32))
    }

    /// The text of the name.
    pub fn as_str(self) -> &'static str {
        let i = self.0 as usize;
        TEXT[i / CHUNK]
            .get()
            .and_then(|c| c[i % CHUNK].get())
            .copied()
            .expect("a Name is only made by interning")
    }

    /// The process-local id (not stable across processes; never write it out).
    pub fn id(self) -> u32 {
        self.0
    }
}

impl Ord for Name {
    fn cmp(&self, other: &Self) -> Ordering {
        if self.0 == other.0 {
            Ordering::Equal
        } else {
            self.as_str().cmp(other.as_str())
        }
    }
}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

impl From<&str> for Name {
    fn from(s: &str) -> Self {
        Name::new(s)
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::ops::Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_intern_once_and_order_by_text() {
        let b = Name::new("zeta-test-b");
        let a = Name::new("alpha-test-a");
        assert_eq!(a, Name::new("alpha-test-a"));
        assert_ne!(a, b);
        assert!(a < b, "order follows the text, not the id");
        assert_eq!(b.as_str(), "zeta-test-b");
        assert_eq!(a, "alpha-test-a");
        let many: Vec<Name> = (0..3000).map(|i| Name::new(&format!("n{i}"))).collect();
        assert!(
            many.iter()
                .enumerate()
                .all(|(i, n)| n.as_str() == format!("n{i}"))
        );
    }
}
