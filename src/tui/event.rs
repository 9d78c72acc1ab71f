//! One event enum and one channel: worker threads only send, the run loop alone receives.
//!
//! Every source of change is a thread that blocks on its own input (the keyboard, a PTY, a
//! signal, the panel timer) and sends an [`Event`]. The run loop blocks on the channel, so an
//! idle nslab sleeps in the kernel instead of polling.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread;

use signal_hook::consts::{SIGHUP, SIGTERM};
use signal_hook::iterator::Signals;

use crate::tui::panels::PanelData;

/// How many events may wait before senders block. A bound keeps a flood of shell output from
/// growing memory: the PTY reader waits, and the kernel then pauses the writing program.
const CAPACITY: usize = 256;

/// Which shell process an event comes from. Each spawn gets a new id, so output from a
/// sandbox that was just replaced is recognised and dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ShellId(pub u64);

/// Something that happened to a shell.
#[derive(Debug)]
pub enum ShellEvent {
    /// Bytes the program wrote to its terminal.
    Output(Vec<u8>),
    /// The process on the PTY (the launcher, or the host shell) ended.
    Exited(ExitReport),
}

/// How a shell ended, in words for the pane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExitReport {
    /// `0` for success; the launcher reports 128+N for a command killed by signal N.
    pub code: u32,
    /// The signal that ended the process itself, if one did.
    pub signal: Option<String>,
}

impl std::fmt::Display for ExitReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.signal {
            Some(signal) => write!(f, "killed by {signal}"),
            None => write!(f, "exited with status {}", self.code),
        }
    }
}

/// Everything the run loop reacts to.
#[derive(Debug)]
pub enum Event {
    /// A key, a paste or a resize of nslab's own terminal.
    Input(crossterm::event::Event),
    /// Output or exit of a shell.
    Shell(ShellId, ShellEvent),
    /// Fresh panel data for the panel input with this generation.
    Panels(u64, Box<PanelData>),
    /// SIGTERM or SIGHUP: leave cleanly.
    Terminate(i32),
}

/// The sending half, cloned into every worker thread.
pub type EventSender = SyncSender<Event>;

/// Creates the channel and starts the keyboard and signal threads.
pub fn start() -> std::io::Result<(EventSender, Receiver<Event>)> {
    let (sender, receiver) = sync_channel(CAPACITY);

    // crossterm's `read` blocks until the terminal has something to say.
    let keyboard = sender.clone();
    thread::Builder::new()
        .name("keyboard".into())
        .spawn(move || {
            while let Ok(event) = crossterm::event::read() {
                if keyboard.send(Event::Input(event)).is_err() {
                    break;
                }
            }
        })?;

    // SIGTERM (a polite kill) and SIGHUP (the terminal went away) end nslab the same way as
    // `q`: through the run loop, so the sandboxes are stopped and the terminal restored.
    let mut signals = Signals::new([SIGTERM, SIGHUP])?;
    let terminate = sender.clone();
    thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                if terminate.send(Event::Terminate(signal)).is_err() {
                    break;
                }
            }
        })?;

    Ok((sender, receiver))
}
