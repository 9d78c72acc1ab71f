//! The PIDs panel: the sandbox's processes as the host numbers them and as they number
//! themselves, in the columns `ps -eaf` would show on each side.

use ratatui::text::Line;

use crate::inspect::Snapshot;
use crate::inspect::pids::Role;
use crate::inspect::text;
use crate::tui::panels::look;

/// The panel's lines.
pub fn lines(snapshot: &Snapshot) -> Vec<Line<'static>> {
    let view = &snapshot.pids;
    if view.rows.is_empty() {
        return vec![Line::styled("the sandbox is not running", look::dim())];
    }

    let mut lines = Vec::new();
    let note_style = if view.own_pid_namespace {
        look::isolated()
    } else {
        look::alarm()
    };
    lines.push(Line::styled(view.note.clone(), note_style));
    lines.push(Line::default());

    let mut table = text::pid_lines(snapshot).into_iter().skip(2);
    if let Some(header) = table.next() {
        lines.push(Line::styled(header, look::heading()));
    }
    for (row, line) in view.rows.iter().zip(table) {
        let style = match row.role {
            Role::Launcher => look::dim(),
            Role::First => look::isolated(),
            Role::Descendant => ratatui::style::Style::new(),
        };
        lines.push(Line::styled(line, style));
    }

    lines.push(Line::default());
    lines.push(Line::styled(
        "HOST columns: `ps -eaf` on the host; IN columns: `ps -eaf` inside (with a fresh /proc)",
        look::dim(),
    ));
    lines
}
