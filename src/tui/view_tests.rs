//! Snapshots of whole screens, drawn with ratatui's `TestBackend` at the sizes that matter:
//! 80x24 (tabs) and 160x48 (columns). No process runs: the shells' screens are fed fixed
//! output. Numbers that differ from run to run (PIDs, namespace inodes) are filtered.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

use crate::lesson::{Lesson, Side, Step, Suggestion};
use crate::spec::{IsolationSpec, Namespace, RootSpec};
use crate::tui::app::{App, Focus, Overlay, RunState};
use crate::tui::event::ExitReport;
use crate::tui::progress::Progress;
use crate::tui::view;

fn step(id: &str, title: &str, namespaces: &[Namespace], body: &str) -> Step {
    Step {
        id: id.to_string(),
        title: title.to_string(),
        body: body.to_string(),
        isolation: IsolationSpec {
            namespaces: namespaces.iter().copied().collect(),
            hostname: Some("inside".to_string()),
            root: RootSpec::Rootfs,
            ..IsolationSpec::default()
        },
        suggestions: vec![
            Suggestion {
                side: Side::Sandbox,
                command: "ps -eaf".to_string(),
            },
            Suggestion {
                side: Side::Host,
                command: "ps -eaf | grep sh".to_string(),
            },
        ],
        hints: vec!["/proc is still the host's.".to_string()],
        checks: Vec::new(),
    }
}

fn lesson() -> Lesson {
    let body = "# Processes get numbers of their own\n\nWith a *PID namespace* the shell is \
                **PID 1**. Run `ps -eaf`:\n\n- nothing is listed yet\n- `/proc` is empty\n\n\
                ```\nunshare --pid --fork sh\n```\n";
    Lesson {
        id: "containers-from-scratch".to_string(),
        title: "Containers from scratch".to_string(),
        summary: "Build a container one namespace at a time.".to_string(),
        steps: vec![
            step("uts", "A hostname", &[Namespace::Uts], "Hostnames."),
            step(
                "pid-namespace",
                "A PID namespace",
                &[Namespace::Uts, Namespace::Pid],
                body,
            ),
            step(
                "mount-proc",
                "Mount proc",
                &[Namespace::Pid, Namespace::Mount],
                "Proc.",
            ),
        ],
    }
}

fn app() -> App {
    let mut progress = Progress::default();
    progress.complete("containers-from-scratch", "uts");
    let mut app = App::new(lesson(), 1, progress, None);
    app.hints_shown = 1;
    app
}

fn draw(app: &mut App, width: u16, height: u16) -> Terminal<TestBackend> {
    app.fit(Rect::new(0, 0, width, height));
    app.sandbox.output(
        b"[pid-namespace] root@inside:/# ps -eaf\r\nPID   USER     COMMAND\r\n\
          [pid-namespace] root@inside:/# echo $$\r\n1\r\n[pid-namespace] root@inside:/# ",
    );
    app.host
        .output(b"root@host:~# readlink /proc/23817/ns/pid\r\npid:[4026532281]\r\n");
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal.draw(|frame| view::draw(frame, app)).expect("draw");
    terminal
}

fn screen(app: &mut App, width: u16, height: u16) -> String {
    draw(app, width, height).backend().to_string()
}

fn check(name: &str, text: String) {
    insta::with_settings!({filters => vec![
        (r"\[\d{6,}\]", "[INODE]"),
        (r"/proc/\d+/", "/proc/PID/"),
    ]}, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn tabs_80x24_with_the_sandbox_shell_focused() {
    check("tabs_80x24_sandbox", screen(&mut app(), 80, 24));
}

#[test]
fn tabs_80x24_on_the_lesson_side() {
    let mut app = app();
    app.focus = Focus::Lesson;
    check("tabs_80x24_lesson", screen(&mut app, 80, 24));
}

#[test]
fn tabs_80x24_after_the_shell_exited() {
    let mut app = app();
    app.sandbox.exited(ExitReport {
        code: 130,
        signal: None,
    });
    check("tabs_80x24_exited", screen(&mut app, 80, 24));
}

#[test]
fn columns_160x48_on_the_lesson_side() {
    let mut app = app();
    app.focus = Focus::Lesson;
    check("columns_160x48_lesson", screen(&mut app, 160, 48));
}

#[test]
fn columns_160x48_with_the_help_open() {
    let mut app = app();
    app.focus = Focus::Lesson;
    app.overlay = Overlay::Help;
    check("columns_160x48_help", screen(&mut app, 160, 48));
}

#[test]
fn the_shell_screen_is_sized_to_its_pane() {
    let mut app = app();
    let _ = screen(&mut app, 160, 48);
    let (rows, cols) = app.sandbox.parser.screen().size();
    assert_eq!((rows, cols), (26, 86));
    let _ = screen(&mut app, 80, 24);
    assert_eq!(app.sandbox.parser.screen().size(), (20, 78));
}

#[test]
fn tiny_and_odd_sizes_never_panic() {
    for (width, height) in [
        (0, 0),
        (1, 1),
        (2, 1),
        (5, 3),
        (20, 4),
        (119, 23),
        (120, 24),
    ] {
        for focus in [Focus::Sandbox, Focus::Host, Focus::Lesson] {
            let mut app = app();
            app.focus = focus;
            app.overlay = Overlay::Help;
            let _ = draw(&mut app, width, height);
        }
    }
}

#[test]
fn lesson_keys_move_between_steps_and_scroll_within_the_text() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let press = |app: &mut App, code| app.key(KeyEvent::new(code, KeyModifiers::NONE));
    let mut app = app();
    app.fit(Rect::new(0, 0, 80, 10));

    // Ctrl-g hands the keyboard to the lesson side and back.
    app.key(KeyEvent::new(KeyCode::Char('g'), KeyModifiers::CONTROL));
    assert_eq!(app.focus, Focus::Lesson);

    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.lesson_scroll, 1);
    for _ in 0..1000 {
        press(&mut app, KeyCode::PageDown);
    }
    assert!(usize::from(app.lesson_scroll) < view::lesson_text(&app).lines.len());

    press(&mut app, KeyCode::Right);
    assert_eq!(
        (app.step, app.lesson_scroll, app.focus),
        (2, 0, Focus::Sandbox)
    );
    assert!(
        app.progress
            .is_done("containers-from-scratch", "pid-namespace")
    );

    app.key(KeyEvent::new(KeyCode::Char('g'), KeyModifiers::CONTROL));
    press(&mut app, KeyCode::Right);
    assert_eq!(app.step, 2, "there is no step after the last");
    assert_eq!(app.focus, Focus::Lesson);
    press(&mut app, KeyCode::Char('p'));
    assert_eq!(app.step, 1);
}

/// J pressed 40 times on the Code panel scrolled it past its end, and the offset carried over
/// to the next step, whose Code panel was then blank.
#[test]
fn panel_scroll_stops_at_the_end_and_resets_on_step_and_panel_change() {
    use crate::inspect::code::CodeLine;
    use crate::tui::panels::PanelKind;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    let mut app = app();
    app.focus = Focus::Lesson;
    app.panel = PanelKind::Code;
    app.panel_data.snapshot.code.go = (0..30)
        .map(|i| CodeLine {
            text: format!("line {i}"),
            changed: false,
        })
        .collect();
    let _ = draw(&mut app, 160, 48);
    for _ in 0..40 {
        app.key(KeyEvent::new(KeyCode::Char('J'), KeyModifiers::NONE));
    }
    let limit = app.panel_scroll;
    assert!(limit > 0 && limit < 30, "stopped at {limit}");
    let shown = screen(&mut app, 160, 48);
    assert!(shown.contains("Rust (nix)"), "the end is on screen");

    app.key(KeyEvent::new(KeyCode::Right, KeyModifiers::NONE));
    assert_eq!(app.panel_scroll, 0);
    app.panel_scroll = limit;
    app.focus = Focus::Lesson;
    app.key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
    assert_eq!(app.panel_scroll, 0);
}

/// The lesson scroll limit counted lines before wrapping: in a narrow pane, long lines made
/// the end unreachable; with few lines it scrolled the text away into blank.
#[test]
fn lesson_scroll_stops_with_the_last_wrapped_row_at_the_bottom() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    let mut app = app();
    app.focus = Focus::Lesson;
    app.lesson.steps[1].body = "word ".repeat(400);
    let _ = draw(&mut app, 80, 24);
    for _ in 0..200 {
        app.key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE));
    }
    let rows = crate::tui::scroll::wrapped_rows(&view::lesson_text(&app), 78);
    assert_eq!(app.lesson_scroll, rows - 20);
    let shown = screen(&mut app, 80, 24);
    assert!(shown.contains("Hint 1"), "{shown}");
}

/// SIGTERM ended nslab with status 0, as if the learner had quit.
#[test]
fn a_signal_ends_the_tui_with_128_plus_its_number() {
    use crate::tui::event::Event;
    let mut app = app();
    assert_eq!(app.exit_status(), 0);
    app.handle(Event::Terminate(15));
    assert_eq!((app.state, app.exit_status()), (RunState::Quitting, 143));
}

/// A step counted as done only once the learner moved past it, so the last step never got its
/// ✓, and the course ended with no word.
#[test]
fn the_last_step_gets_its_tick_and_an_end_message() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mut app = app();
    app.step = 2;
    app.focus = Focus::Lesson;
    assert!(!screen(&mut app, 160, 48).contains("Course complete"));

    app.key(KeyEvent::new(KeyCode::Right, KeyModifiers::NONE));
    assert_eq!(app.step, 2);
    assert!(
        app.progress
            .is_done("containers-from-scratch", "mount-proc")
    );
    let shown = screen(&mut app, 160, 48);
    assert!(shown.contains("Step 3/3 · Mount proc ✓"), "{shown}");
    assert!(shown.contains("✓ Course complete."), "{shown}");
    assert!(shown.contains("nslab learn LESSON"), "{shown}");
}

/// At 80x24 the status bar was cut off before `v`, `o` and Tab.
#[test]
fn the_80x24_status_bar_shows_the_keys_to_reach_everything() {
    let mut app = app();
    app.focus = Focus::Lesson;
    let shown = screen(&mut app, 80, 24);
    let status = shown.lines().last().unwrap_or_default().to_string();
    for key in [
        "Ctrl-g shell",
        "v panels",
        "o host",
        "Tab panel",
        "? help",
        "q quit",
    ] {
        assert!(status.contains(key), "no {key:?} in {status}");
    }
}

/// At 30x8 the help was cut off, and no key could show the rest.
#[test]
fn the_help_scrolls_on_a_tiny_screen() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let press = |app: &mut App, code| app.key(KeyEvent::new(code, KeyModifiers::NONE));
    let mut app = app();
    app.focus = Focus::Lesson;
    press(&mut app, KeyCode::Char('?'));
    let shown = screen(&mut app, 30, 8);
    assert!(shown.contains("j/k: more"), "{shown}");
    assert!(!shown.contains("quit (the"), "{shown}");

    for _ in 0..100 {
        press(&mut app, KeyCode::Char('j'));
    }
    assert_eq!(app.overlay, Overlay::Help);
    let shown = screen(&mut app, 30, 8);
    assert!(shown.contains("sandboxes end"), "{shown}");
    press(&mut app, KeyCode::Char('x'));
    assert_eq!((app.overlay, app.help_scroll), (Overlay::None, 0));
}
