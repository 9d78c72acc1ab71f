//! The /proc panel: the sandbox's `/proc` beside the host's, and what that means for `ps`.

use ratatui::text::Line;

use crate::inspect::Snapshot;
use crate::inspect::proc::ProcKind;
use crate::inspect::text;
use crate::tui::panels::look;

/// The panel's lines.
pub fn lines(snapshot: &Snapshot) -> Vec<Line<'static>> {
    let view = &snapshot.proc;
    let reason_style = match view.kind {
        ProcKind::Sandbox => look::isolated(),
        ProcKind::Host => look::alarm(),
        ProcKind::Empty | ProcKind::Unknown => look::note(),
    };
    let mut facts = text::proc_lines(snapshot).into_iter();
    let mut lines = Vec::new();
    if let Some(reason) = facts.next() {
        lines.push(Line::styled(reason, reason_style));
        lines.push(Line::default());
    }
    lines.extend(facts.map(Line::from));

    if !view.inside.others.is_empty() {
        lines.push(Line::default());
        lines.push(Line::styled("inside, besides PIDs:", look::heading()));
        lines.push(Line::from(view.inside.others.join(" ")));
    }
    lines
}
