//! `nslab inspect`'s text output: each panel's facts as plain lines.

use std::fmt::Write;

use crate::inspect::Snapshot;
use crate::inspect::mounts::MountRow;
use crate::inspect::pids::PidRow;

/// The whole snapshot as text, one section per panel.
pub fn render(snapshot: &Snapshot) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "sandbox: {}", snapshot.spec);
    let _ = writeln!(
        out,
        "launcher: {}  first process: {}\n",
        show(snapshot.launcher),
        show(snapshot.first)
    );
    for (title, lines) in [
        ("PIDs", pid_lines(snapshot)),
        ("/proc", proc_lines(snapshot)),
        ("Mounts", mount_lines(snapshot)),
        ("Namespaces", namespace_lines(snapshot)),
        ("Code", code_lines(snapshot)),
        ("Setup", trace_lines(snapshot)),
    ] {
        let _ = writeln!(out, "== {title}");
        for line in lines {
            let _ = writeln!(out, "{line}");
        }
        out.push('\n');
    }
    out
}

fn show(value: Option<impl ToString>) -> String {
    value.map_or_else(|| "-".to_string(), |v| v.to_string())
}

/// `ps -eaf`-style lines for the host's view and the sandbox's view of the same processes.
pub fn pid_lines(snapshot: &Snapshot) -> Vec<String> {
    let view = &snapshot.pids;
    let mut lines = vec![view.note.clone(), String::new()];
    lines.push(format!(
        "{:<10} {:>7} {:>7}   {:<8} {:>5} {:>5}  {:<10} CMD",
        "HOST UID", "PID", "PPID", "IN UID", "PID", "PPID", "NSPID"
    ));
    lines.extend(view.rows.iter().map(pid_line));
    lines
}

fn pid_line(row: &PidRow) -> String {
    let host_user = row
        .host_user
        .clone()
        .unwrap_or_else(|| row.host_uid.to_string());
    let inside_user = match (row.role, &row.inside_user, row.inside_uid) {
        (crate::inspect::pids::Role::Launcher, _, _) => "(host)".to_string(),
        (_, Some(name), _) => name.clone(),
        (_, None, Some(uid)) => uid.to_string(),
        (_, None, None) => "nobody".to_string(),
    };
    let nspid = match row.nspid.as_slice() {
        [] => "?".to_string(),
        chain => chain
            .iter()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join(">"),
    };
    let inside_pid = match row.role {
        crate::inspect::pids::Role::Launcher => "-".to_string(),
        _ => show(row.inside_pid),
    };
    format!(
        "{:<10} {:>7} {:>7}   {:<8} {:>5} {:>5}  {:<10} {}",
        host_user,
        row.host_pid,
        row.host_ppid,
        inside_user,
        inside_pid,
        show(row.inside_ppid),
        nspid,
        row.command
    )
}

/// The /proc comparison.
pub fn proc_lines(snapshot: &Snapshot) -> Vec<String> {
    let view = &snapshot.proc;
    let describe = |listing: &crate::inspect::proc::ProcListing| match &listing.error {
        Some(err) => format!("unreadable: {err}"),
        None if listing.is_empty() => "empty".to_string(),
        None => format!(
            "{} process directories ({}{}), {} other entries",
            listing.pid_count,
            listing
                .pids
                .iter()
                .take(12)
                .map(i32::to_string)
                .collect::<Vec<_>>()
                .join(" "),
            if listing.pid_count > 12 { " ..." } else { "" },
            listing.other_count
        ),
    };
    vec![
        view.reason.clone(),
        format!("inside: {}", describe(&view.inside)),
        format!("host:   {}", describe(&view.host)),
    ]
}

/// The mount tables with their marks: `+` only inside, `!` leaked, `p` proc.
pub fn mount_lines(snapshot: &Snapshot) -> Vec<String> {
    let view = &snapshot.mounts;
    let mut lines = vec![
        view.note.clone(),
        "marks: + only inside, ! leaked to the host side, p proc".to_string(),
        String::new(),
        "inside:".to_string(),
    ];
    if let Some(err) = &view.inside_error {
        lines.push(format!("  unreadable: {err}"));
    }
    lines.extend(view.inside.iter().map(mount_line));
    let side = if view.host_is_stand_in {
        "host side (stand-in):"
    } else {
        "host side:"
    };
    lines.push(side.to_string());
    if let Some(err) = &view.host_error {
        lines.push(format!("  unreadable: {err}"));
    }
    lines.extend(view.host.iter().map(mount_line));
    lines
}

/// One mount with its marks.
pub fn mount_line(row: &MountRow) -> String {
    let marks = mount_marks(row);
    format!(
        "{marks} {:<32} {:<10} {:<16} {}",
        row.mount.mount_point, row.mount.fstype, row.propagation_label, row.mount.source
    )
}

/// `+` only inside, `!` leaked, `p` proc, each in its own column.
pub fn mount_marks(row: &MountRow) -> String {
    format!(
        "{}{}{}",
        if row.only_inside { '+' } else { ' ' },
        if row.leaked { '!' } else { ' ' },
        if row.proc { 'p' } else { ' ' }
    )
}

/// One line per namespace kind, then the hostnames.
pub fn namespace_lines(snapshot: &Snapshot) -> Vec<String> {
    let view = &snapshot.namespaces;
    let mut lines = vec![format!(
        "{:<7} {:<8} {:>12} {:>12} {:>12}",
        "KIND", "SHARING", "SANDBOX", "LAUNCHER", "HOST"
    )];
    for row in &view.rows {
        let sharing = row.sharing.label();
        lines.push(format!(
            "{:<7} {:<8} {:>12} {:>12} {:>12}",
            row.kind,
            sharing,
            show(row.sandbox),
            show(row.launcher),
            show(row.host)
        ));
    }
    lines.push(format!(
        "hostname inside: {} ({})",
        show(view.hostname_inside.as_ref()),
        view.hostname_source
    ));
    lines.push(format!(
        "hostname on the host: {}",
        show(view.hostname_host.as_ref())
    ));
    lines
}

/// The step as Go and as Rust, new lines marked with `+`.
pub fn code_lines(snapshot: &Snapshot) -> Vec<String> {
    let view = &snapshot.code;
    let marked = |line: &crate::inspect::code::CodeLine| {
        let mark = if line.changed { '+' } else { ' ' };
        format!("{mark} {}", line.text.replace('\t', "    "))
    };
    let mut lines = vec!["Go:".to_string()];
    lines.extend(view.go.iter().map(marked));
    lines.push("Rust (nix):".to_string());
    lines.extend(view.rust.iter().map(marked));
    lines
}

/// The setup calls, with the failure explained.
pub fn trace_lines(snapshot: &Snapshot) -> Vec<String> {
    let view = &snapshot.trace;
    let mut lines: Vec<String> = view.error.iter().cloned().collect();
    for row in &view.rows {
        let phase = format!("{:?}", row.phase).to_lowercase();
        let result = row.errno.as_deref().unwrap_or("ok");
        lines.push(format!(
            "{phase:<8} pid {:<6} {:<6} {}",
            row.pid, result, row.detail
        ));
        if let Some(why) = &row.explanation {
            lines.push(format!("         why: {why}"));
        }
    }
    lines
}
