//! Lessons: steps with text, an isolation spec, suggested commands, checks and hints.
//!
//! A lesson file is read by [`format`] into a [`Lesson`]; the [`Library`] gathers the shipped
//! lessons and the user's, skipping a user's file that cannot be loaded. [`lint`] is
//! `nslab check`'s stricter reading, which reports every mistake. [`verify`] proves a step's
//! [`check`]s by starting its sandbox for real: a [`session`] holds the live sandbox and
//! [`observe`] reads kernel facts about it.

pub mod check;
pub mod cli;
pub mod format;
pub mod library;
pub mod lint;
pub mod model;
pub mod observe;
pub mod session;
pub mod verify;

pub use check::{Check, Fact, RunCheck};
pub use format::FormatError;
pub use library::{LessonError, Library};
pub use model::{Lesson, Side, Step, Suggestion};
