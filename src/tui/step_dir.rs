//! Each step's private directory (for its setup trace), and cleaning up after a killed nslab.
//!
//! The directories live under one parent per user, `$TMPDIR/nslab-UID`, readable by that user
//! only, and carry nslab's PID in their names: `step-PID-XXXXXX`. A step's directory is
//! removed when the step ends; a SIGKILLed nslab cannot do that, so each start removes the
//! directories of nslabs that are no longer running.

use std::fs;
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::sys::signal::kill;
use nix::unistd::{Pid, geteuid};

/// Where the step directories go.
pub struct StepDirs {
    parent: PathBuf,
}

impl Default for StepDirs {
    fn default() -> StepDirs {
        StepDirs::under(&std::env::temp_dir())
    }
}

impl StepDirs {
    /// Step directories under `base/nslab-UID`.
    pub fn under(base: &Path) -> StepDirs {
        StepDirs {
            parent: base.join(format!("nslab-{}", geteuid())),
        }
    }

    /// A fresh directory for one step, removed when the handle is dropped.
    pub fn create(&self) -> io::Result<tempfile::TempDir> {
        self.ensure_parent()?;
        tempfile::Builder::new()
            .prefix(&format!("step-{}-", std::process::id()))
            .tempdir_in(&self.parent)
    }

    /// Removes the step directories of nslabs that are no longer running.
    pub fn remove_stale(&self) {
        let Ok(entries) = fs::read_dir(&self.parent) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(pid) = name.to_str().and_then(owner_pid) else {
                continue;
            };
            if is_running(pid) {
                continue;
            }
            match fs::remove_dir_all(entry.path()) {
                Ok(()) => {
                    tracing::info!(path = %entry.path().display(), "removed a stale step dir")
                }
                Err(err) => tracing::warn!(path = %entry.path().display(), %err,
                    "cannot remove a stale step dir"),
            }
        }
    }

    /// Removes the parent if nothing is left in it, so that nslab leaves no trace in /tmp once
    /// it has ended. Another nslab of the same user may still use it: then it is not empty.
    pub fn remove_parent_if_empty(&self) {
        let _ = fs::remove_dir(&self.parent);
    }

    /// Makes the parent if it is missing, and refuses one that another user could have made
    /// for us: in a shared /tmp anyone can create `nslab-UID` first, or make it a symlink,
    /// and read or swap the traces inside.
    fn ensure_parent(&self) -> io::Result<()> {
        match fs::DirBuilder::new().mode(0o700).create(&self.parent) {
            Ok(()) => {}
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {}
            Err(err) => return Err(err),
        }
        let metadata = fs::symlink_metadata(&self.parent)?;
        if !metadata.is_dir() || metadata.uid() != geteuid().as_raw() {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!(
                    "{} is not a directory of ours; remove it",
                    self.parent.display()
                ),
            ));
        }
        if metadata.mode() & 0o077 != 0 {
            fs::set_permissions(&self.parent, fs::Permissions::from_mode(0o700))?;
        }
        Ok(())
    }
}

/// The PID in a `step-PID-XXXXXX` name.
fn owner_pid(name: &str) -> Option<Pid> {
    let (pid, _) = name.strip_prefix("step-")?.split_once('-')?;
    pid.parse().ok().map(Pid::from_raw)
}

/// Whether a process `pid` exists. Signal 0 checks without sending anything; EPERM means it
/// exists but is not ours. A PID reused since is taken as running: its directory then stays
/// until a later start.
fn is_running(pid: Pid) -> bool {
    pid.as_raw() > 0 && !matches!(kill(pid, None), Err(Errno::ESRCH))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_dirs_are_private_and_named_after_our_pid() {
        let base = tempfile::tempdir().expect("base");
        let dirs = StepDirs::under(base.path());
        let step = dirs.create().expect("step dir");
        let name = step
            .path()
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("");
        assert_eq!(
            owner_pid(name),
            Some(Pid::from_raw(std::process::id() as i32))
        );
        let parent = fs::metadata(&dirs.parent).expect("parent");
        assert_eq!(parent.mode() & 0o777, 0o700);
    }

    /// A SIGKILLed nslab left `/tmp/nslab-step-XXXXXX/trace.jsonl` behind for good.
    #[test]
    fn stale_step_dirs_of_ended_nslabs_are_removed_and_ours_kept() {
        let base = tempfile::tempdir().expect("base");
        let dirs = StepDirs::under(base.path());
        let ours = dirs.create().expect("our step dir");

        let mut ended = std::process::Command::new("true")
            .spawn()
            .expect("spawn true");
        let dead = ended.id();
        ended.wait().expect("wait for true");
        let stale = dirs.parent.join(format!("step-{dead}-abcdef"));
        fs::create_dir(&stale).expect("stale dir");
        fs::write(stale.join("trace.jsonl"), "{}").expect("stale trace");
        let unrelated = dirs.parent.join("something-else");
        fs::create_dir(&unrelated).expect("unrelated dir");

        dirs.remove_stale();
        assert!(!stale.exists());
        assert!(ours.path().exists() && unrelated.exists());
    }

    #[test]
    fn the_parent_goes_once_the_last_step_dir_has_gone() {
        // Regression: an empty /tmp/nslab-UID stayed after every nslab.
        let base = tempfile::tempdir().expect("base");
        let dirs = StepDirs::under(base.path());
        let ours = dirs.create().expect("our step dir");
        dirs.remove_parent_if_empty();
        assert!(dirs.parent.exists(), "still in use");
        drop(ours);
        dirs.remove_parent_if_empty();
        assert!(!dirs.parent.exists());
    }

    #[test]
    fn a_parent_owned_by_someone_else_is_refused() {
        let base = tempfile::tempdir().expect("base");
        let dirs = StepDirs::under(base.path());
        std::os::unix::fs::symlink(base.path(), &dirs.parent).expect("symlink");
        let err = dirs.create().expect_err("a symlink is not our directory");
        assert!(err.to_string().contains("not a directory of ours"), "{err}");
    }
}
