//! The code panel: the step as Go in the classic tutorial's style and as Rust with nix, with the
//! lines that are new since the previous step marked.

use ratatui::text::Line;

use crate::inspect::Snapshot;
use crate::inspect::code::CodeLine;
use crate::tui::panels::look;

/// The panel's lines.
pub fn lines(snapshot: &Snapshot) -> Vec<Line<'static>> {
    let view = &snapshot.code;
    let mut lines = vec![Line::styled("Go", look::heading())];
    lines.extend(view.go.iter().map(styled));
    lines.push(Line::default());
    lines.push(Line::styled("Rust (nix)", look::heading()));
    lines.extend(view.rust.iter().map(styled));
    lines
}

fn styled(line: &CodeLine) -> Line<'static> {
    // Tabs are drawn as four spaces: a terminal cell grid has no tab stops.
    let text = line.text.replace('\t', "    ");
    if line.changed {
        Line::styled(format!("+ {text}"), look::changed())
    } else {
        Line::from(format!("  {text}"))
    }
}
