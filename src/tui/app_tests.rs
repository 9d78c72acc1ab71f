//! What keys and signals do to the app, checked on the state and on the drawn screen. No
//! process runs; the fixtures are the snapshot tests' lesson and screens.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;

use crate::inspect::code::CodeLine;
use crate::tui::app::{App, Focus, Overlay, RunState};
use crate::tui::event::Event;
use crate::tui::panels::PanelKind;
use crate::tui::view;
use crate::tui::view_tests::{app, draw, screen};

fn press(app: &mut App, code: KeyCode) {
    app.key(KeyEvent::new(code, KeyModifiers::NONE));
}

#[test]
fn lesson_keys_move_between_steps_and_scroll_within_the_text() {
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
        press(&mut app, KeyCode::Char('J'));
    }
    let limit = app.panel_scroll;
    assert!(limit > 0 && limit < 30, "stopped at {limit}");
    let shown = screen(&mut app, 160, 48);
    assert!(shown.contains("Rust (nix)"), "the end is on screen");

    press(&mut app, KeyCode::Right);
    assert_eq!(app.panel_scroll, 0);
    app.panel_scroll = limit;
    app.focus = Focus::Lesson;
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.panel_scroll, 0);
}

/// The lesson scroll limit counted lines before wrapping: in a narrow pane, long lines made
/// the end unreachable; with few lines it scrolled the text away into blank.
#[test]
fn lesson_scroll_stops_with_the_last_wrapped_row_at_the_bottom() {
    let mut app = app();
    app.focus = Focus::Lesson;
    app.lesson.steps[1].body = "word ".repeat(400);
    let _ = draw(&mut app, 80, 24);
    for _ in 0..200 {
        press(&mut app, KeyCode::Char('j'));
    }
    let rows = crate::tui::scroll::wrapped_rows(&view::lesson_text(&app), 78);
    assert_eq!(app.lesson_scroll, rows - 20);
    let shown = screen(&mut app, 80, 24);
    assert!(shown.contains("Hint 1"), "{shown}");
}

/// SIGTERM ended nslab with status 0, as if the learner had quit.
#[test]
fn a_signal_ends_the_tui_with_128_plus_its_number() {
    let mut app = app();
    assert_eq!(app.exit_status(), 0);
    app.handle(Event::Terminate(15));
    assert_eq!((app.state, app.exit_status()), (RunState::Quitting, 143));
}

/// A step counted as done only once the learner moved past it, so the last step never got its
/// ✓, and the course ended with no word.
#[test]
fn the_last_step_gets_its_tick_and_an_end_message() {
    let mut app = app();
    app.step = 2;
    app.focus = Focus::Lesson;
    assert!(!screen(&mut app, 160, 48).contains("Course complete"));

    press(&mut app, KeyCode::Right);
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
