//! Lessons: steps with text, an isolation spec, suggested commands, checks and hints.

pub mod cli;
