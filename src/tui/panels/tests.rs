//! Rendering tests: each panel drawn from a fixed snapshot into a test terminal.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color;

use super::*;
use crate::inspect::code::{CodeView, mark};
use crate::inspect::mountinfo;
use crate::inspect::mounts::compare;
use crate::inspect::namespaces::{NamespaceRow, NamespaceView, Sharing};
use crate::inspect::pids::{PidRow, PidView, Role};
use crate::inspect::proc::{ProcKind, ProcListing, ProcView};
use crate::inspect::trace::{TraceRow, TraceView};
use crate::sandbox::trace::Phase;

fn pid_row(role: Role, host_pid: i32, nspid: &[i32], host_ppid: i32, command: &str) -> PidRow {
    PidRow {
        role,
        host_pid,
        nspid: nspid.to_vec(),
        inside_pid: nspid.last().copied(),
        host_ppid,
        inside_ppid: match role {
            Role::Launcher => None,
            Role::First => Some(0),
            Role::Descendant => Some(1),
        },
        host_uid: 1000,
        host_user: Some("ada".into()),
        inside_uid: Some(0),
        inside_user: Some("root".into()),
        command: command.into(),
    }
}

/// A sandbox that mounted proc with no mount namespace of its own, into a stand-in host.
fn sample() -> PanelData {
    let real = mountinfo::parse("22 1 8:1 / / rw shared:1 - ext4 /dev/sda1 rw\n");
    let stand_in = mountinfo::parse(
        "22 1 8:1 / / rw shared:1 - ext4 /dev/sda1 rw\n\
         95 22 0:61 / /home/ada/my\\040root/proc rw - proc proc rw\n",
    );
    let mounts = compare(&stand_in, &stand_in, &real, true, None);
    let ns = |kind: &str, sharing| NamespaceRow {
        kind: kind.into(),
        sandbox: Some(4026532000),
        launcher: Some(4026531000),
        host: Some(4026531000),
        sharing,
    };
    let snapshot = Snapshot {
        spec: "uts,pid hostname=box proc=fresh".into(),
        launcher: Some(4100),
        first: Some(4101),
        pids: PidView {
            rows: vec![
                pid_row(Role::Launcher, 4100, &[4100], 4000, "nslab __sandbox"),
                pid_row(Role::First, 4101, &[4101, 1], 4100, "/bin/sh"),
                pid_row(Role::Descendant, 4102, &[4102, 2], 4101, "sleep 30"),
            ],
            own_pid_namespace: true,
            nspid_missing: false,
            note: "a PID namespace: the first process is PID 1 inside".into(),
        },
        proc: ProcView {
            inside: ProcListing::default(),
            host: ProcListing {
                pid_count: 3,
                pids: vec![1, 2, 3],
                other_count: 2,
                others: vec!["mounts".into(), "self".into()],
                error: None,
            },
            kind: ProcKind::Empty,
            reason: "/proc inside is an empty directory".into(),
        },
        mounts,
        namespaces: NamespaceView {
            rows: vec![ns("pid", Sharing::New), ns("mnt", Sharing::Shared)],
            hostname_inside: Some("box".into()),
            hostname_source: "read inside its UTS namespace".into(),
            hostname_host: Some("laptop".into()),
        },
        code: CodeView {
            calls: Vec::new(),
            go: mark(vec!["a()".into(), "b()".into()], &["a()".to_string()]),
            rust: mark(vec!["a()?;".into()], &["a()?;".to_string()]),
        },
        trace: TraceView {
            rows: vec![TraceRow {
                phase: Phase::Launcher,
                pid: 4100,
                call: "unshare".into(),
                detail: "unshare(CLONE_NEWUSER)".into(),
                errno: Some("EPERM".into()),
                explanation: Some("this user may not create user namespaces".into()),
            }],
            error: None,
        },
    };
    PanelData {
        summary: snapshot.spec.clone(),
        snapshot,
    }
}

fn draw(kind: PanelKind) -> Buffer {
    draw_at(kind, 100)
}

fn draw_at(kind: PanelKind, width: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, 16)).unwrap();
    let data = sample();
    terminal
        .draw(|frame| render(frame, frame.area(), kind, &data, 0))
        .unwrap();
    terminal.backend().buffer().clone()
}

fn text(buffer: &Buffer) -> String {
    let width = buffer.area.width as usize;
    let symbols: Vec<&str> = buffer.content.iter().map(|cell| cell.symbol()).collect();
    symbols
        .chunks(width)
        .map(|row| row.concat().trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The colour of the first cell of the line that contains `needle`.
fn colour_of(buffer: &Buffer, needle: &str) -> Option<Color> {
    let width = buffer.area.width as usize;
    let rows: Vec<String> = buffer
        .content
        .chunks(width)
        .map(|row| row.iter().map(|cell| cell.symbol()).collect())
        .collect();
    let y = rows.iter().position(|row| row.contains(needle))?;
    let x = rows[y][..rows[y].find(needle)?].chars().count();
    Some(buffer.content[y * width + x].fg)
}

#[test]
fn every_panel_renders_its_snapshot() {
    for kind in PanelKind::ALL {
        insta::assert_snapshot!(format!("{kind:?}").to_lowercase(), text(&draw(kind)));
    }
}

#[test]
fn narrow_panels_drop_columns_instead_of_wrapping_tables() {
    for kind in [PanelKind::Pids, PanelKind::Mounts, PanelKind::Namespaces] {
        let name = format!("{kind:?}_narrow").to_lowercase();
        insta::assert_snapshot!(name, text(&draw_at(kind, 44)));
    }
    let screen = text(&draw_at(PanelKind::Pids, 44));
    assert!(
        screen.contains("4101     1  ada/root    /bin/sh"),
        "{screen}"
    );
}

#[test]
fn a_leaked_mount_is_drawn_as_an_alarm() {
    let buffer = draw(PanelKind::Mounts);
    assert_eq!(
        colour_of(&buffer, "!p /home/ada/my root/proc"),
        Some(Color::Red)
    );
    assert_eq!(colour_of(&buffer, "/dev/sda1"), Some(Color::Reset));
}

#[test]
fn a_changed_code_line_is_marked_and_an_unchanged_one_is_not() {
    let screen = text(&draw(PanelKind::Code));
    assert!(screen.contains("+ b()"), "{screen}");
    assert!(screen.contains("  a()"), "{screen}");
}

#[test]
fn a_failed_call_shows_why() {
    let screen = text(&draw(PanelKind::Trace));
    assert!(screen.contains("EPERM"), "{screen}");
    assert!(screen.contains("why: this user may not"), "{screen}");
}
