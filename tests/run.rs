//! `nslab run` against real namespaces: the seed step's observations, exit statuses, a clean
//! start for the command, nothing left on the host, and the unprivileged path.
//!
//! These tests need root (CI and the development machines run as root); the unprivileged ones
//! drop to `nobody` with setpriv(1).

use std::fs;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use nslab::sandbox::trace::Phase;

fn nslab() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_nslab"));
    // Errors these tests provoke on purpose stay out of the user's own log.
    command.env("NSLAB_LOG", "off");
    command
}

fn run(args: &[&str]) -> Output {
    nslab()
        .arg("run")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("nslab runs")
}

fn stdout_lines(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

fn host_hostname() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname").unwrap()
}

/// The host's mount table without the per-mount IDs, which are all that may differ.
fn host_mounts() -> String {
    fs::read_to_string("/proc/self/mountinfo").unwrap()
}

#[test]
fn uts_pid_mnt_with_proc_shows_pid_1_and_own_hostname_and_leaves_host_alone() {
    let (hostname, mounts) = (host_hostname(), host_mounts());
    let output = run(&[
        "--ns",
        "uts,pid,mnt",
        "--proc",
        "--hostname",
        "box",
        "--",
        "sh",
        "-c",
        "echo $$; hostname; ps -e | wc -l",
    ]);
    assert!(output.status.success(), "{output:?}");
    let lines = stdout_lines(&output);
    assert_eq!(lines[0], "1");
    assert_eq!(lines[1], "box");
    let count: usize = lines[2].trim().parse().unwrap();
    assert!(count <= 4, "ps -e inside listed {count} lines");
    assert_eq!(host_hostname(), hostname);
    assert_eq!(host_mounts(), mounts);
}

#[test]
fn seed_step_in_the_rootfs_has_an_empty_proc_and_mount_fails() {
    let output = run(&[
        "--ns",
        "uts,pid,mnt",
        "--rootfs",
        "--",
        "sh",
        "-c",
        "echo $$; ls /proc | wc -l; ps -eaf; mount",
    ]);
    let lines = stdout_lines(&output);
    assert_eq!(lines[0], "1");
    assert_eq!(lines[1].trim(), "0");
    assert_eq!(
        lines[2].split_whitespace().next(),
        Some("PID"),
        "ps prints its header"
    );
    assert_eq!(lines.len(), 3, "and no process rows: {lines:?}");
    assert!(!output.status.success(), "mount fails without /proc/mounts");
    assert!(String::from_utf8_lossy(&output.stderr).contains("/proc/mounts"));
}

#[test]
fn exit_status_is_the_commands() {
    assert_eq!(run(&["--", "sh", "-c", "exit 7"]).status.code(), Some(7));
    let killed = run(&["--ns", "pid", "--", "sh", "-c", "kill -TERM $$; sleep 5"]);
    // As PID 1 of its namespace the shell ignores a SIGTERM it has no handler for, goes on,
    // and exits normally; as an ordinary process the same signal ends it with 128+15.
    assert_eq!(killed.status.code(), Some(0), "{killed:?}");
    let killed = run(&["--ns", "uts", "--", "sh", "-c", "kill -TERM $$; sleep 5"]);
    assert_eq!(killed.status.code(), Some(128 + 15));
}

#[test]
fn three_commands_in_a_row_work_inside_a_pid_namespace() {
    // Regression: unsharing CLONE_NEWPID without forking made the first command PID 1, and
    // every fork after it exited failed with ENOMEM.
    let output = run(&[
        "--ns",
        "pid",
        "--",
        "sh",
        "-c",
        "/bin/true; /bin/true; /bin/true; echo ok",
    ]);
    assert_eq!(stdout_lines(&output), vec!["ok"], "{output:?}");
}

#[test]
fn the_command_starts_with_default_signals_and_only_stdio_open() {
    // The command itself reads its status, so nothing between nslab and it can hide a
    // difference. (A shell that is waiting for a child blocks every signal for a moment, so
    // reading a busy shell's status from outside would be racy.)
    let output = run(&[
        "--ns",
        "pid,mnt",
        "--proc",
        "--",
        "grep",
        "^Sig",
        "/proc/self/status",
    ]);
    let lines = stdout_lines(&output);
    assert!(
        lines.contains(&"SigBlk:\t0000000000000000".to_string()),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"SigIgn:\t0000000000000000".to_string()),
        "{lines:?}"
    );

    let output = run(&[
        "--ns",
        "pid,mnt",
        "--proc",
        "--",
        "sh",
        "-c",
        "ls /proc/$$/fd",
    ]);
    assert_eq!(
        stdout_lines(&output),
        ["0", "1", "2"],
        "only stdio is open in the shell"
    );
}

#[test]
fn pivot_root_leaves_no_old_root() {
    let output = run(&[
        "--ns",
        "pid,mnt",
        "--rootfs",
        "--pivot",
        "--proc",
        "--",
        "sh",
        "-c",
        "cat /proc/self/mountinfo",
    ]);
    assert!(output.status.success(), "{output:?}");
    let lines = stdout_lines(&output);
    assert_eq!(lines.len(), 2, "the new root and its proc only: {lines:?}");
    assert!(lines[0].split_whitespace().nth(4) == Some("/"));
    assert!(lines[1].contains(" /proc ") && lines[1].contains(" - proc "));
}

#[test]
fn proc_without_a_mount_namespace_never_reaches_the_real_host() {
    let mounts = host_mounts();
    let output = run(&[
        "--ns",
        "pid",
        "--rootfs",
        "--proc",
        "--",
        "sh",
        "-c",
        "ps -e | wc -l",
    ]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(host_mounts(), mounts);

    let output = run(&[
        "--ns",
        "pid,mnt",
        "--propagation",
        "shared",
        "--rootfs",
        "--proc",
        "--",
        "true",
    ]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(host_mounts(), mounts);
}

#[test]
fn the_setup_trace_records_each_call_and_the_fork() {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("trace.jsonl");
    let output = run(&[
        "--ns",
        "uts,pid",
        "--hostname",
        "box",
        "--trace",
        trace.to_str().unwrap(),
        "--",
        "true",
    ]);
    assert!(output.status.success(), "{output:?}");
    let events = nslab::sandbox::trace::read_trace(&trace).unwrap();

    // The two processes write at the same time, so only each one's own order is fixed.
    let calls_of = |phase| {
        events
            .iter()
            .filter(|e| e.phase == phase)
            .map(|e| (e.call.as_str(), e.pid))
            .collect::<Vec<_>>()
    };
    let launcher = calls_of(Phase::Launcher);
    let names: Vec<&str> = launcher.iter().map(|(call, _)| *call).collect();
    assert_eq!(names, ["unshare", "fork", "exit"]);
    assert!(launcher[0].1 > 1, "the launcher has a host PID");
    assert_eq!(calls_of(Phase::Child), [("sethostname", 1), ("exec", 1)]);
}

#[test]
fn invalid_isolation_is_refused_with_the_rule() {
    let cases = [
        (
            vec!["--hostname", "x", "--", "true"],
            "needs the uts namespace",
        ),
        (
            vec!["--rootfs", "--pivot", "--", "true"],
            "pivot_root needs the mnt namespace",
        ),
        (
            vec!["--ns", "pid,time", "--", "true"],
            "unknown namespace 'time'",
        ),
        (vec!["--root", "/does/not/exist", "--", "true"], "not found"),
    ];
    for (args, message) in cases {
        let output = run(&args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(125), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn missing_and_unrunnable_commands_exit_like_a_shell() {
    // Regression: a path that did not exist exited 126, a name that did not exist 127.
    assert_eq!(run(&["--", "/no/such/command"]).status.code(), Some(127));
    assert_eq!(run(&["--", "no-such-command"]).status.code(), Some(127));
    assert_eq!(run(&["--", "/etc/hostname"]).status.code(), Some(126));
}

#[test]
fn a_mistyped_option_is_an_error_not_the_command() {
    // Regression: `--hostnme box` was taken as the command to run inside the sandbox.
    let output = run(&["--hostnme", "box", "--ns", "uts", "--", "hostname"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(125),
        "nslab's own failure: {stderr}"
    );
    assert!(
        stderr.contains("unexpected argument '--hostnme'"),
        "{stderr}"
    );
    assert!(
        stderr.contains("--hostname"),
        "clap suggests the right one: {stderr}"
    );

    // Options of the lesson commands mean nothing to run, and are refused rather than ignored.
    let output = run(&["--fresh", "--", "true"]);
    assert_eq!(output.status.code(), Some(125), "{output:?}");

    // Options after the command belong to the command.
    let output = run(&["--ns", "uts", "sh", "-c", "echo $0", "-x"]);
    assert_eq!(stdout_lines(&output), ["-x"], "{output:?}");
}

/// Spawns `command` with `script` as its last argument, and returns once the script has
/// printed `ready`.
fn spawn_until_ready(mut command: Command, script: &str) -> std::process::Child {
    let mut child = command
        .arg(script)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready");
    child
}

/// Starts `nslab run` with a shell that starts background sleeps, waits until they run, and
/// returns nslab's child along with every PID below it.
fn start_with_background_jobs(namespaces: &str) -> (std::process::Child, Vec<i32>) {
    let mut command = nslab();
    command.args(["run", "--ns", namespaces, "--", "sh", "-c"]);
    let child = spawn_until_ready(command, "sleep 300 & sleep 300 & echo ready; wait");
    let below = nslab::sandbox::reap::descendants(nix::unistd::Pid::from_raw(child.id() as i32));
    let pids: Vec<i32> = below.iter().map(|pid| pid.as_raw()).collect();
    assert!(
        pids.len() >= 3,
        "the shell, two sleeps (and the launcher if apart): {pids:?}"
    );
    (child, pids)
}

fn gone(pid: i32) -> bool {
    // A zombie is dead; it only waits for the host's init to reap it.
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
        Err(_) => true,
    }
}

fn assert_all_gone_soon(pids: &[i32]) {
    let deadline = Instant::now() + Duration::from_secs(2);
    while !pids.iter().all(|pid| gone(*pid)) {
        assert!(
            Instant::now() < deadline,
            "still running after kill -9 of nslab: {pids:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Kills nslab with SIGKILL while its shell has background jobs, and waits for every process
/// below it to go.
fn assert_nothing_left_after_kill_9(namespaces: &str) {
    let (mut child, pids) = start_with_background_jobs(namespaces);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_all_gone_soon(&pids);
}

#[test]
fn nothing_is_left_after_kill_9_of_nslab_with_a_pid_namespace() {
    assert_nothing_left_after_kill_9("pid,mnt");
}

#[test]
fn nothing_is_left_after_kill_9_of_nslab_without_a_pid_namespace() {
    // Without a PID namespace the kernel does not kill the jobs with the shell: the launcher,
    // a child subreaper, has to find them.
    assert_nothing_left_after_kill_9("uts");
}

#[test]
fn background_jobs_end_with_the_shell() {
    let output = run(&["--ns", "uts", "--", "sh", "-c", "sleep 300 & echo $!"]);
    let pid: i32 = stdout_lines(&output)[0].parse().unwrap();
    assert_all_gone_soon(&[pid]);
}

/// A home for `nobody`, removed when dropped.
struct NobodyHome(tempfile::TempDir);

impl NobodyHome {
    fn new() -> NobodyHome {
        let dir = tempfile::tempdir().unwrap();
        nix::unistd::chown(dir.path(), Some(65534.into()), Some(65534.into())).unwrap();
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        NobodyHome(dir)
    }

    fn run(&self, args: &[&str]) -> Output {
        let home: &Path = self.0.path();
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(env!("CARGO_BIN_EXE_nslab"))
            .args(args)
            .env_clear()
            .env("HOME", home)
            .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            .current_dir(home)
            .stdin(Stdio::null())
            .output()
            .expect("setpriv runs")
    }
}

#[test]
fn unprivileged_user_gets_the_same_views_through_a_user_namespace() {
    let home = NobodyHome::new();
    let (hostname, mounts) = (host_hostname(), host_mounts());

    let output = home.run(&[
        "run",
        "--ns",
        "uts,pid,mnt",
        "--proc",
        "--hostname",
        "box",
        "--",
        "sh",
        "-c",
        "echo $$; hostname; ps -e | wc -l; id -u",
    ]);
    let lines = stdout_lines(&output);
    assert_eq!(lines[..2], ["1", "box"], "{output:?}");
    assert!(lines[2].trim().parse::<usize>().unwrap() <= 4);
    assert_eq!(lines[3], "0", "root inside the user namespace");

    let output = home.run(&[
        "run",
        "--ns",
        "uts,pid,mnt",
        "--rootfs",
        "--",
        "sh",
        "-c",
        "echo $$; ls /proc | wc -l; mount",
    ]);
    assert_eq!(stdout_lines(&output)[..2], ["1", "0"], "{output:?}");
    assert!(!output.status.success());

    let output = home.run(&[
        "run", "--ns", "pid,mnt", "--rootfs", "--pivot", "--proc", "--", "sh", "-c", "ps -e",
    ]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        home.run(&["run", "--", "sh", "-c", "exit 7"]).status.code(),
        Some(7)
    );

    assert_eq!(host_hostname(), hostname);
    assert_eq!(host_mounts(), mounts);
}

#[test]
fn doctor_reports_every_namespace_kind() {
    let output = nslab().arg("doctor").output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    for kind in ["uts", "pid", "mnt", "ipc", "net", "user", "cgroup"] {
        assert!(
            text.lines()
                .any(|line| line.contains("namespace") && line.contains(kind)),
            "{kind} missing from:\n{text}"
        );
    }
    assert!(
        output.status.success(),
        "this machine allows every kind:\n{text}"
    );
}

#[test]
fn blocked_user_namespaces_get_a_message_naming_the_setting() {
    // user.max_user_namespaces is per user namespace: setting it to 0 inside a throwaway one
    // (made by unshare(1)) blocks nested ones there and leaves the host's value alone.
    let script = format!(
        "echo 0 > /proc/sys/user/max_user_namespaces && exec {} run --ns user,uts -- true",
        env!("CARGO_BIN_EXE_nslab")
    );
    let output = Command::new("unshare")
        .args(["--user", "--map-root-user", "sh", "-c", &script])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(125), "{stderr}");
    assert!(stderr.contains("user.max_user_namespaces = 0"), "{stderr}");
    assert!(
        stderr.contains("sysctl -w user.max_user_namespaces="),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn the_root_filesystem_is_not_rebuilt_under_a_running_sandbox() {
    // Regression: a rebuild swapped the tree away and left the running shell in a deleted
    // directory (`getcwd: No such file or directory`).
    let cache = tempfile::tempdir().unwrap();
    let nslab_with_cache = |args: &[&str]| {
        let mut command = nslab();
        command.args(args).env("XDG_CACHE_HOME", cache.path());
        command
    };
    let run = nslab_with_cache(&["run", "--ns", "pid,mnt", "--rootfs", "--", "sh", "-c"]);
    let mut sandbox = spawn_until_ready(run, "echo ready; sleep 300");

    let refused = nslab_with_cache(&["rootfs", "--rebuild"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{stderr}");
    assert!(stderr.contains("in use by the sandbox"), "{stderr}");

    sandbox.kill().unwrap();
    sandbox.wait().unwrap();
    let rebuilt = nslab_with_cache(&["rootfs", "--rebuild"]).output().unwrap();
    assert!(rebuilt.status.success(), "{rebuilt:?}");
}

#[test]
fn a_job_left_in_the_stand_in_host_shell_ends_with_it() {
    // Regression: `nohup sleep &` in the host pane of a step with a stand-in host mount
    // namespace outlived nslab and kept that namespace, with the sandbox's proc, alive.
    let mut command = nslab();
    command.args(["run", "--ns", "pid", "--rootfs", "--proc", "--", "sh", "-c"]);
    let mut sandbox = spawn_until_ready(command, "echo ready; sleep 300");
    // With a PID namespace, `nslab run` is its own launcher.
    let launcher = sandbox.id().to_string();

    let output = nslab()
        .args(["__host-shell", &launcher])
        .env("SHELL", "/bin/sh")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut shell| {
            use std::io::Write;
            let script = "grep -c rootfs/proc /proc/self/mountinfo\n\
                          nohup sleep 300 >/dev/null 2>&1 &\necho $!\n";
            shell.stdin.take().unwrap().write_all(script.as_bytes())?;
            shell.wait_with_output()
        })
        .unwrap();
    let lines = stdout_lines(&output);
    assert_eq!(
        lines[0], "1",
        "the host shell sees the stand-in's proc mount: {lines:?}"
    );
    let job: i32 = lines[1].parse().unwrap();
    assert_all_gone_soon(&[job]);

    sandbox.kill().unwrap();
    sandbox.wait().unwrap();
}
