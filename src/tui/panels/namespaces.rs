//! The namespaces panel: per kind, whether the sandbox has its own, and the hostnames.

use ratatui::text::Line;

use crate::inspect::Snapshot;
use crate::inspect::namespaces::Sharing;
use crate::inspect::text;
use crate::tui::panels::look;

/// The panel's lines.
pub fn lines(snapshot: &Snapshot, wide: bool) -> Vec<Line<'static>> {
    let view = &snapshot.namespaces;
    let mut table = text::namespace_lines(snapshot);
    if !wide {
        // Kind, sharing and the sandbox's id fit in 30 columns; the other ids are for `inspect`.
        for line in table.iter_mut().take(1 + view.rows.len()) {
            *line = line.chars().take(29).collect();
        }
    }
    let mut table = table.into_iter();
    let mut lines = Vec::new();
    if let Some(header) = table.next() {
        lines.push(Line::styled(header, look::heading()));
    }
    for row in &view.rows {
        let Some(line) = table.next() else { break };
        let style = match row.sharing {
            Sharing::New => look::isolated(),
            Sharing::Shared | Sharing::StandIn => ratatui::style::Style::new(),
            Sharing::Unknown => look::dim(),
        };
        lines.push(Line::styled(line, style));
    }
    lines.push(Line::default());
    lines.extend(table.map(Line::from));
    lines.push(Line::default());
    lines.push(Line::styled(
        "ids are nsfs inode numbers (readlink /proc/PID/ns/KIND): equal means the same namespace",
        look::dim(),
    ));
    lines
}
