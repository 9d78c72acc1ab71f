//! Real sandboxes, inspected from outside: what `nslab inspect --json` reports must match what
//! commands inside the sandbox print about themselves.
//!
//! Each test starts `nslab run` with a shell script that prints its view and then sleeps, and
//! stops that sandbox by its own PIDs when done, even on failure.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::Value;

const NSLAB: &str = env!("CARGO_BIN_EXE_nslab");

/// Prints the shell's PID, hostname, mount table and namespaces, then `END`, then waits with
/// a subshell, so the sandbox has a descendant (a background job would need /dev/null, which the
/// small root filesystem lacks).
const REPORT: &str = "echo $$; hostname; cat /proc/self/mountinfo; \
    for f in /proc/self/ns/*; do echo NS $(readlink $f); done; echo END; (sleep 30; echo done)";

/// A running `nslab run`, stopped when dropped.
struct Sandbox {
    run: Child,
    launcher: i32,
    /// What the script printed before `END`.
    output: Vec<String>,
    _trace_dir: tempfile::TempDir,
    trace: std::path::PathBuf,
}

impl Sandbox {
    fn start(flags: &[&str], script: &str) -> Sandbox {
        Sandbox::start_as(&[], flags, script)
    }

    /// Starts the sandbox through `wrapper`, such as `setpriv` to drop to another user; the
    /// wrapper must exec nslab so that its PID stays the same.
    fn start_as(wrapper: &[&str], flags: &[&str], script: &str) -> Sandbox {
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

        let launcher = children(run.id() as i32)
            .first()
            .copied()
            .expect("nslab run has started its launcher");
        Sandbox {
            run,
            launcher,
            output,
            _trace_dir: trace_dir,
            trace,
        }
    }

    fn inspect(&self, pid: i32) -> Value {
        self.inspect_as(&[], pid)
    }

    fn inspect_as(&self, wrapper: &[&str], pid: i32) -> Value {
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
    fn namespaces(&self) -> BTreeSet<(String, u64)> {
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
fn nslab(wrapper: &[&str]) -> Command {
    match wrapper.split_first() {
        Some((program, args)) => {
            let mut command = Command::new(program);
            command.args(args).arg(NSLAB);
            command
        }
        None => Command::new(NSLAB),
    }
}

fn children(pid: i32) -> Vec<i32> {
    let path = format!("/proc/{pid}/task/{pid}/children");
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

fn rows_with_role<'a>(snapshot: &'a Value, role: &str) -> Vec<&'a Value> {
    snapshot["pids"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["role"] == role)
        .collect()
}

/// Mount points of a mountinfo text, unescaped the way the inspector does.
fn mount_points(lines: &[String]) -> BTreeSet<String> {
    lines
        .iter()
        .filter_map(|line| nslab::inspect::mountinfo::parse_line(line))
        .map(|mount| mount.mount_point)
        .collect()
}

#[test]
fn full_isolation_matches_what_the_shell_inside_prints() {
    let flags = [
        "--ns",
        "uts,pid,mnt",
        "--proc",
        "--hostname",
        "box",
        "--rootfs",
        "--pivot",
    ];
    let sandbox = Sandbox::start(&flags, REPORT);
    let snapshot = sandbox.inspect(sandbox.launcher);

    // echo $$ and hostname.
    let first = rows_with_role(&snapshot, "first")[0];
    assert_eq!(sandbox.output[0], first["inside_pid"].to_string());
    assert_eq!(sandbox.output[0], "1");
    assert_eq!(first["host_pid"], snapshot["first"]);
    assert_eq!(sandbox.output[1], snapshot["namespaces"]["hostname_inside"]);
    assert_eq!(sandbox.output[1], "box");

    // cat /proc/self/mountinfo.
    let inside: BTreeSet<String> = snapshot["mounts"]["inside"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["mount_point"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(mount_points(&sandbox.output), inside);

    // readlink /proc/self/ns/*.
    let reported: BTreeSet<(String, u64)> = snapshot["namespaces"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["kind"].as_str().unwrap().to_string(),
                r["sandbox"].as_u64().unwrap(),
            )
        })
        .collect();
    let printed = sandbox.namespaces();
    assert!(reported.is_subset(&printed), "{reported:?} vs {printed:?}");
    for kind in ["pid", "mnt", "uts"] {
        let row = snapshot["namespaces"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["kind"] == kind)
            .unwrap();
        assert_eq!(row["sharing"], "new", "{kind}");
    }

    // The background sleep is a descendant, numbered 2 or more inside.
    let sleeper = rows_with_role(&snapshot, "descendant");
    assert!(
        sleeper
            .iter()
            .any(|r| r["command"].as_str().unwrap().contains("sleep 30")),
        "{sleeper:?}"
    );
    assert_eq!(snapshot["proc"]["kind"], "sandbox");
    assert!(snapshot["pids"]["own_pid_namespace"].as_bool().unwrap());
    let trace = std::fs::read_to_string(&sandbox.trace).unwrap();
    assert_eq!(
        snapshot["trace"]["rows"].as_array().unwrap().len(),
        trace.lines().count()
    );
}

#[test]
fn seed_step_has_an_empty_proc_and_pid_1() {
    let script = "echo $$; ls -A /proc | wc -l; echo END; (sleep 30; echo done)";
    let sandbox = Sandbox::start(&["--ns", "uts,pid", "--rootfs"], script);
    let snapshot = sandbox.inspect(sandbox.launcher);

    assert_eq!(sandbox.output[0], "1");
    assert_eq!(
        sandbox.output[1].trim(),
        "0",
        "ls /proc inside lists nothing"
    );
    assert_eq!(snapshot["proc"]["kind"], "empty");
    assert!(snapshot["proc"]["reason"].as_str().unwrap().contains("ps"));
    assert!(snapshot["proc"]["host"]["pid_count"].as_u64().unwrap() > 1);
    assert!(snapshot["mounts"]["host_is_stand_in"] == false);
}

#[test]
fn without_a_pid_namespace_the_numbers_are_the_same() {
    let script = "echo $$; hostname; echo END; (sleep 30; echo done)";
    let sandbox = Sandbox::start(&["--ns", "uts", "--hostname", "solo"], script);
    let snapshot = sandbox.inspect(sandbox.launcher);

    let first = rows_with_role(&snapshot, "first")[0];
    assert_eq!(sandbox.output[0], first["host_pid"].to_string());
    assert_eq!(first["inside_pid"], first["host_pid"]);
    assert!(!snapshot["pids"]["own_pid_namespace"].as_bool().unwrap());
    assert!(
        snapshot["pids"]["note"]
            .as_str()
            .unwrap()
            .contains("no PID namespace")
    );
    assert_eq!(sandbox.output[1], "solo");
    assert_eq!(snapshot["namespaces"]["hostname_inside"], "solo");
    assert_ne!(
        snapshot["namespaces"]["hostname_host"],
        snapshot["namespaces"]["hostname_inside"]
    );
}

#[test]
fn proc_mounted_without_a_mount_namespace_leaks_only_into_the_stand_in() {
    let script = "echo $$; echo END; (sleep 30; echo done)";
    let sandbox = Sandbox::start(&["--ns", "pid", "--proc", "--rootfs"], script);
    let snapshot = sandbox.inspect(sandbox.launcher);

    assert_eq!(snapshot["mounts"]["host_is_stand_in"], true);
    let leaks: Vec<&Value> = snapshot["mounts"]["host"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["leaked"] == true)
        .collect();
    assert_eq!(leaks.len(), 1, "{leaks:?}");
    assert_eq!(leaks[0]["fstype"], "proc");
    let leaked_at = leaks[0]["mount_point"].as_str().unwrap();
    assert!(leaked_at.ends_with("/proc") && leaked_at != "/proc");

    // The real host, where this test runs, has no such mount.
    let host = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    let host_points = mount_points(&host.lines().map(str::to_string).collect::<Vec<_>>());
    assert!(!host_points.contains(leaked_at));
}

#[test]
fn any_process_of_the_sandbox_leads_to_the_same_snapshot() {
    let sandbox = Sandbox::start(&["--ns", "uts,pid,mnt", "--proc", "--rootfs"], REPORT);
    let by_launcher = sandbox.inspect(sandbox.launcher);
    let sleeper = rows_with_role(&by_launcher, "descendant")[0]["host_pid"]
        .as_i64()
        .unwrap();
    let by_sleeper = sandbox.inspect(sleeper as i32);
    assert_eq!(by_sleeper["launcher"], sandbox.launcher);

    // Without --pid, the newest sandbox of this user: this one, unless another test (or
    // another nslab of the same user) started one since.
    let out = Command::new(NSLAB)
        .args(["inspect", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let newest: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(newest["launcher"].as_i64().unwrap() > 0);
}

#[test]
fn a_process_outside_any_sandbox_is_refused_with_a_reason() {
    let me = std::process::id().to_string();
    let out = Command::new(NSLAB)
        .args(["inspect", "--pid", &me])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(
        message.contains("not part of an nslab sandbox"),
        "{message}"
    );
}

/// Runs as `nobody`, so nslab adds a user namespace.
const AS_NOBODY: [&str; 5] = [
    "setpriv",
    "--reuid=65534",
    "--regid=65534",
    "--clear-groups",
    "--",
];

#[test]
fn an_ordinary_users_sandbox_maps_them_to_root_inside() {
    if !nix::unistd::getuid().is_root() {
        return; // dropping to another user needs root; an ordinary user is covered above
    }
    let script = "echo $$; id -u; hostname; echo END; (sleep 30; echo done)";
    let flags = ["--ns", "uts,pid,mnt", "--proc", "--hostname", "box"];
    let sandbox = Sandbox::start_as(&AS_NOBODY, &flags, script);
    let snapshot = sandbox.inspect_as(&AS_NOBODY, sandbox.launcher);

    assert_eq!(sandbox.output[1], "0", "id -u inside");
    let first = rows_with_role(&snapshot, "first")[0];
    assert_eq!(first["host_uid"], 65534);
    assert_eq!(first["inside_uid"], 0);
    assert_eq!(snapshot["namespaces"]["hostname_inside"], "box");
    let user = snapshot["namespaces"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "user")
        .unwrap();
    assert_eq!(user["sharing"], "new");
}

#[test]
fn the_panels_see_a_process_started_in_the_shell_within_a_second() {
    use nslab::tui::panels::{self, PanelInput};

    let script = "echo END; sleep 1; (sleep 30; echo done)";
    let flags = ["--ns", "uts,pid,mnt", "--proc", "--rootfs"];
    let sandbox = Sandbox::start(&flags, script);
    let input = PanelInput {
        launcher: Some(Pid::from_raw(sandbox.launcher)),
        spec: nslab::inspect::find::launch_request(sandbox.launcher)
            .unwrap()
            .spec,
        previous: None,
        trace: Some(sandbox.trace.clone()),
    };

    // Poll as the TUI's worker does, but faster, until the new process shows.
    let started = std::time::Instant::now();
    let seen = loop {
        let data = panels::collect(&input);
        let rows = &data.snapshot.pids.rows;
        if rows
            .iter()
            .any(|r| r.command.contains("sleep 30") && r.inside_pid >= Some(2))
        {
            break true;
        }
        if started.elapsed() > Duration::from_secs(3) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(seen, "the subshell never appeared in the PIDs panel");
    assert!(started.elapsed() < Duration::from_millis(2500));
}

#[test]
fn another_users_sandbox_is_shown_as_far_as_proc_allows() {
    if !nix::unistd::getuid().is_root() {
        return; // needs a sandbox of one user and an inspector of another
    }
    let sandbox = Sandbox::start(&["--ns", "uts,pid,mnt", "--proc", "--rootfs"], REPORT);
    let snapshot = sandbox.inspect_as(&AS_NOBODY, sandbox.launcher);

    // The request in the launcher's environment and the namespace links are root's alone, but
    // the PIDs, and whether there is a PID namespace, are readable by anyone.
    assert_eq!(snapshot["spec"], "unknown");
    assert!(snapshot["code"]["go"].as_array().unwrap().is_empty());
    assert!(snapshot["pids"]["own_pid_namespace"].as_bool().unwrap());
    assert_eq!(rows_with_role(&snapshot, "first")[0]["inside_pid"], 1);
    assert_eq!(snapshot["proc"]["kind"], "unknown");
}
