//! The lessons nslab knows: the shipped ones, the user's config directory, and `--lessons DIR`.
//!
//! Shipped lessons are compiled into the binary, so an installed nslab works from any
//! directory. A lesson file is any `*.toml` file directly in a lessons directory. A user's file
//! that cannot be loaded is skipped with a warning rather than keeping every lesson from
//! loading; `nslab check` is the strict reader that reports every mistake.

use std::io;
use std::path::{Path, PathBuf};

use crate::lesson::Lesson;
use crate::lesson::format::{self, FormatError};
use crate::xdg;

/// The shipped lesson files: the name used in messages, and the text.
pub const SHIPPED: &[(&str, &str)] = &[
    (
        "lessons/containers-from-scratch.toml",
        include_str!("../../lessons/containers-from-scratch.toml"),
    ),
    (
        "lessons/pid-namespace-pitfalls.toml",
        include_str!("../../lessons/pid-namespace-pitfalls.toml"),
    ),
    (
        "lessons/more-namespaces.toml",
        include_str!("../../lessons/more-namespaces.toml"),
    ),
];

/// Why lessons could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LessonError {
    #[error(transparent)]
    Format(#[from] FormatError),
    // The reason is part of the message and deliberately not a `source`, so that error
    // chains (anyhow's `{:#}`) do not print it twice.
    #[error("cannot read {path}: {reason}")]
    Read { path: PathBuf, reason: io::Error },
    #[error("{second}: lesson id '{id}' is already used by {first}; rename one of them")]
    DuplicateId {
        id: String,
        first: String,
        second: String,
    },
}

/// Every lesson available, in a stable order (shipped first).
#[derive(Debug, Default)]
pub struct Library {
    lessons: Vec<Lesson>,
    /// Where each lesson came from, parallel to `lessons`.
    sources: Vec<String>,
    /// The user's lesson files that were skipped, and why.
    warnings: Vec<LessonError>,
}

impl Library {
    /// Loads the shipped lessons, then those in the user's config directory and `extra_dirs`.
    /// The config directory may be missing; a directory given with `--lessons` must exist.
    ///
    /// A user's file that is broken, or whose id is already taken, is skipped and listed in
    /// [`Library::warnings`], so one bad file never hides the shipped course.
    pub fn load(extra_dirs: &[PathBuf]) -> Result<Library, LessonError> {
        let mut library = Library::default();
        for (name, text) in SHIPPED {
            library.add(format::parse(text, name)?, name.to_string())?;
        }

        // The config directory is nslab's own convention, so trouble reading it is only a
        // warning; a directory the user named on the command line must be readable.
        let user_dir = xdg::config_dir().join("lessons");
        if user_dir.is_dir() {
            match files_in(&user_dir) {
                Ok(files) => library.add_files(&files),
                Err(err) => library.warn(err),
            }
        }
        for dir in extra_dirs {
            library.add_files(&files_in(dir)?);
        }
        Ok(library)
    }

    /// The user's lesson files that were skipped, and why; empty when every file loaded.
    /// `nslab check FILE` shows each file's mistakes in full.
    pub fn warnings(&self) -> &[LessonError] {
        &self.warnings
    }

    fn add_files(&mut self, files: &[PathBuf]) {
        for file in files {
            let added = read_file(file).and_then(|lesson| self.add(lesson, display(file)));
            if let Err(err) = added {
                self.warn(err);
            }
        }
    }

    fn warn(&mut self, err: LessonError) {
        tracing::warn!(error = %err, "skipped a lesson file");
        self.warnings.push(err);
    }

    fn add(&mut self, lesson: Lesson, source: String) -> Result<(), LessonError> {
        if let Some(at) = self.lessons.iter().position(|known| known.id == lesson.id) {
            return Err(LessonError::DuplicateId {
                id: lesson.id,
                first: self.sources[at].clone(),
                second: source,
            });
        }
        self.lessons.push(lesson);
        self.sources.push(source);
        Ok(())
    }

    /// All lessons.
    pub fn lessons(&self) -> &[Lesson] {
        &self.lessons
    }

    /// The lesson with this id.
    pub fn get(&self, id: &str) -> Option<&Lesson> {
        self.lessons.iter().find(|lesson| lesson.id == id)
    }
}

/// Reads and checks one lesson file.
pub fn read_file(path: &Path) -> Result<Lesson, LessonError> {
    let text = read_text(path)?;
    Ok(format::parse(&text, &display(path))?)
}

/// The text of one lesson file.
pub fn read_text(path: &Path) -> Result<String, LessonError> {
    std::fs::read_to_string(path).map_err(|reason| LessonError::Read {
        path: path.to_path_buf(),
        reason,
    })
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

/// The lesson files directly in `dir`, sorted by name.
pub fn files_in(dir: &Path) -> Result<Vec<PathBuf>, LessonError> {
    let read_error = |reason| LessonError::Read {
        path: dir.to_path_buf(),
        reason,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_error)? {
        let path = entry.map_err(read_error)?.path();
        if path.extension().is_some_and(|ext| ext == "toml") && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{IsolationSpec, Namespace, RootSpec};

    #[test]
    fn shipped_lessons_load_with_unique_ids() {
        let library = Library::load(&[]).unwrap();
        assert_eq!(library.lessons().len(), SHIPPED.len());
        assert!(library.get("containers-from-scratch").is_some());
        assert!(library.get("pid-namespace-pitfalls").is_some());
    }

    #[test]
    fn the_first_course_has_its_steps_in_teaching_order() {
        let library = Library::load(&[]).unwrap();
        let course = library.get("containers-from-scratch").unwrap();
        let ids: Vec<&str> = course.steps.iter().map(|step| step.id.as_str()).collect();
        let expected = [
            "process",
            "uts",
            "chroot",
            "pid-namespace",
            "mount-proc",
            "mount-namespace",
            "pivot-root",
        ];
        assert_eq!(ids, expected);
        assert_eq!(course.step("pid-namespace").map(|(at, _)| at), Some(3));
    }

    /// The seed step of the classic tutorial: uts and pid namespaces, a chroot into the root
    /// filesystem, and no proc mount, so that `ps` inside finds nothing. The hostname is the
    /// one the UTS step set, so that the walk through the course stays consistent.
    #[test]
    fn the_pid_namespace_step_is_the_seed_step() {
        let library = Library::load(&[]).unwrap();
        let course = library.get("containers-from-scratch").unwrap();
        let (_, step) = course.step("pid-namespace").unwrap();
        let seed = IsolationSpec {
            namespaces: [Namespace::Uts, Namespace::Pid].into(),
            hostname: Some("box".to_string()),
            root: RootSpec::Rootfs,
            ..IsolationSpec::default()
        };
        assert_eq!(step.isolation, seed);
    }

    #[test]
    fn every_shipped_step_backs_its_text_with_checks() {
        let library = Library::load(&[]).unwrap();
        for lesson in library.lessons() {
            for step in &lesson.steps {
                assert!(
                    !step.checks.is_empty(),
                    "{}/{} has no checks",
                    lesson.id,
                    step.id
                );
                assert!(
                    !step.body.trim().is_empty(),
                    "{}/{} has no text",
                    lesson.id,
                    step.id
                );
            }
        }
    }

    #[test]
    fn a_lesson_file_repeating_a_shipped_id_is_skipped_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("copy.toml"), SHIPPED[0].1).unwrap();
        let library = Library::load(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(library.lessons().len(), SHIPPED.len());
        let [warning] = library.warnings() else {
            panic!("{:?}", library.warnings());
        };
        assert!(
            matches!(warning, LessonError::DuplicateId { .. }),
            "{warning}"
        );
    }

    /// Regression: one lesson file with a TOML syntax error made loading fail as a whole, so
    /// nslab did not start and even the shipped course could not be opened.
    #[test]
    fn a_broken_lesson_file_is_skipped_and_the_others_load() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("broken.toml"), "id = \"x\n").unwrap();
        let own = SHIPPED[0]
            .1
            .replace("\"containers-from-scratch\"", "\"mine\"");
        std::fs::write(dir.path().join("mine.toml"), own).unwrap();

        let library = Library::load(&[dir.path().to_path_buf()]).unwrap();

        assert!(library.get("containers-from-scratch").is_some());
        assert!(library.get("mine").is_some());
        let [warning] = library.warnings() else {
            panic!("{:?}", library.warnings());
        };
        assert!(warning.to_string().contains("broken.toml:1:"), "{warning}");
    }

    #[test]
    fn a_missing_lesson_dir_is_an_error() {
        let err = Library::load(&[PathBuf::from("/nonexistent/nslab-lessons")]).unwrap_err();
        assert!(matches!(err, LessonError::Read { .. }), "{err}");
    }
}
