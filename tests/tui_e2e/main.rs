//! End-to-end: the real `nslab` binary in a pseudo-terminal, its screen rendered with vt100,
//! driven by keys and checked by what the screen shows. Every wait has a deadline; none is a
//! fixed sleep.
//!
//! These tests need root (namespaces) and the shipped `containers-from-scratch` course.

mod harness;
mod processes;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use harness::{COLS, Dirs, Nslab};
use processes::{descendants, wait_for_process, wait_until_gone};

const CTRL_G: &str = "\x07";
const RIGHT: &str = "\x1b[C";
const LEFT: &str = "\x1b[D";

/// The text of the row the cursor is on.
fn cursor_row(screen: &vt100::Screen) -> String {
    let (row, _) = screen.cursor_position();
    screen
        .rows(0, COLS)
        .nth(usize::from(row))
        .unwrap_or_default()
}

fn prompt_of(step: &str) -> impl Fn(&vt100::Screen) -> bool {
    let label = format!("[{step}]");
    move |screen| cursor_row(screen).contains(&label)
}

/// The rows printed by the last command, between the line with `command` and the prompt,
/// without the pane's borders.
fn output_of(screen: &vt100::Screen, command: &str) -> Option<Vec<String>> {
    let rows: Vec<String> = screen.rows(0, COLS).collect();
    let (cursor, _) = screen.cursor_position();
    let start = rows.iter().rposition(|row| row.contains(command))?;
    let end = usize::from(cursor);
    let inside = |row: &String| row.trim_matches(|c| c == '│' || c == ' ').to_string();
    (end > start).then(|| rows[start + 1..end].iter().map(inside).collect())
}

#[test]
fn a_learner_walks_from_the_pid_namespace_to_mount_proc_and_back() {
    let mut nslab = Nslab::start(&[
        "learn",
        "containers-from-scratch",
        "--step",
        "pid-namespace",
    ]);
    let mut seen = BTreeMap::new();

    // Without a fresh proc the PID namespace's /proc is empty: ps prints its header only.
    nslab.wait_for(
        "the pid-namespace prompt",
        Duration::from_secs(30),
        prompt_of("pid-namespace"),
    );
    nslab.send("ps -eaf\r");
    nslab.wait_for(
        "ps output in pid-namespace",
        Duration::from_secs(10),
        |screen| prompt_of("pid-namespace")(screen) && output_of(screen, "ps -eaf").is_some(),
    );
    let output = nslab
        .with_screen(|screen| output_of(screen, "ps -eaf"))
        .unwrap_or_default();
    assert!(
        output.first().is_some_and(|header| header.contains("PID")),
        "{output:?}"
    );
    assert!(
        output.iter().skip(1).all(|row| row.trim().is_empty()),
        "rows: {output:?}"
    );
    seen.extend(descendants(nslab.pid()));

    // The shell's terminal is exactly its pane: 80x24 leaves 20 rows of 78 columns inside
    // the borders, under the tab row and above the status bar.
    nslab.send("stty size\r");
    nslab.wait_for(
        "stty size equal to the pane",
        Duration::from_secs(10),
        |screen| output_of(screen, "stty size").is_some_and(|rows| rows == ["20 78"]),
    );

    // Ctrl-C interrupts the shell's foreground job, not nslab. It is sent once sleep runs:
    // earlier, the shell's line editor would still be reading the terminal and take it.
    nslab.send("sleep 100\r");
    wait_for_process(nslab.pid(), "sleep", Duration::from_secs(10));
    nslab.send("\x03");
    nslab.wait_for(
        "the prompt after Ctrl-C",
        Duration::from_secs(10),
        |screen| prompt_of("pid-namespace")(screen) && output_of(screen, "sleep 100").is_some(),
    );

    // The next step mounts a fresh proc: now the shell sees itself as PID 1.
    nslab.send(CTRL_G);
    nslab.send(RIGHT);
    nslab.wait_for(
        "the mount-proc prompt",
        Duration::from_secs(15),
        prompt_of("mount-proc"),
    );
    nslab.send("ps -eaf\r");
    let pid_one = |screen: &vt100::Screen| {
        output_of(screen, "ps -eaf").is_some_and(|rows| {
            rows.iter()
                .skip(1)
                .any(|row| row.split_whitespace().take(2).any(|f| f == "1"))
        })
    };
    nslab.wait_for("PID 1 in mount-proc", Duration::from_secs(10), |screen| {
        prompt_of("mount-proc")(screen) && pid_one(screen)
    });
    seen.extend(descendants(nslab.pid()));

    // Back again: a new sandbox of the earlier step.
    nslab.send(CTRL_G);
    nslab.send(LEFT);
    nslab.wait_for(
        "the pid-namespace prompt again",
        Duration::from_secs(15),
        |screen| prompt_of("pid-namespace")(screen) && !screen.contents().contains("mount-proc]"),
    );
    seen.extend(descendants(nslab.pid()));
    assert!(
        seen.len() >= 3,
        "expected a launcher, a sandbox and a host shell: {seen:?}"
    );

    // Quit from the lesson side.
    nslab.send(CTRL_G);
    nslab.send("q");
    let status = nslab.wait_exit();
    assert!(status.success(), "nslab exited with {status:?}");
    nslab.wait_for(
        "the terminal given back",
        Duration::from_secs(5),
        terminal_restored,
    );
    wait_until_gone(&seen, Duration::from_secs(5));
}

/// Quits from the lesson side and checks that nslab ended well.
fn quit(mut nslab: Nslab) -> Arc<Dirs> {
    nslab.send(CTRL_G);
    nslab.send("q");
    let status = nslab.wait_exit();
    assert!(status.success(), "nslab exited with {status:?}");
    Arc::clone(&nslab.dirs)
}

fn terminal_restored(screen: &vt100::Screen) -> bool {
    !screen.alternate_screen() && !screen.hide_cursor() && !screen.bracketed_paste()
}

/// Opens the first step with a sandbox and returns nslab with every process it started.
fn started_with_a_sandbox() -> (Nslab, BTreeMap<i32, u64>) {
    let nslab = Nslab::start(&[
        "learn",
        "containers-from-scratch",
        "--step",
        "pid-namespace",
    ]);
    nslab.wait_for(
        "the pid-namespace prompt",
        Duration::from_secs(30),
        prompt_of("pid-namespace"),
    );
    let seen = descendants(nslab.pid());
    assert!(
        seen.len() >= 2,
        "expected a launcher and its sandbox: {seen:?}"
    );
    (nslab, seen)
}

/// nslab exited 0 after SIGTERM; like a process the signal killed, it now exits 128 + N.
#[test]
fn sigterm_and_sighup_restore_the_terminal_end_every_sandbox_and_exit_128_plus_n() {
    for signal in [Signal::SIGTERM, Signal::SIGHUP] {
        let (mut nslab, seen) = started_with_a_sandbox();
        kill(Pid::from_raw(nslab.pid()), signal).expect("signal nslab");
        let status = nslab.wait_exit();
        assert_eq!(
            status.exit_code(),
            128 + signal as u32,
            "after {signal}: {status:?}"
        );
        nslab.wait_for(
            "the terminal given back",
            Duration::from_secs(5),
            terminal_restored,
        );
        wait_until_gone(&seen, Duration::from_secs(5));
    }
}

/// The step directories (`step-PID-XXXXXX`) under nslab's per-user temporary directory.
fn step_dirs(dirs: &Dirs) -> Vec<String> {
    let parent = dirs
        .temp()
        .join(format!("nslab-{}", nix::unistd::geteuid()));
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| name.starts_with("step-"))
        .collect()
}

/// A SIGKILLed nslab left its step's directory and trace in /tmp for good: now the next
/// start removes it.
#[test]
fn no_sandbox_or_step_directory_outlives_a_sigkilled_nslab() {
    let (mut nslab, seen) = started_with_a_sandbox();
    let killed = format!("step-{}-", nslab.pid());
    kill(Pid::from_raw(nslab.pid()), Signal::SIGKILL).expect("SIGKILL");
    nslab.wait_exit();
    wait_until_gone(&seen, Duration::from_secs(5));
    let left = step_dirs(&nslab.dirs);
    assert!(
        left.iter().any(|name| name.starts_with(&killed)),
        "{left:?}"
    );

    let dirs = Arc::clone(&nslab.dirs);
    let again = Nslab::start_in(Arc::clone(&dirs), &[]);
    again.wait_for(
        "the prompt after a restart",
        Duration::from_secs(30),
        prompt_of("pid-namespace"),
    );
    let left = step_dirs(&dirs);
    assert!(
        !left.iter().any(|name| name.starts_with(&killed)),
        "{left:?}"
    );
    quit(again);
    assert_eq!(
        step_dirs(&dirs),
        Vec::<String>::new(),
        "quitting removes ours"
    );
}

#[test]
fn nslab_resumes_where_the_learner_left_off_and_fresh_starts_over() {
    let nslab = Nslab::start(&["learn", "containers-from-scratch", "--step", "mount-proc"]);
    nslab.wait_for(
        "the mount-proc prompt",
        Duration::from_secs(30),
        prompt_of("mount-proc"),
    );
    let dirs = quit(nslab);

    let nslab = Nslab::start_in(dirs, &[]);
    nslab.wait_for(
        "mount-proc, resumed",
        Duration::from_secs(15),
        prompt_of("mount-proc"),
    );
    let dirs = quit(nslab);

    // The course's first step, as the lesson file orders them.
    let nslab = Nslab::start_in(dirs, &["--fresh"]);
    nslab.wait_for(
        "the first step",
        Duration::from_secs(15),
        prompt_of("process"),
    );
    quit(nslab);
}

/// `nslab </dev/null` said "cannot set up the terminal: No such device or address".
#[test]
fn without_a_terminal_nslab_says_what_to_use_instead() {
    let dirs = tempfile::tempdir().expect("state dir");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_nslab"))
        .env("XDG_STATE_HOME", dirs.path())
        .env("XDG_CACHE_HOME", dirs.path())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run nslab");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("need an interactive terminal") && stderr.contains("nslab run"),
        "{stderr}"
    );
}

/// With `abc` half-typed, Ctrl-g then `1` ran `abcecho $$`; with a program in the
/// foreground, the keys went into it.
#[test]
fn number_keys_replace_half_typed_text_and_never_type_into_a_running_program() {
    let (mut nslab, _) = started_with_a_sandbox();
    nslab.send("abc");
    nslab.send(CTRL_G);
    nslab.send("1");
    nslab.send(CTRL_G);
    nslab.wait_for("echo $$ run alone", Duration::from_secs(10), |screen| {
        prompt_of("pid-namespace")(screen)
            && output_of(screen, "echo $$").is_some_and(|rows| rows == ["1"])
    });
    assert!(!nslab.with_screen(|screen| screen.contents().contains("abcecho")));

    nslab.send("sleep 100\r");
    wait_for_process(nslab.pid(), "sleep", Duration::from_secs(10));
    nslab.send(CTRL_G);
    nslab.send("2");
    nslab.wait_for("the busy message", Duration::from_secs(5), |screen| {
        screen
            .contents()
            .contains("the sandbox shell is busy (sleep is running)")
    });

    // The keyboard stayed on the lesson side: Ctrl-g goes back to the shell.
    nslab.send(CTRL_G);
    nslab.send("\x03");
    nslab.wait_for(
        "the prompt after sleep",
        Duration::from_secs(10),
        |screen| prompt_of("pid-namespace")(screen) && !screen.contents().contains("ps -eaf"),
    );
    quit(nslab);
}

/// Shrinking the terminal kept the pane's top rows and cut off the newest output and the
/// prompt; they must stay, with the top rows moved into the history.
#[test]
fn shrinking_the_terminal_keeps_the_newest_output_and_the_prompt() {
    let (mut nslab, _) = started_with_a_sandbox();
    nslab.send("clear; seq 1 15; echo MARKER-LAST\r");
    nslab.wait_for("the marker", Duration::from_secs(10), |screen| {
        prompt_of("pid-namespace")(screen) && screen.contents().contains("MARKER-LAST")
    });
    nslab.resize(14, harness::COLS);
    nslab.wait_for(
        "the marker after shrinking",
        Duration::from_secs(10),
        |screen| {
            screen.size() == (14, harness::COLS)
                && screen.contents().contains("MARKER-LAST")
                && prompt_of("pid-namespace")(screen)
        },
    );
    quit(nslab);
}
