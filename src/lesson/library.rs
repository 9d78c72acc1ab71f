//! The lessons nslab knows: the shipped ones, the user's config directory, and `--lessons DIR`.

use std::path::PathBuf;

use crate::lesson::Lesson;

/// Why lessons could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LessonError {
    #[error("{0}")]
    Invalid(String),
}

/// Every lesson available, in a stable order (shipped first).
#[derive(Clone, Debug, Default)]
pub struct Library {
    lessons: Vec<Lesson>,
}

impl Library {
    /// Loads the shipped lessons, then those in the user's config directory and `extra_dirs`.
    pub fn load(_extra_dirs: &[PathBuf]) -> Result<Library, LessonError> {
        // TODO: parse the shipped lesson files; until then there are no lessons.
        Ok(Library::default())
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
