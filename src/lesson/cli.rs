//! `nslab lessons`, `nslab check` and `nslab verify`.

use std::fmt::Display;
use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use crate::cli::VerifyArgs;
use crate::lesson::library::{self, LessonError, SHIPPED};
use crate::lesson::verify::{self, StepReport};
use crate::lesson::{Lesson, Library, format};

/// Lists the lessons and their steps.
pub fn list(extra_dirs: &[PathBuf]) -> anyhow::Result<i32> {
    let library = Library::load(extra_dirs).context("cannot load the lessons")?;
    for lesson in library.lessons() {
        say(format_args!("{}: {}", lesson.id, lesson.title));
        say(format_args!("  {}", lesson.summary.trim()));
        for (number, step) in lesson.steps.iter().enumerate() {
            say(format_args!(
                "  {:>2}. {:<18} {}  [{}]",
                number + 1,
                step.id,
                step.title,
                step.isolation.summary()
            ));
        }
        say("");
    }
    Ok(0)
}

/// Validates lesson files and directories (default: the shipped lessons). Prints one line per
/// file; exits 1 if any file is wrong.
pub fn check(paths: &[PathBuf]) -> anyhow::Result<i32> {
    let mut results: Vec<(String, Result<Lesson, LessonError>)> = Vec::new();
    if paths.is_empty() {
        for (name, text) in SHIPPED {
            results.push((
                name.to_string(),
                format::parse(text, name).map_err(Into::into),
            ));
        }
    }
    for path in paths {
        let files = if path.is_dir() {
            match library::files_in(path) {
                Ok(files) if files.is_empty() => {
                    let none = std::io::Error::other("no lesson files (*.toml) in it");
                    let err = LessonError::Read {
                        path: path.clone(),
                        source: none,
                    };
                    results.push((path.display().to_string(), Err(err)));
                    continue;
                }
                Ok(files) => files,
                Err(err) => {
                    results.push((path.display().to_string(), Err(err)));
                    continue;
                }
            }
        } else {
            vec![path.clone()]
        };
        for file in files {
            results.push((file.display().to_string(), library::read_file(&file)));
        }
    }

    let mut failed = 0;
    for (name, result) in &results {
        match result {
            Ok(lesson) => say(format_args!(
                "ok    {name}: {} ({})",
                lesson.id,
                count(lesson.steps.len(), "step")
            )),
            Err(err) => {
                failed += 1;
                eprintln!("{err}");
            }
        }
    }
    if failed > 0 {
        eprintln!(
            "{failed} of {} have errors",
            count(results.len(), "lesson file")
        );
        return Ok(1);
    }
    Ok(0)
}

/// Proves each step's claims on the live kernel; exits 1 if any check fails.
pub fn verify(args: VerifyArgs, extra_dirs: &[PathBuf]) -> anyhow::Result<i32> {
    let library = Library::load(extra_dirs).context("cannot load the lessons")?;
    let lessons: Vec<&Lesson> = match &args.lesson {
        Some(id) => vec![library.get(id).with_context(|| {
            let known: Vec<&str> = library.lessons().iter().map(|l| l.id.as_str()).collect();
            format!("no lesson '{id}'; the lessons are: {}", known.join(", "))
        })?],
        None => library.lessons().iter().collect(),
    };
    if let Some(step) = &args.step {
        if !lessons
            .iter()
            .any(|lesson| lesson.steps.iter().any(|s| &s.id == step))
        {
            anyhow::bail!("no step '{step}' in the lessons asked for");
        }
    }

    let (mut passed, mut total) = (0, 0);
    for lesson in lessons {
        for step in &lesson.steps {
            if args.step.as_ref().is_some_and(|only| *only != step.id) {
                continue;
            }
            say(format_args!("{}/{}", lesson.id, step.id));
            let report = verify::verify_step(step);
            print_report(&report);
            total += 1;
            if report.passed() {
                passed += 1;
            }
        }
    }

    say(format_args!(
        "{passed} of {} verified",
        count(total, "step")
    ));
    Ok(if passed == total { 0 } else { 1 })
}

fn print_report(report: &StepReport) {
    for outcome in &report.outcomes {
        if outcome.passed {
            say(format_args!("  pass  {}", outcome.claim));
        } else {
            say(format_args!(
                "  FAIL  {}\n        saw: {}",
                outcome.claim, outcome.seen
            ));
        }
    }
    if let Some(error) = &report.error {
        say(format_args!("  FAIL  {error}"));
    }
}

/// Prints a line. A closed stdout (`nslab lessons | head`) ends the output quietly instead of
/// panicking as `println!` would.
fn say(line: impl Display) {
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

/// "1 step", "2 steps".
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
