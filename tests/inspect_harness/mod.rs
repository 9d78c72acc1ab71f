//! The harness for the live inspector tests: start a real sandbox with `nslab run`, read what
//! a script inside printed, inspect it, and stop it by its own PIDs when done, even on failure.

#![allow(dead_code)] // each test crate that includes the harness uses a different part of it

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::Value;

pub const NSLAB: &str = env!("CARGO_BIN_EXE_nslab");

/// Prints the shell's PID, hostname, mount table and namespaces, then `END`, then waits with
/// a subshell, so the sandbox has a descendant (a background job would need /dev/null, which the
/// small root filesystem lacks).
pub const REPORT: &str = "echo $$; hostname; cat /proc/self/mountinfo; \
    for f in /proc/self/ns/*; do echo NS $(readlink $f); done; echo END; (sleep 30; echo done)";

/// A running `nslab run`, stopped when dropped.
pub struct Sandbox {
    pub run: Child,
    pub launcher: i32,
    /// What the script printed before `END`.
    pub output: Vec<String>,
    _trace_dir: tempfile::TempDir,
    pub trace: std::path::PathBuf,
}

impl Sandbox {
    pub fn start(flags: &[&str], script: &str) -> Sandbox {
        Sandbox::start_as(&[], flags, script)
    }

    /// Starts the sandbox through `wrapper`, such as `setpriv` to drop to another user; the
    /// wrapper must exec nslab so that its PID stays the same.
    pub fn start_as(wrapper: &[&str], flags: &[&str], script: &str) -> Sandbox {
        let trace_dir = tempfile::tempdir().unwrap();
        let trace = trace_dir.path().join("trace.jsonl");
        // The launcher writes the trace as whichever user runs it.
        std::fs::set_permissions(trace_dir.path(), PermissionsExt::from_mode(0o777)).unwrap();
        let mut run = nslab(wrapper)
            .arg("run")
            .args(flags)
            .arg("--trace")
            .arg(&trace)
            .args(["--", "/bin/sh", "-c", script])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("nslab runs");

        // Read the script's report on a thread, so that a sandbox that never prints END fails
        // the test after a deadline instead of hanging it.
        let stdout = run.stdout.take().unwrap();
        let (lines, received) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let mut output = Vec::new();
        loop {
            match received.recv_timeout(Duration::from_secs(20)) {
                Ok(line) if line == "END" => break,
                Ok(line) => output.push(line),
                Err(err) => {
                    let _ = run.kill();
                    let _ = run.wait();
                    panic!("the sandbox did not report ({err}); it printed {output:?}");
                }
            }
        }

        // `nslab run` is the launcher itself with a PID namespace, its parent without one.
        let launcher =
            nslab::inspect::find::launcher_of(run.id() as i32).expect("nslab run has a launcher");
        Sandbox {
            run,
            launcher,
            output,
            _trace_dir: trace_dir,
            trace,
        }
    }

    pub fn inspect(&self, pid: i32) -> Value {
        self.inspect_as(&[], pid)
    }

    pub fn inspect_as(&self, wrapper: &[&str], pid: i32) -> Value {
        let out = nslab(wrapper)
            .args(["inspect", "--json", "--pid", &pid.to_string()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// The lines that start with `NS `, as `kind -> id`.
    pub fn namespaces(&self) -> BTreeSet<(String, u64)> {
        self.output
            .iter()
            .filter_map(|line| line.strip_prefix("NS "))
            .filter_map(|link| {
                let (kind, rest) = link.split_once(":[")?;
                Some((kind.to_string(), rest.strip_suffix(']')?.parse().ok()?))
            })
            .collect()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        // The launcher takes the whole sandbox down on SIGTERM; then nslab run exits.
        let _ = kill(Pid::from_raw(self.launcher), Signal::SIGTERM);
        if self.run.wait_timeout_secs(5).is_none() {
            let _ = self.run.kill();
            let _ = self.run.wait();
        }
    }
}

trait WaitTimeout {
    fn wait_timeout_secs(&mut self, secs: u64) -> Option<std::process::ExitStatus>;
}

impl WaitTimeout for Child {
    fn wait_timeout_secs(&mut self, secs: u64) -> Option<std::process::ExitStatus> {
        for _ in 0..secs * 20 {
            if let Ok(Some(status)) = self.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

/// `nslab`, run through `wrapper` when there is one.
pub fn nslab(wrapper: &[&str]) -> Command {
    let mut command = match wrapper.split_first() {
        Some((program, args)) => {
            let mut command = Command::new(program);
            command.args(args).arg(NSLAB);
            command
        }
        None => Command::new(NSLAB),
    };
    // Errors these tests provoke on purpose stay out of the user's own log.
    command.env("NSLAB_LOG", "off");
    command
}

pub fn children(pid: i32) -> Vec<i32> {
    let path = format!("/proc/{pid}/task/{pid}/children");
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

pub fn rows_with_role<'a>(snapshot: &'a Value, role: &str) -> Vec<&'a Value> {
    snapshot["pids"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["role"] == role)
        .collect()
}

/// Mount points of a mountinfo text, unescaped the way the inspector does.
pub fn mount_points(lines: &[String]) -> BTreeSet<String> {
    lines
        .iter()
        .filter_map(|line| nslab::inspect::mountinfo::parse_line(line))
        .map(|mount| mount.mount_point)
        .collect()
}

/// Runs as `nobody`, so nslab adds a user namespace.
pub const AS_NOBODY: [&str; 5] = [
    "setpriv",
    "--reuid=65534",
    "--regid=65534",
    "--clear-groups",
    "--",
];
