//! The setup panel: the calls the launcher and the first process made, and their results; a
//! failure is explained in plain words.

use ratatui::text::{Line, Span};

use crate::inspect::Snapshot;
use crate::tui::panels::look;

/// The panel's lines.
pub fn lines(snapshot: &Snapshot) -> Vec<Line<'static>> {
    let view = &snapshot.trace;
    let mut lines = Vec::new();
    if let Some(err) = &view.error {
        lines.push(Line::styled(err.clone(), look::dim()));
    }
    for row in &view.rows {
        let who = match row.phase {
            crate::sandbox::trace::Phase::Launcher => "launcher",
            crate::sandbox::trace::Phase::Child => "inside  ",
        };
        let result = match &row.errno {
            Some(errno) => Span::styled(format!("{errno:<6}"), look::alarm()),
            None => Span::styled("ok    ", look::isolated()),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{who} "), look::dim()),
            result,
            Span::raw(format!(" {}", row.detail)),
        ]));
        if let Some(why) = &row.explanation {
            lines.push(Line::styled(format!("         why: {why}"), look::alarm()));
        }
    }
    lines
}
