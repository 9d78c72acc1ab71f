//! The PIDs panel: the sandbox's processes as the host numbers them and as they number
//! themselves, in the columns `ps -eaf` would show on each side.

use ratatui::text::Line;

use crate::inspect::Snapshot;
use crate::inspect::pids::{PidRow, Role};
use crate::inspect::text;
use crate::tui::panels::look;

/// The panel's lines.
pub fn lines(snapshot: &Snapshot, wide: bool) -> Vec<Line<'static>> {
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

    let mut table: Box<dyn Iterator<Item = String>> = if wide {
        Box::new(text::pid_lines(snapshot).into_iter().skip(2))
    } else {
        let header = format!("{:>7} {:>5}  {:<11} CMD", "HOST", "IN", "USER");
        Box::new(std::iter::once(header).chain(view.rows.iter().map(compact)))
    };
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
        "HOST: the PID `ps -eaf` shows on the host; IN: inside (with a fresh /proc); USER: on \
         the host/inside",
        look::dim(),
    ));
    lines
}

/// One process in about 30 columns: host PID, PID inside, user outside/inside, command.
fn compact(row: &PidRow) -> String {
    let inside = match row.role {
        Role::Launcher => "-".to_string(),
        _ => row
            .inside_pid
            .map_or("?".to_string(), |pid| pid.to_string()),
    };
    let host_user = row
        .host_user
        .clone()
        .unwrap_or_else(|| row.host_uid.to_string());
    let inside_user = match (row.role, &row.inside_user, row.inside_uid) {
        (Role::Launcher, _, _) => "-".to_string(),
        (_, Some(name), _) => name.clone(),
        (_, None, Some(uid)) => uid.to_string(),
        (_, None, None) => "nobody".to_string(),
    };
    format!(
        "{:>7} {:>5}  {:<11} {}",
        row.host_pid,
        inside,
        format!("{host_user}/{inside_user}"),
        row.command
    )
}
