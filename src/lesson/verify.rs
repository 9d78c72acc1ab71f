//! Proving a step: start its sandbox for real, run its checks in order, stop it, and make sure
//! the host is as it was.
//!
//! Checks run in the order the lesson lists them, so a fact listed after a command is observed
//! after that command ran (a fact after `kill -9 1` shows the shell survived it). Commands for
//! the host side run where the learner's host shell runs (see [`run_on_host`]).

use std::fs::File;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use nix::fcntl::OFlag;

use crate::lesson::observe::{self, Baseline, SandboxPids};
use crate::lesson::session::{COMMAND_TIMEOUT, CommandResult, Session};
use crate::lesson::{Check, Fact, RunCheck, Side, Step};
use crate::sandbox::host::HOST_SHELL_ARG;

/// How one check went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckOutcome {
    /// What the check claims.
    pub claim: String,
    /// Whether the claim held.
    pub passed: bool,
    /// What was observed, for the report when the check fails.
    pub seen: String,
}

/// How one step went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepReport {
    /// The step's id.
    pub step: String,
    /// Each check's outcome, in order, followed by nslab's own checks that the sandbox is gone
    /// and the host's mount table and hostname are untouched. Empty when the sandbox did not
    /// start.
    pub outcomes: Vec<CheckOutcome>,
    /// Why the sandbox could not be started, or why the step stopped early, if so. A shell
    /// that stopped answering shows as the failed outcome of the command that lost it.
    pub error: Option<String>,
}

impl StepReport {
    /// True when the sandbox started and every check held.
    pub fn passed(&self) -> bool {
        self.error.is_none() && self.outcomes.iter().all(|outcome| outcome.passed)
    }
}

/// Starts the step's sandbox, runs its checks and stops it again.
pub fn verify_step(step: &Step) -> StepReport {
    let mut report = StepReport {
        step: step.id.clone(),
        outcomes: Vec::new(),
        error: None,
    };

    // The baseline is taken first, so that anything the sandbox does to the host shows.
    let baseline = Baseline::take();
    let mut session = match Session::start(&step.isolation, &step.id) {
        Ok(session) => session,
        Err(err) => {
            tracing::warn!(step = %step.id, error = %err, "the sandbox did not start");
            report.error = Some(format!("the sandbox did not start: {err}"));
            return report;
        }
    };
    let pids = SandboxPids {
        launcher: session.launcher_pid(),
        first: session.first_pid(),
    };

    for check in &step.checks {
        let mut aborted = false;
        let (passed, seen) = match check {
            Check::Fact(fact) => {
                let observation = observe::observe(*fact, pids, &baseline);
                (observation.holds, observation.seen)
            }
            Check::Run(run) => match check_syntax(&run.command) {
                // An incomplete command is never sent: the shell would wait for the rest of
                // it until the timeout, and then be of no use for the checks after it.
                Err(problem) => (false, problem),
                Ok(()) => {
                    let result = match run.side {
                        Side::Sandbox => session.run(&run.command).map_err(|e| e.to_string()),
                        Side::Host => run_on_host(&run.command, pids.launcher),
                    };
                    match result {
                        Ok(result) => judge(run, &result),
                        Err(message) => {
                            aborted = true;
                            (false, message)
                        }
                    }
                }
            },
        };
        tracing::info!(step = %step.id, check = %check.describe(), passed, seen = %seen, "check");
        report.outcomes.push(CheckOutcome {
            claim: check.describe(),
            passed,
            seen,
        });
        if aborted {
            break;
        }

        // Later commands may rely on this isolation (`hostname lab` relies on a UTS namespace
        // of its own): without it they would act on the host, so they are not run.
        if !passed && matches!(check, Check::Fact(Fact::NewNamespace(_))) {
            report.error = Some("stopped: the commands after this check need its namespace".into());
            break;
        }
    }

    // Whatever the step did, nothing of it may stay on the real host once it is stopped.
    let first_start = observe::process_start(pids.first);
    session.stop();
    let gone = observe::wait_until_gone(pids.first, first_start, Duration::from_secs(5));
    report.outcomes.push(CheckOutcome {
        claim: "the sandbox's first process is gone".to_string(),
        passed: gone,
        seen: format!("host PID {} is still running", pids.first),
    });
    let leaked = baseline.mounts_gained_by_real_host();
    report.outcomes.push(CheckOutcome {
        claim: "nslab's own mount table is as before".to_string(),
        passed: leaked.is_empty(),
        seen: leaked.join(", "),
    });
    let hostname = observe::observe(Fact::HostHostnameUnchanged, pids, &baseline);
    report.outcomes.push(CheckOutcome {
        claim: "the host's hostname is as before".to_string(),
        passed: hostname.holds,
        seen: hostname.seen,
    });
    report
}

/// Refuses a command that is not complete shell syntax, such as one with an unclosed quote,
/// with the shell's own words for the problem. `/bin/sh -n` on the host reads the command
/// without running any of it.
fn check_syntax(command: &str) -> Result<(), String> {
    let output = Command::new("/bin/sh")
        .args(["-n", "-c", command])
        .stdin(Stdio::null())
        .output();
    match output {
        Ok(output) if !output.status.success() => {
            let said = String::from_utf8_lossy(&output.stderr);
            Err(format!(
                "the command is not complete shell syntax, so it was not run: {}",
                said.trim()
            ))
        }
        Ok(_) => Ok(()),
        // Without a shell to ask, the command is run as it is; a real problem still shows.
        Err(err) => {
            tracing::warn!(error = %err, "cannot check a command's syntax with /bin/sh -n");
            Ok(())
        }
    }
}

/// Compares a command's result with what the check expects.
fn judge(run: &RunCheck, result: &CommandResult) -> (bool, String) {
    let exit_ok = result.exit == run.exit;
    let output_ok = match &run.output {
        Some(pattern) => regex::RegexBuilder::new(pattern)
            .multi_line(true)
            .build()
            .is_ok_and(|re| re.is_match(&result.output)),
        None => true,
    };
    let seen = format!("exit {}, output {:?}", result.exit, shorten(&result.output));
    (exit_ok && output_ok, seen)
}

fn shorten(text: &str) -> String {
    const LIMIT: usize = 300;
    match text.char_indices().nth(LIMIT) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// Runs a command on the sandbox's host side, in the same place the learner's host shell
/// runs: `nslab __host-shell LAUNCHER`, which joins the stand-in host mount namespace when the
/// step has one and stays on the real host otherwise. The command is fed to `/bin/sh` on
/// stdin; stdout and stderr share one pipe, so the output reads as it would in a terminal.
fn run_on_host(command: &str, launcher: u32) -> Result<CommandResult, String> {
    let problem =
        |what: &str, e: std::io::Error| format!("cannot run the host command: {what}: {e}");
    let (reader, writer) = nix::unistd::pipe2(OFlag::O_CLOEXEC)
        .map_err(|e| problem("pipe", std::io::Error::from(e)))?;
    let mut reader = File::from(reader);
    let exe = std::env::current_exe().map_err(|e| problem("own executable", e))?;
    let mut shell = Command::new(exe);
    shell
        .arg(HOST_SHELL_ARG)
        .arg(launcher.to_string())
        .env("SHELL", "/bin/sh")
        .stdin(Stdio::piped())
        .stdout(writer.try_clone().map_err(|e| problem("pipe", e))?)
        .stderr(writer);
    let mut child = shell.spawn().map_err(|e| problem("spawn", e))?;
    // The command holds the pipe's write ends; the output ends only once they are all closed.
    drop(shell);

    let script = format!("{command}\n");
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(script.as_bytes())
            .map_err(|e| problem("stdin", e))?;
    }

    // The output is read on a thread so that a command that never ends can be stopped.
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut output = Vec::new();
        let _ = reader.read_to_end(&mut output);
        let _ = sender.send(output);
    });
    let Ok(output) = receiver.recv_timeout(COMMAND_TIMEOUT) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(format!(
            "the host command did not finish within {} seconds",
            COMMAND_TIMEOUT.as_secs()
        ));
    };
    let status = child.wait().map_err(|e| problem("wait", e))?;
    Ok(CommandResult {
        exit: status.code().unwrap_or(-1),
        output: String::from_utf8_lossy(&output).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(exit: i32, output: Option<&str>) -> RunCheck {
        RunCheck {
            side: Side::Sandbox,
            command: "x".into(),
            exit,
            output: output.map(str::to_string),
        }
    }

    fn result(exit: i32, output: &str) -> CommandResult {
        CommandResult {
            exit,
            output: output.into(),
        }
    }

    #[test]
    fn an_unclosed_quote_is_not_complete_syntax() {
        let problem = check_syntax("echo '; x").unwrap_err();
        assert!(problem.contains("not complete shell syntax"), "{problem}");
        assert!(check_syntax("echo '; x'; if true; then :; fi").is_ok());
    }

    #[test]
    fn patterns_match_whole_lines_and_exit_must_agree() {
        assert!(judge(&run(0, Some("^1$")), &result(0, "1\n")).0);
        assert!(!judge(&run(0, Some("^1$")), &result(0, "12\n")).0);
        assert!(!judge(&run(1, None), &result(0, "")).0);
        let (passed, seen) = judge(&run(0, Some("^box$")), &result(0, "vm\n"));
        assert!(!passed);
        assert!(seen.contains("vm"), "{seen}");
    }
}
