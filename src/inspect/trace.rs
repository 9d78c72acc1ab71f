//! The setup trace panel: each call the launcher and the first process made, and its result.
//!
//! A failed call is explained in the same plain words as `nslab run`'s error message.

use std::path::Path;

use serde::Serialize;

use crate::sandbox::explain;
use crate::sandbox::trace::{Phase, read_trace};

/// One call of the setup.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TraceRow {
    /// `launcher` or `child`.
    pub phase: Phase,
    /// The caller's PID as it saw itself.
    pub pid: i32,
    /// The syscall's name, or an event such as `fork`.
    pub call: String,
    /// The call written out, or what happened.
    pub detail: String,
    /// The errno's name when it failed.
    pub errno: Option<String>,
    /// Why it failed and what to do, when it failed.
    pub explanation: Option<String>,
}

/// The setup trace panel's data.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TraceView {
    /// The calls, in the order they were made.
    pub rows: Vec<TraceRow>,
    /// Why the trace could not be read, or that there is none.
    pub error: Option<String>,
}

impl TraceView {
    /// The first failed call.
    pub fn failure(&self) -> Option<&TraceRow> {
        self.rows.iter().find(|row| row.errno.is_some())
    }
}

/// Reads the trace file.
pub fn collect(path: Option<&Path>) -> TraceView {
    let Some(path) = path else {
        return TraceView {
            error: Some("this sandbox was started without a setup trace".to_string()),
            ..TraceView::default()
        };
    };
    match read_trace(path) {
        Ok(events) => TraceView {
            rows: events
                .into_iter()
                .map(|event| TraceRow {
                    explanation: event
                        .errno
                        .as_deref()
                        .map(|errno| explain::why_traced(&event.call, &event.detail, errno)),
                    phase: event.phase,
                    pid: event.pid,
                    call: event.call,
                    detail: event.detail,
                    errno: event.errno,
                })
                .collect(),
            error: None,
        },
        Err(err) => TraceView {
            rows: Vec::new(),
            error: Some(format!("cannot read {}: {err}", path.display())),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::kernel::Call;
    use crate::sandbox::trace::{TraceEvent, TraceWriter};

    #[test]
    fn a_failed_call_carries_its_explanation() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trace.jsonl");
        let mut writer = TraceWriter::open(&path).unwrap();
        let call = Call::Unshare(nix::sched::CloneFlags::CLONE_NEWUSER);
        writer.record(&TraceEvent::call(Phase::Launcher, &call, Ok(())));
        writer.record(&TraceEvent::call(
            Phase::Launcher,
            &call,
            Err(nix::errno::Errno::EPERM),
        ));

        let view = collect(Some(&path));
        assert_eq!(view.rows.len(), 2);
        assert!(view.rows[0].explanation.is_none());
        let failure = view.failure().expect("the second call failed");
        let expected = explain::why(&call, nix::errno::Errno::EPERM);
        assert_eq!(failure.explanation.as_deref(), Some(expected.as_str()));
    }

    #[test]
    fn no_trace_is_said_plainly() {
        assert!(collect(None).error.is_some());
    }
}
