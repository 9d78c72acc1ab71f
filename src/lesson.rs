//! Lessons: steps with text, an isolation spec, suggested commands, checks and hints.

pub mod cli;
pub mod library;
pub mod model;

pub use library::{LessonError, Library};
pub use model::{Lesson, Side, Step, Suggestion};
