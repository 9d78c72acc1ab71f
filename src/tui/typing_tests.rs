//! Keys against real programs on PTYs: number keys type a suggestion only into a shell at its
//! prompt, never into a program it runs, and never after half-typed text; keys typed before a
//! shell has started are not echoed above it.

use std::sync::mpsc::{Receiver, sync_channel};
use std::time::{Duration, Instant};

use portable_pty::CommandBuilder;

use crate::lesson::{Lesson, Side, Step, Suggestion};
use crate::tui::app::{App, Focus};
use crate::tui::event::{Event, ShellId};
use crate::tui::foreground::Foreground;
use crate::tui::progress::Progress;

fn lesson() -> Lesson {
    Lesson {
        id: "l".into(),
        title: "l".into(),
        summary: String::new(),
        steps: vec![Step {
            id: "s".into(),
            title: "s".into(),
            body: String::new(),
            isolation: Default::default(),
            suggestions: vec![Suggestion {
                side: Side::Host,
                command: "echo SENT-$((6*7))".into(),
            }],
            hints: Vec::new(),
            checks: Vec::new(),
        }],
    }
}

/// Feeds shell events to `app` until `done` holds; fails after a few seconds.
fn pump(app: &mut App, events: &Receiver<Event>, what: &str, done: impl Fn(&App) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done(app) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        if let Ok(event) = events.recv_timeout(Duration::from_millis(50)) {
            app.handle(event);
        }
    }
}

fn screen(app: &App) -> String {
    app.host.parser.screen().contents()
}

/// With `abc` half-typed, `1` ran `abcecho $$`; with `less` open, the keys went into less.
#[test]
fn number_keys_type_only_into_a_shell_at_its_prompt() {
    let (sender, events) = sync_channel(256);
    let mut app = App::new(lesson(), 0, Progress::default(), None);
    let mut shell = CommandBuilder::new("/bin/sh");
    shell.env("PS1", "prompt$ ");
    app.host.start(Ok(shell), ShellId(1), &sender);
    app.focus = Focus::Lesson;
    pump(&mut app, &events, "the prompt", |app| {
        screen(app).contains("prompt$")
    });

    app.host.write(b"abc");
    app.send_suggestion(0);
    pump(&mut app, &events, "the command's output", |app| {
        screen(app).contains("SENT-42")
    });
    assert!(!screen(&app).contains("abcecho"), "{}", screen(&app));
    assert_eq!(
        app.focus,
        Focus::Lesson,
        "the next number key must work too"
    );
    // At 80x24 only the lesson is on screen: the status bar says where the command went.
    assert_eq!(
        app.message.as_deref(),
        Some("typed into the host shell; o shows it")
    );

    app.host.write(b"sleep 30\r");
    // Wait for sleep itself: between the shell's fork and the exec, the foreground child is
    // still called `sh`.
    pump(
        &mut app,
        &events,
        "sleep in the foreground",
        |app| matches!(app.host.foreground(), Foreground::Program(Some(name)) if name == "sleep"),
    );
    app.send_suggestion(0);
    let message = app.message.clone().unwrap_or_default();
    assert!(message.contains("sleep is running"), "{message}");
    app.host.stop();
}

/// Pressing → → quickly left `^[[D` echoed above the busybox banner: keys reached the PTY
/// before the shell had started, and the terminal echoed them.
#[test]
fn keys_typed_before_the_shell_says_anything_are_dropped() {
    let (sender, events) = sync_channel(256);
    let mut app = App::new(lesson(), 0, Progress::default(), None);
    let mut slow = CommandBuilder::new("/bin/sh");
    slow.args(["-c", "sleep 0.5; echo READY; exec cat"]);
    app.host.start(Ok(slow), ShellId(1), &sender);
    app.host.write(b"EARLY\x1b[D");
    pump(&mut app, &events, "READY", |app| {
        screen(app).contains("READY")
    });

    app.host.write(b"LATE\r");
    pump(&mut app, &events, "LATE echoed", |app| {
        screen(app).matches("LATE").count() >= 2
    });
    assert!(!screen(&app).contains("EARLY"), "{}", screen(&app));
    app.host.stop();
}
