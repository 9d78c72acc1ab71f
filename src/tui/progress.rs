//! Where the learner is: the current lesson and step, and the steps done, kept in the XDG
//! state directory so that `nslab` resumes there next time.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::xdg;

/// The saved progress.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// The lesson open last.
    pub lesson: Option<String>,
    /// The step open last, in that lesson.
    pub step: Option<String>,
    /// Steps finished (moved on from), by lesson.
    #[serde(default)]
    pub done: BTreeMap<String, BTreeSet<String>>,
}

impl Progress {
    /// Records that the learner is at `step` of `lesson`.
    pub fn visit(&mut self, lesson: &str, step: &str) {
        self.lesson = Some(lesson.to_string());
        self.step = Some(step.to_string());
    }

    /// Marks `step` of `lesson` done.
    pub fn complete(&mut self, lesson: &str, step: &str) {
        self.done
            .entry(lesson.to_string())
            .or_default()
            .insert(step.to_string());
    }

    /// Whether `step` of `lesson` is done.
    pub fn is_done(&self, lesson: &str, step: &str) -> bool {
        self.done
            .get(lesson)
            .is_some_and(|steps| steps.contains(step))
    }
}

/// The file progress is kept in.
#[derive(Clone, Debug)]
pub struct ProgressStore {
    path: PathBuf,
}

impl ProgressStore {
    /// `progress.json` in the state directory.
    pub fn default_location() -> ProgressStore {
        ProgressStore::at(&xdg::state_dir().join("progress.json"))
    }

    /// A store at `path`.
    pub fn at(path: &Path) -> ProgressStore {
        ProgressStore {
            path: path.to_path_buf(),
        }
    }

    /// The saved progress; a missing or unreadable file means starting afresh.
    pub fn load(&self) -> Progress {
        let Ok(text) = std::fs::read_to_string(&self.path) else {
            return Progress::default();
        };
        serde_json::from_str(&text).unwrap_or_else(|err| {
            tracing::warn!(path = %self.path.display(), %err, "ignoring unreadable progress");
            Progress::default()
        })
    }

    /// Saves `progress`, replacing the file in one step so that a crash never leaves half a
    /// file. Failure is logged, not fatal: the lesson goes on.
    pub fn save(&self, progress: &Progress) {
        if let Err(err) = self.try_save(progress) {
            tracing::warn!(path = %self.path.display(), %err, "cannot save progress");
        }
    }

    fn try_save(&self, progress: &Progress) -> std::io::Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let json = serde_json::to_string_pretty(progress).map_err(std::io::Error::other)?;
        let temporary = self.path.with_extension("json.tmp");
        std::fs::write(&temporary, json)?;
        std::fs::rename(&temporary, &self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_survives_a_save_and_load() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = ProgressStore::at(&dir.path().join("state/progress.json"));
        assert_eq!(store.load(), Progress::default());

        let mut progress = Progress::default();
        progress.visit("course", "pid");
        progress.complete("course", "uts");
        store.save(&progress);

        let loaded = store.load();
        assert_eq!(loaded, progress);
        assert!(loaded.is_done("course", "uts"));
        assert!(!loaded.is_done("course", "pid"));
    }

    #[test]
    fn a_corrupt_file_starts_afresh() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("progress.json");
        std::fs::write(&path, "{not json").expect("write");
        assert_eq!(ProgressStore::at(&path).load(), Progress::default());
    }
}
