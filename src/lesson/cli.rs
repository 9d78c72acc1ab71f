//! `nslab lessons`, `nslab check` and `nslab verify`.

use std::fmt::Display;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cli::VerifyArgs;
use crate::lesson::library::{self, LessonError, SHIPPED};
use crate::lesson::lint::{Checker, Verdict};
use crate::lesson::verify::{self, StepReport};
use crate::lesson::{Lesson, Library};

/// Lists the lessons and their steps.
pub fn list(extra_dirs: &[PathBuf]) -> anyhow::Result<i32> {
    let library = load(extra_dirs)?;
    // One width for every lesson, so that the titles line up under each other.
    let width = library
        .lessons()
        .iter()
        .flat_map(|lesson| &lesson.steps)
        .map(|step| step.id.chars().count())
        .max()
        .unwrap_or(0);
    for lesson in library.lessons() {
        say(format_args!("{}: {}", lesson.id, lesson.title));
        say(format_args!("  {}", lesson.summary.trim()));
        for (number, step) in lesson.steps.iter().enumerate() {
            say(format_args!(
                "  {:>2}. {:<width$}  {}  [{}]",
                number + 1,
                step.id,
                step.title,
                step.isolation.summary_here()
            ));
        }
        say("");
    }
    Ok(0)
}

/// Loads the lessons and warns on stderr about each user file that was skipped.
fn load(extra_dirs: &[PathBuf]) -> anyhow::Result<Library> {
    let library = Library::load(extra_dirs).context("cannot load the lessons")?;
    for warning in library.warnings() {
        eprintln!("warning: skipped a lesson file: {warning}");
    }
    Ok(library)
}

/// Validates lesson files and directories (default: the shipped lessons). Prints `ok` per good
/// file and every mistake of the others; exits 1 if any file is wrong.
pub fn check(paths: &[PathBuf]) -> anyhow::Result<i32> {
    let mut checker = Checker::new();
    let mut verdicts: Vec<(String, Verdict)> = Vec::new();
    if paths.is_empty() {
        for (name, text) in SHIPPED {
            verdicts.push((name.to_string(), checker.check_shipped(name, text)));
        }
    }
    for path in paths {
        match lesson_files(path) {
            Ok(files) => {
                for file in files {
                    let verdict = checker.check_file(&file);
                    verdicts.push((file.display().to_string(), verdict));
                }
            }
            Err(err) => verdicts.push((path.display().to_string(), Err(vec![err.to_string()]))),
        }
    }

    let mut failed = 0;
    for (name, verdict) in &verdicts {
        match verdict {
            Ok(lesson) => say(format_args!(
                "ok    {name}: {} ({})",
                lesson.id,
                count(lesson.steps.len(), "step")
            )),
            Err(lines) => {
                failed += 1;
                lines.iter().for_each(|line| eprintln!("{line}"));
            }
        }
    }
    if failed > 0 {
        let verb = if failed == 1 { "has" } else { "have" };
        eprintln!(
            "{failed} of {} {verb} errors",
            count(verdicts.len(), "lesson file")
        );
        return Ok(1);
    }
    Ok(0)
}

/// The lesson files a path given to `check` stands for: itself, or the `*.toml` files in it.
fn lesson_files(path: &Path) -> Result<Vec<PathBuf>, LessonError> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let files = library::files_in(path)?;
    if files.is_empty() {
        return Err(LessonError::Read {
            path: path.to_path_buf(),
            reason: std::io::Error::other("no lesson files (*.toml) in it"),
        });
    }
    Ok(files)
}

/// Proves each step's claims on the live kernel; exits 1 if any check fails.
pub fn verify(args: VerifyArgs, extra_dirs: &[PathBuf]) -> anyhow::Result<i32> {
    let library = load(extra_dirs)?;
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
