//! Output directories that appear whole or not at all.
//!
//! A run (or a merge) writes into a fresh temporary directory beside its target and moves it
//! into place as a whole at the end. The target is checked before any work: it must not be a
//! file or the filesystem root, and an existing non-empty directory is replaced only when the
//! caller asks (`--force`), and then as a whole. An interrupted run leaves the old directory or
//! nothing; a leftover temporary directory is named `.NAME.partial-PID` and its manifest says
//! `"complete": false`.

use std::path::{Path, PathBuf};

/// Why an output location cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// The location is unusable as given (exit code 2): a file, the root, a non-empty
    /// directory without `--force`.
    #[error("{0}")]
    Refused(String),
    /// Writing failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A directory being written: a temporary directory beside the target until [`commit`].
///
/// [`commit`]: OutputDir::commit
#[derive(Debug)]
pub struct OutputDir {
    target: PathBuf,
    temp: PathBuf,
    replace: bool,
    committed: bool,
}

impl OutputDir {
    /// Checks `target` and creates the temporary directory beside it. `force` allows replacing
    /// an existing non-empty directory; `inputs` are directories the output must not be
    /// (a merge's shards).
    pub fn prepare(target: &Path, force: bool, inputs: &[PathBuf]) -> Result<Self, OutputError> {
        let refuse = |why: String| Err(OutputError::Refused(why));
        if target.as_os_str().is_empty() {
            return refuse("--out: the output directory is empty".into());
        }
        let absolute = std::path::absolute(target).map_err(io(target))?;
        let Some(name) = absolute.file_name() else {
            return refuse(format!(
                "--out: `{}` is a filesystem root, not a directory a run can own",
                target.display()
            ));
        };
        let parent = absolute.parent().unwrap_or(Path::new("/")).to_path_buf();
        let canon_target = canonical(&absolute);
        for input in inputs {
            if canonical(input) == canon_target {
                return refuse(format!(
                    "--out: `{}` is one of the inputs; write the output elsewhere",
                    target.display()
                ));
            }
        }
        let mut replace = false;
        match std::fs::symlink_metadata(&absolute) {
            Ok(m) if !m.is_dir() => {
                return refuse(format!(
                    "--out: `{}` exists and is not a directory",
                    target.display()
                ));
            }
            Ok(_) => {
                let empty = std::fs::read_dir(&absolute)
                    .map_err(io(target))?
                    .next()
                    .is_none();
                if !empty {
                    if !force {
                        return refuse(format!(
                            "--out: `{}` exists and is not empty; pass --force to replace it as a whole",
                            target.display()
                        ));
                    }
                    if canonical(&absolute)
                        == canonical(&std::env::current_dir().map_err(io(target))?)
                    {
                        return refuse(format!(
                            "--out: `{}` is the working directory; it cannot be replaced",
                            target.display()
                        ));
                    }
                }
                replace = true;
            }
            Err(_) => {}
        }
        std::fs::create_dir_all(&parent).map_err(io(&parent))?;
        let temp = parent.join(format!(
            ".{}.partial-{}",
            name.to_string_lossy(),
            std::process::id()
        ));
        if temp.exists() {
            std::fs::remove_dir_all(&temp).map_err(io(&temp))?;
        }
        std::fs::create_dir(&temp).map_err(io(&temp))?;
        Ok(Self {
            target: absolute,
            temp,
            replace,
            committed: false,
        })
    }

    /// Where to write the files now.
    pub fn path(&self) -> &Path {
        &self.temp
    }

    /// The final location.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Moves the finished directory into place (replacing the old one as a whole).
    pub fn commit(mut self) -> Result<PathBuf, OutputError> {
        if self.replace && self.target.exists() {
            let old = self.target.with_file_name(format!(
                ".{}.replaced-{}",
                self.target
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                std::process::id()
            ));
            std::fs::rename(&self.target, &old).map_err(io(&self.target))?;
            std::fs::rename(&self.temp, &self.target).map_err(io(&self.target))?;
            std::fs::remove_dir_all(&old).map_err(io(&old))?;
        } else {
            std::fs::rename(&self.temp, &self.target).map_err(io(&self.target))?;
        }
        self.committed = true;
        Ok(self.target.clone())
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.temp);
        }
    }
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| std::path::absolute(p).unwrap_or(p.to_path_buf()))
}

/// Writes `bytes` to `path` through a temporary file and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let res = std::fs::write(&tmp, bytes).and_then(|_| std::fs::rename(&tmp, path));
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    res.map_err(io(path))
}

/// Checks that a file can later be written at `path` (its directory exists and is not the
/// file itself), before any work.
pub fn check_file_target(path: &Path, option: &str) -> Result<(), OutputError> {
    if path.as_os_str().is_empty() || path.file_name().is_none() {
        return Err(OutputError::Refused(format!(
            "{option}: `{}` is not a file name",
            path.display()
        )));
    }
    if path.is_dir() {
        return Err(OutputError::Refused(format!(
            "{option}: `{}` is a directory; give a file name",
            path.display()
        )));
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !parent.is_dir() {
        return Err(OutputError::Refused(format!(
            "{option}: the directory `{}` does not exist",
            parent.display()
        )));
    }
    let probe = parent.join(format!(".collapse-probe-{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(|e| {
        OutputError::Refused(format!(
            "{option}: cannot write in `{}`: {e}",
            parent.display()
        ))
    })?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// The memory this machine can still give a process, in bytes (Linux `MemAvailable`), if known.
pub fn available_memory() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024.0)
}

/// Bytes in words (`1.2 GB`).
pub fn fmt_bytes(b: f64) -> String {
    if b >= 1e15 {
        // Beyond any machine: the order of magnitude is what matters.
        format!("{b:.1e} bytes")
    } else if b >= 1e12 {
        format!("{:.1} TB", b / 1e12)
    } else if b >= 1e9 {
        format!("{:.1} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.0} MB", b / 1e6)
    } else {
        format!("{:.0} kB", b / 1e3)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_their_unit() {
        assert_eq!(fmt_bytes(2.5e3), "2 kB");
        assert_eq!(fmt_bytes(3.4e8), "340 MB");
        assert_eq!(fmt_bytes(7.68e10), "76.8 GB");
        assert_eq!(fmt_bytes(4.2e13), "42.0 TB");
        assert_eq!(fmt_bytes(7.36e17), "7.4e17 bytes");
    }

    #[test]
    fn a_directory_appears_whole_or_not_at_all() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("run");
        {
            let out = OutputDir::prepare(&target, false, &[]).unwrap();
            std::fs::write(out.path().join("a"), b"1").unwrap();
            // Dropped without commit: nothing at the target, no temporary left.
        }
        assert!(!target.exists());
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
        let out = OutputDir::prepare(&target, false, &[]).unwrap();
        std::fs::write(out.path().join("a"), b"1").unwrap();
        out.commit().unwrap();
        assert!(target.join("a").exists());
        // Not empty: refused without force, replaced whole with it.
        assert!(matches!(
            OutputDir::prepare(&target, false, &[]),
            Err(OutputError::Refused(_))
        ));
        let out = OutputDir::prepare(&target, true, &[]).unwrap();
        std::fs::write(out.path().join("b"), b"2").unwrap();
        out.commit().unwrap();
        assert!(target.join("b").exists() && !target.join("a").exists());
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
        // A file, the root, an input.
        std::fs::write(tmp.path().join("f"), b"").unwrap();
        for bad in [tmp.path().join("f"), PathBuf::from("/")] {
            assert!(matches!(
                OutputDir::prepare(&bad, true, &[]),
                Err(OutputError::Refused(_))
            ));
        }
        assert!(matches!(
            OutputDir::prepare(&target, true, std::slice::from_ref(&target)),
            Err(OutputError::Refused(_))
        ));
        assert!(check_file_target(&tmp.path().join("x.json"), "--json").is_ok());
        assert!(check_file_target(tmp.path(), "--json").is_err());
        assert!(check_file_target(&tmp.path().join("no/x.json"), "--json").is_err());
    }
}
