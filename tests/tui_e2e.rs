//! End-to-end: the real `nslab` binary in a pseudo-terminal, its screen rendered with vt100,
//! driven by keys and checked by what the screen shows. Every wait has a deadline; none is a
//! fixed sleep.
//!
//! These tests need root (namespaces) and the shipped `containers-from-scratch` course.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};

const ROWS: u16 = 24;
const COLS: u16 = 80;
const CTRL_G: &str = "\x07";
const RIGHT: &str = "\x1b[C";
const LEFT: &str = "\x1b[D";

/// The screen of a program running in a PTY, updated by a reader thread.
struct Screen {
    parser: Mutex<(vt100::Parser, bool)>,
    changed: Condvar,
}

/// nslab running in a PTY of its own.
struct Nslab {
    screen: Arc<Screen>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    dirs: Arc<Dirs>,
}

/// nslab's state, cache and temporary directories, private to a test and removed with it
/// (the temporary ones even after SIGKILL). Shared by the runs of a test that resumes.
struct Dirs {
    state: tempfile::TempDir,
    cache: tempfile::TempDir,
    temp: tempfile::TempDir,
}

impl Dirs {
    fn new() -> Arc<Dirs> {
        Arc::new(Dirs {
            state: tempfile::tempdir().expect("state dir"),
            cache: tempfile::tempdir().expect("cache dir"),
            temp: tempfile::tempdir().expect("temp dir"),
        })
    }
}

impl Nslab {
    fn start(args: &[&str]) -> Nslab {
        Nslab::start_in(Dirs::new(), args)
    }

    fn start_in(dirs: Arc<Dirs>, args: &[&str]) -> Nslab {
        let size = PtySize {
            rows: ROWS,
            cols: COLS,
            pixel_width: 0,
            pixel_height: 0,
        };
        let pair = native_pty_system().openpty(size).expect("openpty");
        let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_nslab"));
        command.args(args);
        command.env("TERM", "xterm-256color");
        command.env("XDG_STATE_HOME", dirs.state.path());
        command.env("XDG_CACHE_HOME", dirs.cache.path());
        command.env("TMPDIR", dirs.temp.path());
        // The host shell is $SHELL. A login bash would run the user's startup files, and
        // killing nslab mid-way (as two tests do) could leave their lock files behind.
        command.env("SHELL", "/bin/sh");
        let child = pair.slave.spawn_command(command).expect("start nslab");
        drop(pair.slave);

        let screen = Arc::new(Screen {
            parser: Mutex::new((vt100::Parser::new(ROWS, COLS, 0), false)),
            changed: Condvar::new(),
        });
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let feed = Arc::clone(&screen);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 8192];
            loop {
                let n = reader.read(&mut buffer).unwrap_or(0);
                let mut guard = feed.parser.lock().expect("screen lock");
                if n == 0 {
                    guard.1 = true;
                } else {
                    guard.0.process(&buffer[..n]);
                }
                feed.changed.notify_all();
                if n == 0 {
                    break;
                }
            }
        });
        let writer = pair.master.take_writer().expect("writer");
        // The master must outlive the child, or it would get SIGHUP; leak it into the reader.
        std::mem::forget(pair.master);
        Nslab {
            screen,
            writer,
            child,
            dirs,
        }
    }

    fn pid(&self) -> i32 {
        self.child.process_id().expect("nslab's pid") as i32
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write keys");
        self.writer.flush().expect("flush keys");
    }

    /// Waits until `check` holds for the screen, or fails with what the screen shows.
    fn wait_for(&self, what: &str, within: Duration, check: impl Fn(&vt100::Screen) -> bool) {
        let deadline = Instant::now() + within;
        let mut guard = self.screen.parser.lock().expect("screen lock");
        loop {
            if check(guard.0.screen()) {
                return;
            }
            let now = Instant::now();
            if now >= deadline || guard.1 {
                let why = if guard.1 {
                    "nslab closed its terminal"
                } else {
                    "timed out"
                };
                panic!(
                    "waiting for {what}: {why}; the screen:\n{}",
                    guard.0.screen().contents()
                );
            }
            guard = self
                .screen
                .changed
                .wait_timeout(guard, deadline - now)
                .expect("lock")
                .0;
        }
    }

    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "nslab did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn with_screen<T>(&self, f: impl FnOnce(&vt100::Screen) -> T) -> T {
        f(self.screen.parser.lock().expect("screen lock").0.screen())
    }
}

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

/// The rows printed by the last command: between the line with `command` and the prompt.
fn output_of(screen: &vt100::Screen, command: &str) -> Option<Vec<String>> {
    let rows: Vec<String> = screen.rows(0, COLS).collect();
    let (cursor, _) = screen.cursor_position();
    let start = rows.iter().rposition(|row| row.contains(command))?;
    let end = usize::from(cursor);
    (end > start).then(|| {
        rows[start + 1..end]
            .iter()
            .map(|r| r.trim_end().to_string())
            .collect()
    })
}

/// Every process below `root`, with its start time (to tell a reused PID apart).
fn descendants(root: i32) -> BTreeMap<i32, u64> {
    let mut parents = BTreeMap::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        if let Some((ppid, start)) = stat(pid) {
            parents.insert(pid, (ppid, start));
        }
    }
    let mut found = BTreeMap::new();
    let mut frontier = vec![root];
    while let Some(parent) = frontier.pop() {
        for (pid, (ppid, start)) in &parents {
            if *ppid == parent && found.insert(*pid, *start).is_none() {
                frontier.push(*pid);
            }
        }
    }
    found
}

/// The parent and start time of `pid`, from /proc/PID/stat (fields 4 and 22, after the
/// command name, which may contain spaces and parentheses).
fn stat(pid: i32) -> Option<(i32, u64)> {
    let text =
        std::fs::read_to_string(Path::new("/proc").join(pid.to_string()).join("stat")).ok()?;
    let fields: Vec<&str> = text[text.rfind(')')? + 2..].split(' ').collect();
    Some((fields.get(1)?.parse().ok()?, fields.get(19)?.parse().ok()?))
}

fn wait_until_gone(processes: &BTreeMap<i32, u64>, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let alive: Vec<i32> = processes
            .iter()
            .filter(|(pid, start)| stat(**pid).is_some_and(|(_, s)| s == **start))
            .map(|(pid, _)| *pid)
            .collect();
        if alive.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "processes outlived nslab: {alive:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
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
    nslab.dirs
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

#[test]
fn sigterm_and_sighup_restore_the_terminal_and_end_every_sandbox() {
    for signal in [Signal::SIGTERM, Signal::SIGHUP] {
        let (mut nslab, seen) = started_with_a_sandbox();
        kill(Pid::from_raw(nslab.pid()), signal).expect("signal nslab");
        let status = nslab.wait_exit();
        assert!(status.success(), "after {signal}: {status:?}");
        nslab.wait_for(
            "the terminal given back",
            Duration::from_secs(5),
            terminal_restored,
        );
        wait_until_gone(&seen, Duration::from_secs(5));
    }
}

#[test]
fn no_sandbox_outlives_a_sigkilled_nslab() {
    let (mut nslab, seen) = started_with_a_sandbox();
    kill(Pid::from_raw(nslab.pid()), Signal::SIGKILL).expect("SIGKILL");
    nslab.wait_exit();
    wait_until_gone(&seen, Duration::from_secs(5));
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
