//! nslab running in a pseudo-terminal of its own, with its screen kept by vt100.

use std::io::{Read, Write};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

/// The size of nslab's terminal: the smallest it supports, where it shows tabs.
pub const ROWS: u16 = 24;
/// See [`ROWS`].
pub const COLS: u16 = 80;

/// The screen of a program running in a PTY, updated by a reader thread.
struct Screen {
    parser: Mutex<(vt100::Parser, bool)>,
    changed: Condvar,
}

/// nslab running in a PTY of its own.
pub struct Nslab {
    screen: Arc<Screen>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    /// Kept to resize the terminal; it must outlive the child, which would get SIGHUP.
    master: Box<dyn MasterPty + Send>,
    pub dirs: Arc<Dirs>,
}

/// nslab's state, cache and temporary directories, private to a test and removed with it
/// (the temporary ones even after SIGKILL). Shared by the runs of a test that resumes.
pub struct Dirs {
    state: tempfile::TempDir,
    cache: tempfile::TempDir,
    temp: tempfile::TempDir,
}

impl Dirs {
    pub fn new() -> Arc<Dirs> {
        Arc::new(Dirs {
            state: tempfile::tempdir().expect("state dir"),
            cache: tempfile::tempdir().expect("cache dir"),
            temp: tempfile::tempdir().expect("temp dir"),
        })
    }

    /// nslab's `$TMPDIR`.
    pub fn temp(&self) -> &std::path::Path {
        self.temp.path()
    }
}

impl Nslab {
    pub fn start(args: &[&str]) -> Nslab {
        Nslab::start_in(Dirs::new(), args)
    }

    pub fn start_in(dirs: Arc<Dirs>, args: &[&str]) -> Nslab {
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
                let mut guard = feed.parser.lock().unwrap_or_else(|e| e.into_inner());
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
        Nslab {
            screen,
            writer,
            child,
            master: pair.master,
            dirs,
        }
    }

    pub fn pid(&self) -> i32 {
        self.child.process_id().expect("nslab's pid") as i32
    }

    pub fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write keys");
        self.writer.flush().expect("flush keys");
    }

    /// Waits until `check` holds for the screen, or fails with what the screen shows.
    pub fn wait_for(&self, what: &str, within: Duration, check: impl Fn(&vt100::Screen) -> bool) {
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

    pub fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "nslab did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Resizes nslab's terminal, as a learner dragging the window would.
    pub fn resize(&self, rows: u16, cols: u16) {
        let mut guard = self.screen.parser.lock().expect("screen lock");
        guard.0.screen_mut().set_size(rows, cols);
        let size = PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        };
        self.master.resize(size).expect("resize the pty");
    }

    pub fn with_screen<T>(&self, f: impl FnOnce(&vt100::Screen) -> T) -> T {
        f(self.screen.parser.lock().expect("screen lock").0.screen())
    }
}

/// A failed test must not leave nslab running, nor let it write into directories being
/// removed: hang it up (as closing its terminal would) and wait before the directories go.
impl Drop for Nslab {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
