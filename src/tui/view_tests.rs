//! Snapshots of whole screens, drawn with ratatui's `TestBackend` at the sizes that matter:
//! 80x24 (tabs) and 160x48 (columns). No process runs: the shells' screens are fed fixed
//! output. Numbers that differ from run to run (PIDs, namespace inodes) are filtered.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

use crate::lesson::{Lesson, Side, Step, Suggestion};
use crate::spec::{IsolationSpec, Namespace, RootSpec};
use crate::tui::app::{App, Focus, Overlay};
use crate::tui::event::ExitReport;
use crate::tui::progress::Progress;
use crate::tui::view;

fn step(id: &str, title: &str, namespaces: &[Namespace], body: &str) -> Step {
    Step {
        id: id.to_string(),
        title: title.to_string(),
        body: body.to_string(),
        isolation: IsolationSpec {
            namespaces: namespaces.iter().copied().collect(),
            hostname: Some("inside".to_string()),
            root: RootSpec::Rootfs,
            ..IsolationSpec::default()
        },
        suggestions: vec![
            Suggestion {
                side: Side::Sandbox,
                command: "ps -eaf".to_string(),
            },
            Suggestion {
                side: Side::Host,
                command: "ps -eaf | grep sh".to_string(),
            },
        ],
        hints: vec!["/proc is still the host's.".to_string()],
        checks: Vec::new(),
    }
}

fn lesson() -> Lesson {
    let body = "# Processes get numbers of their own\n\nWith a *PID namespace* the shell is \
                **PID 1**. Run `ps -eaf`:\n\n- nothing is listed yet\n- `/proc` is empty\n\n\
                ```\nunshare --pid --fork sh\n```\n";
    Lesson {
        id: "containers-from-scratch".to_string(),
        title: "Containers from scratch".to_string(),
        summary: "Build a container one namespace at a time.".to_string(),
        steps: vec![
            step("uts", "A hostname", &[Namespace::Uts], "Hostnames."),
            step(
                "pid-namespace",
                "A PID namespace",
                &[Namespace::Uts, Namespace::Pid],
                body,
            ),
            step(
                "mount-proc",
                "Mount proc",
                &[Namespace::Pid, Namespace::Mount],
                "Proc.",
            ),
        ],
    }
}

pub(crate) fn app() -> App {
    let mut progress = Progress::default();
    progress.complete("containers-from-scratch", "uts");
    let mut app = App::new(lesson(), 1, progress, None);
    app.hints_shown = 1;
    app
}

pub(crate) fn draw(app: &mut App, width: u16, height: u16) -> Terminal<TestBackend> {
    app.fit(Rect::new(0, 0, width, height));
    app.sandbox.output(
        b"[pid-namespace] root@inside:/# ps -eaf\r\nPID   USER     COMMAND\r\n\
          [pid-namespace] root@inside:/# echo $$\r\n1\r\n[pid-namespace] root@inside:/# ",
    );
    app.host
        .output(b"root@host:~# readlink /proc/23817/ns/pid\r\npid:[4026532281]\r\n");
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal.draw(|frame| view::draw(frame, app)).expect("draw");
    terminal
}

pub(crate) fn screen(app: &mut App, width: u16, height: u16) -> String {
    draw(app, width, height).backend().to_string()
}

fn check(name: &str, text: String) {
    insta::with_settings!({filters => vec![
        (r"\[\d{6,}\]", "[INODE]"),
        (r"/proc/\d+/", "/proc/PID/"),
    ]}, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn tabs_80x24_with_the_sandbox_shell_focused() {
    check("tabs_80x24_sandbox", screen(&mut app(), 80, 24));
}

#[test]
fn tabs_80x24_on_the_lesson_side() {
    let mut app = app();
    app.focus = Focus::Lesson;
    check("tabs_80x24_lesson", screen(&mut app, 80, 24));
}

#[test]
fn tabs_80x24_after_the_shell_exited() {
    let mut app = app();
    app.sandbox.exited(ExitReport {
        code: 130,
        signal: None,
    });
    check("tabs_80x24_exited", screen(&mut app, 80, 24));
}

#[test]
fn columns_160x48_on_the_lesson_side() {
    let mut app = app();
    app.focus = Focus::Lesson;
    check("columns_160x48_lesson", screen(&mut app, 160, 48));
}

#[test]
fn columns_160x48_with_the_help_open() {
    let mut app = app();
    app.focus = Focus::Lesson;
    app.overlay = Overlay::Help;
    check("columns_160x48_help", screen(&mut app, 160, 48));
}

#[test]
fn the_shell_screen_is_sized_to_its_pane() {
    let mut app = app();
    let _ = screen(&mut app, 160, 48);
    let (rows, cols) = app.sandbox.parser.screen().size();
    assert_eq!((rows, cols), (26, 86));
    let _ = screen(&mut app, 80, 24);
    assert_eq!(app.sandbox.parser.screen().size(), (20, 78));
}

#[test]
fn tiny_and_odd_sizes_never_panic() {
    for (width, height) in [
        (0, 0),
        (1, 1),
        (2, 1),
        (5, 3),
        (20, 4),
        (119, 23),
        (120, 24),
    ] {
        for focus in [Focus::Sandbox, Focus::Host, Focus::Lesson] {
            let mut app = app();
            app.focus = focus;
            app.overlay = Overlay::Help;
            let _ = draw(&mut app, width, height);
        }
    }
}
