//! A program on a pseudo-terminal that nslab owns: spawn it, feed it keys, resize it, stop it.
//!
//! Three threads serve each program. The reader copies what the program writes into the event
//! channel. The writer types the keys the run loop queues for it. The waiter reaps the process
//! and reports how it ended. The run loop keeps the master side, to set the terminal size.
//!
//! Keys go through a thread of their own because writing to a PTY blocks when the program is
//! not reading: a large paste into a shell that echoes it would otherwise stop the run loop,
//! which would stop draining the output, which would stop the shell: a deadlock.

use std::io::{Read, Write};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use portable_pty::{CommandBuilder, MasterPty, PtySize, native_pty_system};

use crate::tui::event::{Event, EventSender, ExitReport, ShellEvent, ShellId};

/// How long a hung-up program gets to end before it is killed outright.
const GRACE: Duration = Duration::from_secs(2);

/// Why a program could not be started on a PTY.
#[derive(Debug, thiserror::Error)]
pub enum PtyError {
    #[error("cannot open a pseudo-terminal: {0}")]
    Open(String),
    #[error("cannot start {program}: {reason}")]
    Spawn { program: String, reason: String },
    #[error("cannot start a thread: {0}")]
    Thread(#[from] std::io::Error),
}

/// A running program and the master side of its terminal.
pub struct PtyProcess {
    id: ShellId,
    pid: Option<Pid>,
    master: Box<dyn MasterPty + Send>,
    keys: Sender<Vec<u8>>,
    reaped: Receiver<()>,
    stopped: bool,
}

impl PtyProcess {
    /// Starts `command` on a new PTY of `rows` x `cols`.
    ///
    /// Call this from the main thread: the launcher asks the kernel to signal it when the
    /// thread that started it ends, and the main thread lives as long as nslab.
    pub fn spawn(
        command: CommandBuilder,
        rows: u16,
        cols: u16,
        id: ShellId,
        events: &EventSender,
    ) -> Result<PtyProcess, PtyError> {
        let size = PtySize {
            rows: rows.max(1),
            cols: cols.max(1),
            pixel_width: 0,
            pixel_height: 0,
        };
        let pair = native_pty_system()
            .openpty(size)
            .map_err(|e| PtyError::Open(e.to_string()))?;
        let program = command
            .get_argv()
            .first()
            .map_or_else(String::new, |arg| arg.to_string_lossy().into_owned());
        let mut child = pair
            .slave
            .spawn_command(command)
            .map_err(|e| PtyError::Spawn {
                program: program.clone(),
                reason: e.to_string(),
            })?;

        // Our copy of the slave side must go: the reader sees end-of-file only once the
        // last process holding the slave has closed it.
        drop(pair.slave);

        let pid = child
            .process_id()
            .and_then(|pid| i32::try_from(pid).ok())
            .map(Pid::from_raw);
        let reader = pair
            .master
            .try_clone_reader()
            .map_err(|e| PtyError::Open(e.to_string()))?;
        let writer = pair
            .master
            .take_writer()
            .map_err(|e| PtyError::Open(e.to_string()))?;
        tracing::info!(?pid, program, rows, cols, "started a program on a pty");

        spawn_reader(reader, id, events.clone())?;
        let keys = spawn_writer(writer)?;

        let (reaped_tx, reaped) = mpsc::channel();
        let waiter_events = events.clone();
        thread::Builder::new()
            .name("pty-waiter".into())
            .spawn(move || {
                let report = match child.wait() {
                    Ok(status) => ExitReport {
                        code: status.exit_code(),
                        signal: status.signal().map(str::to_string),
                    },
                    Err(err) => {
                        tracing::warn!(%err, "cannot wait for a pty program");
                        ExitReport {
                            code: 1,
                            signal: None,
                        }
                    }
                };
                let _ = reaped_tx.send(());
                let _ = waiter_events.send(Event::Shell(id, ShellEvent::Exited(report)));
            })?;

        Ok(PtyProcess {
            id,
            pid,
            master: pair.master,
            keys,
            reaped,
            stopped: false,
        })
    }

    /// The id its events carry.
    pub fn id(&self) -> ShellId {
        self.id
    }

    /// The host PID of the program (for a sandbox, the launcher).
    pub fn pid(&self) -> Option<Pid> {
        self.pid
    }

    /// The terminal's foreground process group: who reads the keys now.
    pub fn foreground_group(&self) -> Option<Pid> {
        self.master.process_group_leader().map(Pid::from_raw)
    }

    /// Sends bytes as if typed; never blocks.
    pub fn write(&mut self, bytes: &[u8]) {
        let _ = self.keys.send(bytes.to_vec());
    }

    /// Sets the terminal size; the kernel sends the foreground program SIGWINCH.
    pub fn resize(&self, rows: u16, cols: u16) {
        let size = PtySize {
            rows: rows.max(1),
            cols: cols.max(1),
            pixel_width: 0,
            pixel_height: 0,
        };
        if let Err(err) = self.master.resize(size) {
            tracing::warn!(%err, "cannot resize a pty");
        }
    }

    /// Ends the program and waits until it is reaped.
    ///
    /// SIGHUP is what a terminal sends when it closes. An interactive shell ignores SIGTERM
    /// but not SIGHUP, and the launcher answers it by killing every process of its sandbox
    /// and waiting for them, so once the launcher is reaped the sandbox is gone.
    pub fn stop(&mut self) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        let Some(pid) = self.pid else { return };

        // Once reaped, the PID may belong to someone else: never signal it then.
        if self.reaped.try_recv().is_ok() {
            return;
        }

        for signal in [Signal::SIGHUP, Signal::SIGKILL] {
            if kill(pid, signal).is_err() {
                // Already gone; the waiter has reaped it or is about to.
                let _ = self.reaped.recv_timeout(GRACE);
                return;
            }
            match self.reaped.recv_timeout(GRACE) {
                Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
                Err(RecvTimeoutError::Timeout) => {
                    tracing::warn!(%pid, ?signal, "a pty program did not end in time");
                }
            }
        }
    }
}

impl Drop for PtyProcess {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Types queued keys into the PTY until the process's handle is dropped.
fn spawn_writer(mut writer: Box<dyn Write + Send>) -> std::io::Result<Sender<Vec<u8>>> {
    let (keys, queue) = mpsc::channel::<Vec<u8>>();
    thread::Builder::new()
        .name("pty-writer".into())
        .spawn(move || {
            for bytes in queue {
                if let Err(err) = writer.write_all(&bytes).and_then(|()| writer.flush()) {
                    tracing::debug!(%err, "cannot write to a pty");
                    break;
                }
            }
        })?;
    Ok(keys)
}

/// Copies the program's output into the channel until the PTY closes.
fn spawn_reader(
    mut reader: Box<dyn Read + Send>,
    id: ShellId,
    events: EventSender,
) -> std::io::Result<()> {
    thread::Builder::new()
        .name("pty-reader".into())
        .spawn(move || {
            let mut buffer = vec![0u8; 64 * 1024];
            loop {
                // On Linux, reading a master whose slave side is closed by every process
                // fails with EIO instead of returning 0: both mean the program is gone.
                let n = match reader.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                let output = ShellEvent::Output(buffer[..n].to_vec());
                if events.send(Event::Shell(id, output)).is_err() {
                    break;
                }
            }
        })?;
    Ok(())
}
