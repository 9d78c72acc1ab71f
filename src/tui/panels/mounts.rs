//! The mounts panel: the sandbox's mount table and the host side's, with propagation, and the
//! mounts that are only inside or that leaked to the host side highlighted.

use ratatui::text::Line;

use crate::inspect::Snapshot;
use crate::inspect::mounts::MountRow;
use crate::inspect::text;
use crate::tui::panels::look;

/// The panel's lines.
pub fn lines(snapshot: &Snapshot) -> Vec<Line<'static>> {
    let view = &snapshot.mounts;
    let leaking = view.leaks().count() > 0;
    let mut lines = vec![
        Line::styled(
            view.note.clone(),
            if leaking { look::alarm() } else { look::note() },
        ),
        Line::styled(
            "+ only inside   ! leaked to the host side   p proc",
            look::dim(),
        ),
        Line::default(),
        Line::styled("inside", look::heading()),
    ];
    if let Some(err) = &view.inside_error {
        lines.push(Line::styled(format!("unreadable: {err}"), look::dim()));
    }
    lines.extend(view.inside.iter().map(styled));

    lines.push(Line::default());
    let side = if view.host_is_stand_in {
        "host side (a stand-in namespace)"
    } else {
        "host side"
    };
    lines.push(Line::styled(side, look::heading()));
    if let Some(err) = &view.host_error {
        lines.push(Line::styled(format!("unreadable: {err}"), look::dim()));
    }
    // Leaks first: they are the point of the lesson that shows them.
    let (leaks, rest): (Vec<&MountRow>, Vec<&MountRow>) = view.host.iter().partition(|r| r.leaked);
    lines.extend(leaks.into_iter().chain(rest).map(styled));
    lines
}

fn styled(row: &MountRow) -> Line<'static> {
    let style = if row.leaked {
        look::alarm()
    } else if row.only_inside {
        look::isolated()
    } else {
        ratatui::style::Style::new()
    };
    Line::styled(text::mount_line(row), style)
}
