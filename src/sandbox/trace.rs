//! The setup trace: each call the launcher and the sandbox's first process made, and its result.
//!
//! The launcher appends one JSON object per line to a file in a private directory chosen by the
//! parent. The first process inside writes to the same file, which it inherited, until it execs
//! the command (the descriptor is close-on-exec). `O_APPEND` keeps the lines whole.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use nix::errno::Errno;
use serde::{Deserialize, Serialize};

use crate::sandbox::kernel::Call;

/// Which process made a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// The launcher, on the host side of the PID namespace.
    Launcher,
    /// The sandbox's first process, before it execs the command.
    Child,
}

/// One line of the trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceEvent {
    /// Who made the call.
    pub phase: Phase,
    /// The caller's PID as it saw itself (1 for the first process of a new PID namespace).
    pub pid: i32,
    /// The syscall's name, such as `unshare`, or an event such as `fork` or `exec`.
    pub call: String,
    /// The call written out with its arguments, or what happened.
    pub detail: String,
    /// The errno name when the call failed, such as `EPERM`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errno: Option<String>,
}

impl TraceEvent {
    /// An event for a privileged call and its result.
    pub fn call(phase: Phase, call: &Call, result: Result<(), Errno>) -> TraceEvent {
        TraceEvent {
            phase,
            pid: std::process::id() as i32,
            call: call.name().to_string(),
            detail: call.to_string(),
            errno: result.err().map(|errno| format!("{errno:?}")),
        }
    }

    /// An event that is not a privileged call: a fork, an exec, the end.
    pub fn note(phase: Phase, call: &str, detail: String) -> TraceEvent {
        TraceEvent {
            phase,
            pid: std::process::id() as i32,
            call: call.to_string(),
            detail,
            errno: None,
        }
    }

    /// True when the call succeeded.
    pub fn ok(&self) -> bool {
        self.errno.is_none()
    }
}

/// Appends events to the trace file.
pub struct TraceWriter {
    file: File,
}

impl TraceWriter {
    /// Opens (creating if needed) a trace file for appending; it is not inherited across exec.
    pub fn open(path: &Path) -> io::Result<TraceWriter> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .custom_flags(libc::O_CLOEXEC)
            .open(path)?;
        Ok(TraceWriter { file })
    }

    /// Writes one event as one line. A failed write is not worth failing the sandbox for.
    pub fn record(&mut self, event: &TraceEvent) {
        if let Ok(mut line) = serde_json::to_string(event) {
            line.push('\n');
            let _ = self.file.write_all(line.as_bytes());
        }
    }
}

/// Reads every complete event of a trace file; a missing file is an empty trace.
pub fn read_trace(path: &Path) -> io::Result<Vec<TraceEvent>> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(err),
    };
    let mut events = Vec::new();
    for line in BufReader::new(file).lines() {
        if let Ok(event) = serde_json::from_str(&line?) {
            events.push(event);
        }
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_round_trip_through_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trace.jsonl");
        let mut writer = TraceWriter::open(&path).unwrap();
        let call = Call::SetHostname("box".into());
        writer.record(&TraceEvent::call(Phase::Child, &call, Ok(())));
        writer.record(&TraceEvent::call(Phase::Child, &call, Err(Errno::EPERM)));

        let events = read_trace(&path).unwrap();
        assert_eq!(events.len(), 2);
        assert!(events[0].ok());
        assert_eq!(events[1].errno.as_deref(), Some("EPERM"));
        assert_eq!(events[1].detail, r#"sethostname("box")"#);
    }
}
