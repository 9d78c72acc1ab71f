//! A live sandbox for `nslab verify`: the step's own shell, driven through pipes.
//!
//! Verify starts the step's sandbox once, exactly as the learner gets it, and types every
//! command of the step into that one shell, in order. That is the faithful choice: `ps` then
//! sees the same processes the learner's shell would, the shell stays PID 1 while the checks
//! run, and a command that changes something (`kill -9 1`, an orphaned `sleep`) changes it for
//! the checks that follow, as it would for the learner.
//!
//! Each command is sent as `{ COMMAND\n} 2>&1 <&-` followed by an end marker and `$?`, so the
//! shell tells where the output ends and how the command exited. Its stdin is closed, because
//! a command that read stdin would swallow the lines meant for the shell. A shell reading a pipe
//! prints no prompt, so the output is exactly the command's.
//!
//! A command in the step's spec is replaced by the default shell: checks need a shell to type
//! into.

use std::io::{Read, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::sandbox::{LaunchError, LaunchRequest};
use crate::spec::IsolationSpec;

/// How long one command may take before verify gives up on it.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(15);

/// The line that ends each command's output; no lesson command prints it.
const END_MARKER: &str = "__NSLAB_END__";

/// Why the sandbox's shell did not answer.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Launch(#[from] LaunchError),
    #[error("cannot start the launcher: {0}")]
    Spawn(std::io::Error),
    #[error("the sandbox's shell exited before the command finished{0}")]
    Ended(String),
    #[error("the sandbox could not be set up{0}")]
    Setup(String),
    #[error("the command did not finish within {} seconds", COMMAND_TIMEOUT.as_secs())]
    Timeout,
    #[error("cannot find the sandbox's first process under launcher {0}")]
    NoFirstProcess(u32),
}

/// What a command did: its exit status and its output (stdout and stderr together).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandResult {
    /// The exit status, as `$?` reports it.
    pub exit: i32,
    /// Everything it printed, stdout and stderr interleaved as they came.
    pub output: String,
}

/// A running sandbox whose shell reads commands from a pipe. Dropping it stops the sandbox.
pub struct Session {
    launcher: Child,
    stdin: Option<ChildStdin>,
    output: Receiver<Vec<u8>>,
    pending: Vec<u8>,
    first: u32,
}

impl Session {
    /// Starts the step's sandbox with an interactive shell and waits until the shell answers.
    pub fn start(spec: &IsolationSpec, label: &str) -> Result<Session, SessionError> {
        let mut spec = spec.clone();
        spec.command.clear();
        let request = LaunchRequest::new(spec)?.with_label(label);

        // The launcher's own errors go to its stderr; the commands' stderr is sent to stdout by
        // the wrapper, so stderr carries only setup failures.
        let mut launcher = request
            .command()?
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(SessionError::Spawn)?;
        let stdin = launcher.stdin.take();
        let (sender, output) = mpsc::channel();
        for stream in [
            launcher
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
            launcher
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let sender = sender.clone();
            std::thread::spawn(move || forward(stream, sender));
        }
        // Only the forwarding threads may hold senders: the channel must disconnect when the
        // launcher's pipes close, which is how a shell that is gone shows.
        drop(sender);

        let mut session = Session {
            launcher,
            stdin,
            output,
            pending: Vec::new(),
            first: 0,
        };
        // The first answer means the setup is done and the shell is reading commands; if the
        // launcher gives up instead, what it said is the reason.
        session.run("true").map_err(|err| match err {
            SessionError::Ended(said) => SessionError::Setup(said),
            other => other,
        })?;
        session.first = session.find_first_process()?;
        Ok(session)
    }

    /// The launcher's PID on the host.
    pub fn launcher_pid(&self) -> u32 {
        self.launcher.id()
    }

    /// The host PID of the sandbox's first process (the shell).
    pub fn first_pid(&self) -> u32 {
        self.first
    }

    /// Types `command` into the sandbox's shell and waits for it to finish.
    pub fn run(&mut self, command: &str) -> Result<CommandResult, SessionError> {
        let script = format!("{{ {command}\n}} 2>&1 <&-; printf '\\n%s %d\\n' {END_MARKER} $?\n");
        let stdin = self
            .stdin
            .as_mut()
            .ok_or(SessionError::Ended(String::new()))?;
        // A shell that is already gone makes this write fail with EPIPE. That is not the news:
        // what the launcher said before it went is, and the loop below collects it.
        let _ = stdin
            .write_all(script.as_bytes())
            .and_then(|()| stdin.flush());

        let deadline = Instant::now() + COMMAND_TIMEOUT;
        loop {
            if let Some(result) = take_result(&mut self.pending) {
                return Ok(result);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.output.recv_timeout(left) {
                Ok(chunk) => self.pending.extend_from_slice(&chunk),
                Err(RecvTimeoutError::Timeout) => return Err(SessionError::Timeout),
                Err(RecvTimeoutError::Disconnected) => {
                    let said = String::from_utf8_lossy(&self.pending).trim().to_string();
                    let said = if said.is_empty() {
                        said
                    } else {
                        format!(": {said}")
                    };
                    return Err(SessionError::Ended(said));
                }
            }
        }
    }

    /// The launcher's only child is the sandbox's first process.
    fn find_first_process(&self) -> Result<u32, SessionError> {
        let pid = self.launcher.id();
        let path = format!("/proc/{pid}/task/{pid}/children");
        std::fs::read_to_string(path)
            .ok()
            .and_then(|text| text.split_whitespace().next()?.parse().ok())
            .ok_or(SessionError::NoFirstProcess(pid))
    }

    /// Stops the whole sandbox: SIGTERM makes the launcher kill everything inside.
    pub fn stop(&mut self) {
        self.stdin = None;
        if let Ok(pid) = i32::try_from(self.launcher.id()) {
            let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
        }
        let _ = self.launcher.wait();
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Copies a pipe into the channel until the pipe closes.
fn forward(mut stream: Box<dyn Read + Send>, sender: mpsc::Sender<Vec<u8>>) {
    let mut buffer = [0u8; 4096];
    while let Ok(read @ 1..) = stream.read(&mut buffer) {
        if sender.send(buffer[..read].to_vec()).is_err() {
            return;
        }
    }
}

/// Takes one finished command's result off the front of `pending`, if it is all there.
fn take_result(pending: &mut Vec<u8>) -> Option<CommandResult> {
    let text = String::from_utf8_lossy(pending).into_owned();
    let marker = format!("\n{END_MARKER} ");
    let at = text.find(&marker)?;
    let rest = &text[at + marker.len()..];
    let line_end = rest.find('\n')?;
    let exit = rest[..line_end].trim().parse().unwrap_or(-1);
    let consumed = at + marker.len() + line_end + 1;
    let output = text[..at].to_string();
    let remaining = text.as_bytes()[consumed.min(text.len())..].to_vec();
    *pending = remaining;
    Some(CommandResult { exit, output })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_ends_at_the_marker_and_keeps_what_follows() {
        let mut pending = b"PID USER\n\n__NSLAB_END__ 0\nnext".to_vec();
        let result = take_result(&mut pending).unwrap();
        assert_eq!(result.output, "PID USER\n");
        assert_eq!(result.exit, 0);
        assert_eq!(pending, b"next");
    }

    #[test]
    fn an_unfinished_command_gives_nothing_yet() {
        let mut pending = b"partial\n__NSLAB_END__ 1".to_vec();
        assert_eq!(take_result(&mut pending), None);
    }
}
