//! The status bar: who has the keyboard, and the keys that work now (or a short message).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::{App, Focus, LessonView, Overlay};
use crate::tui::layout::{Arrangement, HostView};
use crate::tui::view::{KEY, help_scroll_limit};

/// The keys that work right now, for the status bar, the most needed first: what does not
/// fit on a narrow status bar is left out from the end (the help lists everything).
pub fn status_keys(app: &App) -> Vec<(&'static str, &'static str)> {
    if app.overlay == Overlay::Help {
        if help_scroll_limit(app.screen) == 0 {
            return vec![("any key", "close")];
        }
        return vec![("j/k", "scroll"), ("any other key", "close")];
    }
    match app.focus {
        Focus::Sandbox | Focus::Host => {
            let pane = if app.focus == Focus::Host {
                &app.host
            } else {
                &app.sandbox
            };
            let mut keys = vec![("Ctrl-g", "lesson"), ("Shift-PgUp", "history")];
            if !pane.is_running() {
                keys.push(("Enter", "restart"));
            }
            keys
        }
        Focus::Lesson => lesson_keys(app),
    }
}

fn lesson_keys(app: &App) -> Vec<(&'static str, &'static str)> {
    let step = app.current_step();
    let mut keys = vec![("Ctrl-g", "shell"), ("←/→", "step")];
    const TRY: [&str; 9] = ["1", "1-2", "1-3", "1-4", "1-5", "1-6", "1-7", "1-8", "1-9"];
    if let Some(range) = step.suggestions.len().checked_sub(1).map(|i| TRY[i.min(8)]) {
        keys.push((range, "try"));
    }

    // Small screens show one area at a time: say how to reach the panels. Wide ones show
    // everything, and can hide the host shell instead.
    keys.push(match (app.areas(app.screen).arrangement, app.lesson_view) {
        (Arrangement::Tabs, LessonView::Text) => ("v", "panels"),
        (Arrangement::Tabs, LessonView::Panels) => ("v", "text"),
        (Arrangement::Columns, _) if app.host_view == HostView::Split => ("t", "hide host"),
        (Arrangement::Columns, _) => ("t", "show host"),
    });
    keys.extend([
        ("o", "host"),
        ("Tab", "panel"),
        ("?", "help"),
        ("q", "quit"),
    ]);

    // The lesson text itself offers hints, and the help lists the rest.
    if app.hints_shown < step.hints.len() {
        keys.push(("h", "hint"));
    }
    keys.extend([("j/k", "scroll"), ("r", "restart")]);
    keys
}

/// Draws the status bar: who has the keyboard, then a message or the keys.
pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let who = match app.focus {
        Focus::Sandbox => " SANDBOX ",
        Focus::Host => " HOST ",
        Focus::Lesson => " LESSON ",
    };
    let mut spans = vec![Span::styled(
        who,
        Style::new().fg(Color::Black).bg(Color::Cyan),
    )];
    // A message replaces the keys until the next key press: it answers what was just asked.
    if let Some(message) = &app.message {
        spans.push(Span::styled(
            format!(" {message}"),
            Style::new().fg(Color::Yellow),
        ));
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
        return;
    }

    // Whole keys only: a key cut in half is worse than one left to the help.
    let mut room = usize::from(area.width).saturating_sub(who.len());
    for (key, action) in status_keys(app) {
        let width = 1 + key.chars().count() + 1 + action.chars().count();
        if width > room {
            continue;
        }
        room -= width;
        spans.push(Span::raw(" "));
        spans.push(Span::styled(key, KEY));
        spans.push(Span::raw(format!(" {action}")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
