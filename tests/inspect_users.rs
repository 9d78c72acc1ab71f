//! Inspecting across users, and through the panels' own code path: an ordinary user's sandbox,
//! another user's sandbox, and a process that appears while the panels poll.

mod inspect_harness;

use std::time::Duration;

use nix::unistd::Pid;

use inspect_harness::{AS_NOBODY, REPORT, Sandbox, rows_with_role};

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
