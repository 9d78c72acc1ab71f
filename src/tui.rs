//! The terminal UI: a lesson beside a live sandboxed shell.
//!
//! The run loop is the only owner of state: it draws, sleeps on the event channel until
//! something happens, and applies every event that arrives within one frame before drawing
//! again. Shells, the keyboard, signals and the panel worker are threads that only send.

pub mod app;
#[cfg(test)]
mod app_tests;
pub mod event;
pub mod foreground;
pub mod input;
pub mod keys;
pub mod layout;
pub mod markdown;
pub mod panel_feed;
pub mod panels;
pub mod progress;
pub mod pty;
pub mod scroll;
pub mod shell_pane;
pub mod shells;
pub mod step_dir;
pub mod terminal;
#[cfg(test)]
mod typing_tests;
pub mod view;
#[cfg(test)]
mod view_tests;

use std::path::PathBuf;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use ratatui::layout::Rect;

use crate::cli::LearnArgs;
use crate::lesson::{Lesson, Library};
use crate::tui::app::{App, RunState};
use crate::tui::event::Event;
use crate::tui::panel_feed::PanelFeed;
use crate::tui::progress::{Progress, ProgressStore};
use crate::tui::shells::Wiring;
use crate::tui::step_dir::StepDirs;
use crate::tui::terminal::Screen;

/// The shortest time between two frames: output arriving faster is drawn in batches.
const FRAME: Duration = Duration::from_millis(16);

/// Opens a lesson in the terminal UI.
pub fn learn(args: LearnArgs, fresh: bool, extra_dirs: &[PathBuf]) -> anyhow::Result<i32> {
    if !interactive() {
        bail!(
            "nslab's lessons need an interactive terminal; for scripts use `nslab run`, \
             `nslab verify` or `nslab inspect`"
        );
    }
    let library = Library::load(extra_dirs).context("cannot load the lessons")?;
    let store = ProgressStore::default_location();
    let progress = if fresh {
        Progress::default()
    } else {
        store.load()
    };
    let (lesson, step) = choose(library.lessons(), &args, &progress)?;

    // A SIGKILLed nslab could not remove its step's directory: do it for it.
    StepDirs::default().remove_stale();
    let mut guard = terminal::enter().context("cannot set up the terminal")?;
    let (events, receiver) = event::start().context("cannot start the event threads")?;
    let panels = PanelFeed::start(events.clone()).context("cannot start the panel worker")?;
    let wiring = Wiring::new(events, panels, store);
    let mut app = App::new(lesson.clone(), step, progress, Some(wiring));
    if let Some(first) = library.warnings().first() {
        // A broken lesson of the user's own must not keep the others from opening, but the
        // author should hear about it: `nslab check` gives every detail.
        let more = library.warnings().len() - 1;
        let others = if more > 0 {
            format!(" (and {more} more)")
        } else {
            String::new()
        };
        app.message = Some(format!(
            "skipped a lesson file: {first}{others}; see `nslab check`"
        ));
    }

    let result = run(&mut guard.screen, &mut app, &receiver);

    // Stop the sandboxes before the terminal is given back, whichever way the loop ended.
    app.quit();
    drop(guard);
    let status = app.exit_status();
    drop(app);
    StepDirs::default().remove_parent_if_empty();
    result.map(|()| status)
}

/// Whether keys come from a terminal and the screen goes to one: without both, raw mode and
/// the alternate screen fail with an error that names neither.
fn interactive() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

/// The lesson and step index to open: as asked, else where the learner left off, else the
/// first lesson's first step.
fn choose<'a>(
    lessons: &'a [Lesson],
    args: &LearnArgs,
    progress: &Progress,
) -> anyhow::Result<(&'a Lesson, usize)> {
    let lesson = match args.lesson.as_deref().or(progress.lesson.as_deref()) {
        Some(id) => match lessons.iter().find(|lesson| lesson.id == id) {
            Some(lesson) => lesson,
            None if args.lesson.is_some() => {
                bail!("there is no lesson '{id}'; `nslab lessons` lists them")
            }
            None => first_lesson(lessons)?,
        },
        None => first_lesson(lessons)?,
    };
    if lesson.steps.is_empty() {
        bail!("lesson '{}' has no steps", lesson.id);
    }

    let resumed = (progress.lesson.as_deref() == Some(lesson.id.as_str()))
        .then_some(progress.step.as_deref())
        .flatten();
    let step = match args.step.as_deref().or(resumed) {
        Some(id) => match lesson.steps.iter().position(|step| step.id == id) {
            Some(index) => index,
            None if args.step.is_some() => {
                let ids: Vec<&str> = lesson.steps.iter().map(|step| step.id.as_str()).collect();
                bail!(
                    "lesson '{}' has no step '{id}'; its steps: {}",
                    lesson.id,
                    ids.join(", ")
                )
            }
            None => 0,
        },
        None => 0,
    };
    Ok((lesson, step))
}

fn first_lesson(lessons: &[Lesson]) -> anyhow::Result<&Lesson> {
    lessons
        .first()
        .context("no lessons found; add some with --lessons DIR")
}

fn run(screen: &mut Screen, app: &mut App, events: &Receiver<Event>) -> anyhow::Result<()> {
    // Show the lesson at once: the first sandbox may have to build its root filesystem.
    app.fit(area(screen)?);
    screen.draw(|frame| view::draw(frame, app))?;
    app.start(area(screen)?);
    while app.state == RunState::Running {
        app.fit(area(screen)?);
        screen.draw(|frame| view::draw(frame, app))?;
        let drawn = Instant::now();

        // Sleep until something happens, then take in everything else that arrives within
        // the same frame, so that a flood of output costs one redraw per frame.
        let first = events.recv().context("every event source has stopped")?;
        app.handle(first);
        let deadline = (drawn + FRAME).max(Instant::now());
        while app.state == RunState::Running {
            let Some(wait) = deadline.checked_duration_since(Instant::now()) else {
                break;
            };
            match events.recv_timeout(wait) {
                Ok(event) => app.handle(event),
                Err(_) => break,
            }
        }
    }
    Ok(())
}

fn area(screen: &Screen) -> anyhow::Result<Rect> {
    let size = screen.size().context("cannot read the terminal size")?;
    Ok(Rect::new(0, 0, size.width, size.height))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::Step;

    fn lesson(id: &str, steps: &[&str]) -> Lesson {
        Lesson {
            id: id.to_string(),
            title: id.to_string(),
            summary: String::new(),
            steps: steps
                .iter()
                .map(|step| Step {
                    id: step.to_string(),
                    title: step.to_string(),
                    body: String::new(),
                    isolation: Default::default(),
                    suggestions: Vec::new(),
                    hints: Vec::new(),
                    checks: Vec::new(),
                })
                .collect(),
        }
    }

    fn args(lesson: Option<&str>, step: Option<&str>) -> LearnArgs {
        LearnArgs {
            lesson: lesson.map(str::to_string),
            step: step.map(str::to_string),
            ..LearnArgs::default()
        }
    }

    fn chosen(lessons: &[Lesson], args: &LearnArgs, progress: &Progress) -> (String, usize) {
        let (lesson, step) = choose(lessons, args, progress).expect("a lesson");
        (lesson.id.clone(), step)
    }

    #[test]
    fn opens_as_asked_else_where_the_learner_left_off_else_at_the_start() {
        let lessons = [lesson("a", &["one", "two"]), lesson("b", &["x", "y", "z"])];
        let mut progress = Progress::default();
        assert_eq!(
            chosen(&lessons, &args(None, None), &progress),
            ("a".into(), 0)
        );

        progress.visit("b", "z");
        assert_eq!(
            chosen(&lessons, &args(None, None), &progress),
            ("b".into(), 2)
        );
        assert_eq!(
            chosen(&lessons, &args(Some("a"), None), &progress),
            ("a".into(), 0)
        );
        let asked = args(Some("b"), Some("y"));
        assert_eq!(chosen(&lessons, &asked, &progress), ("b".into(), 1));

        // A saved step that no longer exists is not an error: start the lesson over.
        progress.visit("b", "gone");
        assert_eq!(
            chosen(&lessons, &args(None, None), &progress),
            ("b".into(), 0)
        );
    }

    #[test]
    fn unknown_lessons_and_steps_asked_for_are_errors_that_name_them() {
        let lessons = [lesson("a", &["one"])];
        let progress = Progress::default();
        let err = choose(&lessons, &args(Some("nope"), None), &progress).unwrap_err();
        assert!(err.to_string().contains("no lesson 'nope'"), "{err}");
        let err = choose(&lessons, &args(Some("a"), Some("two")), &progress).unwrap_err();
        assert!(err.to_string().contains("its steps: one"), "{err}");
        let err = choose(&[], &args(None, None), &progress).unwrap_err();
        assert!(err.to_string().contains("no lessons found"), "{err}");
    }
}
