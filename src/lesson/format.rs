//! The lesson file format (TOML) and its loader, with errors that point at file:line:col.
//!
//! The file is read in two passes. Serde reads it into the raw types below, which keep the
//! position of everything a later rule may need to point at. Then the rules serde cannot know
//! are applied (see [`rules`]), and every mistake they find is kept, not just the first. The
//! result is the plain [`Lesson`] the rest of nslab uses.

use std::collections::HashMap;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::lesson::format::rules::{Errors, build_step, check_slug};
use crate::lesson::{Lesson, Side, Suggestion};
use crate::spec::{IsolationSpec, Namespace};

pub mod rules;

/// A mistake in a lesson file, with where it is.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct FormatError {
    /// The file, as given (shipped lessons are named `lessons/NAME.toml`).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong, in plain words.
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLesson {
    id: Spanned<String>,
    title: String,
    summary: String,
    steps: Spanned<Vec<RawStep>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    id: Spanned<String>,
    title: String,
    body: String,
    isolation: Spanned<IsolationTable>,
    #[serde(default, rename = "try")]
    suggestions: Vec<Spanned<Suggestion>>,
    #[serde(default)]
    hints: Vec<String>,
    #[serde(default)]
    checks: Vec<Spanned<RawCheck>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    fact: Option<Spanned<String>>,
    namespace: Option<Namespace>,
    run: Option<String>,
    side: Option<Side>,
    exit: Option<i32>,
    output: Option<Spanned<String>>,
}

/// An isolation spec that must be written as a table. Serde's derived struct reader would also
/// take an array (`isolation = []`) and fill the fields by position, which no author means.
struct IsolationTable(IsolationSpec);

impl<'de> Deserialize<'de> for IsolationTable {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TableOnly;

        impl<'de> serde::de::Visitor<'de> for TableOnly {
            type Value = IsolationTable;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a table such as { namespaces = [\"pid\"] }")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                let reader = serde::de::value::MapAccessDeserializer::new(map);
                IsolationSpec::deserialize(reader).map(IsolationTable)
            }
        }

        deserializer.deserialize_map(TableOnly)
    }
}

/// Every mistake found in one lesson file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileErrors {
    /// The mistakes, in the order they appear in the file. Never empty.
    pub errors: Vec<FormatError>,
    /// True when the file could not be read past its first mistake (TOML syntax, an unknown
    /// or missing key, a value of the wrong kind), so more may follow it.
    pub stopped_early: bool,
}

/// The most entries a step's `try` list may have: the TUI sends them with the keys 1 to 9.
pub const MAX_SUGGESTIONS: usize = 9;

/// Reads one lesson file and stops at its first mistake. `file` names it in error messages.
pub fn parse(text: &str, file: &str) -> Result<Lesson, FormatError> {
    parse_all(text, file).map_err(|mut found| found.errors.swap_remove(0))
}

/// Reads one lesson file and reports every mistake in it that can be found.
pub fn parse_all(text: &str, file: &str) -> Result<Lesson, FileErrors> {
    // Serde stops at the first mistake in the file's shape; the rules below can go on.
    let raw: RawLesson = toml::from_str(text).map_err(|err| FileErrors {
        errors: vec![locate(
            text,
            file,
            err.span().unwrap_or(0..0),
            plain(err.message()),
        )],
        stopped_early: true,
    })?;

    let mut errors = Errors::new(text, file);
    if let Err(message) = check_slug(raw.id.get_ref()) {
        errors.add(raw.id.span(), message);
    }
    if raw.steps.get_ref().is_empty() {
        errors.add(raw.steps.span(), "a lesson needs at least one step".into());
    }
    let mut seen: HashMap<String, Range<usize>> = HashMap::new();
    let mut steps = Vec::new();
    for step in raw.steps.into_inner() {
        steps.push(build_step(step, &mut seen, &mut errors));
    }

    if !errors.found.is_empty() {
        return Err(FileErrors {
            errors: errors.found,
            stopped_early: false,
        });
    }
    Ok(Lesson {
        id: raw.id.into_inner(),
        title: raw.title,
        summary: raw.summary,
        steps,
    })
}

/// Serde's messages name Rust-side things; say them as a lesson author would.
fn plain(message: &str) -> String {
    const WORDS: [(&str, &str); 7] = [
        ("unknown field", "unknown key"),
        ("missing field", "missing key"),
        ("unknown variant", "unknown value"),
        ("invalid type: ", "wrong kind of value: found "),
        ("expected a sequence", "expected a list [...]"),
        ("expected i32", "expected a whole number"),
        ("expected a map", "expected a table {...}"),
    ];
    WORDS
        .iter()
        .fold(message.trim().to_string(), |text, (from, to)| {
            text.replace(from, to)
        })
}
/// Turns a byte span into the line and column of its start.
pub(super) fn locate(text: &str, file: &str, span: Range<usize>, message: String) -> FormatError {
    let mut start = span.start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let before = &text[..start];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    let column = before[line_start..].chars().count() + 1;
    FormatError {
        file: file.to_string(),
        line,
        column,
        message,
    }
}

#[cfg(test)]
#[path = "format_tests.rs"]
mod tests;
