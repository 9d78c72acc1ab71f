//! The mounts panel: the sandbox's mount table and the host side's, with propagation, and the
//! mounts that are only inside or that leaked to the host side highlighted.

use ratatui::text::Line;

use crate::inspect::Snapshot;
use crate::inspect::mounts::MountRow;
use crate::inspect::text;
use crate::tui::panels::look;

/// The panel's lines.
pub fn lines(snapshot: &Snapshot, wide: bool) -> Vec<Line<'static>> {
    let view = &snapshot.mounts;
    let mut lines = Vec::new();

    // A leak is the one thing a learner must not miss, so it comes before everything else.
    let leaks: Vec<&MountRow> = view.leaks().collect();
    if !leaks.is_empty() {
        lines.push(Line::styled(
            format!("! {} mount(s) leaked to the host side:", leaks.len()),
            look::alarm(),
        ));
        lines.extend(leaks.iter().map(|row| styled(row, wide)));
        lines.push(Line::default());
    }
    lines.extend([
        Line::styled(view.note.clone(), look::note()),
        Line::styled(
            "+ only inside   ! leaked to the host side   p proc",
            look::dim(),
        ),
        Line::default(),
        Line::styled("inside", look::heading()),
    ]);
    if let Some(err) = &view.inside_error {
        lines.push(Line::styled(format!("unreadable: {err}"), look::dim()));
    }
    // What the sandbox has on its own comes first: it is what the step is about.
    let (own, rest): (Vec<&MountRow>, Vec<&MountRow>) =
        view.inside.iter().partition(|r| r.only_inside);
    lines.extend(own.into_iter().chain(rest).map(|row| styled(row, wide)));

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
    lines.extend(view.host.iter().map(|row| styled(row, wide)));
    lines
}

fn styled(row: &MountRow, wide: bool) -> Line<'static> {
    let style = if row.leaked {
        look::alarm()
    } else if row.only_inside {
        look::isolated()
    } else {
        ratatui::style::Style::new()
    };
    let line = if wide {
        text::mount_line(row)
    } else {
        let marks = text::mount_marks(row);
        let mount = &row.mount;
        format!(
            "{marks} {} {} {}",
            mount.mount_point, mount.fstype, row.propagation_label
        )
    };
    Line::styled(line, style)
}
