//! `nslab check`'s reading of lesson files: the file format's rules, every mistake at once,
//! plus the rules that depend on this machine rather than on the file alone.
//!
//! Those are a lesson id that a shipped lesson (or a file checked before) already has, which
//! makes nslab skip the file, and a root directory that does not exist here. nslab's loader
//! leaves them to run time; `check` is where an author wants to hear about them.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::lesson::Lesson;
use crate::lesson::format::{self, FormatError};
use crate::lesson::library::{self, SHIPPED};

/// What one file's check found: the lesson, or the lines that explain what is wrong.
pub type Verdict = Result<Lesson, Vec<String>>;

/// Checks lesson files one after another, remembering the ids already taken.
pub struct Checker {
    /// Each lesson id seen so far and where it came from; the shipped ones first.
    taken: Vec<(String, String)>,
}

/// Only where an id and a root sit in the file. Unknown keys are ignored: the file has already
/// passed the strict reader by the time this is read.
#[derive(Deserialize)]
struct Places {
    id: Spanned<String>,
    steps: Vec<StepPlaces>,
}

#[derive(Deserialize)]
struct StepPlaces {
    isolation: IsolationPlaces,
}

#[derive(Deserialize)]
struct IsolationPlaces {
    root: Option<Spanned<String>>,
}

impl Checker {
    /// A checker that knows the shipped lessons' ids.
    pub fn new() -> Checker {
        let taken = SHIPPED
            .iter()
            .filter_map(|(name, text)| Some((format::parse(text, name).ok()?.id, name.to_string())))
            .collect();
        Checker { taken }
    }

    /// Checks one of the shipped lessons, which cannot clash with itself.
    pub fn check_shipped(&self, name: &str, text: &str) -> Verdict {
        format::parse_all(text, name).map_err(explain)
    }

    /// Checks a lesson file on disk against the format and this machine.
    pub fn check_file(&mut self, path: &Path) -> Verdict {
        let name = path.display().to_string();
        let text = library::read_text(path).map_err(|err| vec![err.to_string()])?;
        let read = format::parse_all(&text, &name);

        // The machine's rules need only the id and the roots, so they apply even to a file
        // with other mistakes, as long as it could be read to the end.
        let mut errors = match &read {
            Err(found) if found.stopped_early => return read.map_err(explain),
            Err(found) => found.errors.clone(),
            Ok(_) => Vec::new(),
        };
        if let Ok(places) = toml::from_str::<Places>(&text) {
            errors.extend(self.clash(&text, &name, path, &places));
            errors.extend(missing_roots(&text, &name, &places));
        }
        errors.sort_by_key(|error| (error.line, error.column));

        match read {
            Ok(lesson) if errors.is_empty() => {
                self.taken.push((lesson.id.clone(), name));
                Ok(lesson)
            }
            _ => Err(errors.iter().map(ToString::to_string).collect()),
        }
    }

    /// The id clash nslab's loader would skip this file for, if any.
    fn clash(&self, text: &str, name: &str, path: &Path, places: &Places) -> Option<FormatError> {
        let id = places.id.get_ref();
        let (_, first) = self.taken.iter().find(|(taken, _)| taken == id)?;
        if is_shipped_source(path, first) {
            return None;
        }
        let message = format!(
            "lesson id '{id}' is already used by {first}, so nslab would skip this file: \
             give it another id"
        );
        Some(format::locate(text, name, places.id.span(), message))
    }
}

impl Default for Checker {
    fn default() -> Checker {
        Checker::new()
    }
}

/// One line per mistake, and a note when reading stopped at the first.
fn explain(found: format::FileErrors) -> Vec<String> {
    let mut lines: Vec<String> = found.errors.iter().map(ToString::to_string).collect();
    if found.stopped_early {
        lines.push(
            "  (the file could not be read past this mistake; fix it to see any others)".into(),
        );
    }
    lines
}

/// Each step's root directory that does not exist on this machine.
fn missing_roots(text: &str, name: &str, places: &Places) -> Vec<FormatError> {
    let mut errors = Vec::new();
    for root in places
        .steps
        .iter()
        .filter_map(|step| step.isolation.root.as_ref())
    {
        // Only a path names a directory: "host" and "rootfs" are nslab's own.
        let dir = Path::new(root.get_ref());
        if !dir.is_absolute() || dir.is_dir() {
            continue;
        }
        let message = format!(
            "root directory '{}' does not exist on this machine: create it, or use \
             root = \"rootfs\" for nslab's own",
            dir.display()
        );
        errors.push(format::locate(text, name, root.span(), message));
    }
    errors
}

/// True when `path` is the source file that the shipped lesson `shipped` was built from, so
/// that an author can check the shipped lessons' files in a checkout of nslab.
fn is_shipped_source(path: &Path, shipped: &str) -> bool {
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(shipped);
    match (path.canonicalize(), source.canonicalize()) {
        (Ok(path), Ok(source)) => path == source,
        _ => false,
    }
}
