//! Real sandboxes, inspected from outside: what `nslab inspect --json` reports must match what
//! commands inside the sandbox print about themselves.

mod inspect_harness;

use std::collections::BTreeSet;

use serde_json::Value;

use inspect_harness::{REPORT, Sandbox, mount_points, nslab, rows_with_role};

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

    // The background sleep is a descendant. The script starts it right after printing END, so
    // until its exec the child is still a copy of the shell: look again for a moment.
    let has_sleep = |snapshot: &Value| {
        rows_with_role(snapshot, "descendant")
            .iter()
            .any(|r| r["command"].as_str().unwrap().contains("sleep 30"))
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let mut latest = snapshot.clone();
    while !has_sleep(&latest) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
        latest = sandbox.inspect(sandbox.launcher);
    }
    assert!(
        has_sleep(&latest),
        "{:?}",
        rows_with_role(&latest, "descendant")
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
    // Regression: the namespaces panel called the stand-in's mount namespace simply "new".
    let mnt = snapshot["namespaces"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["kind"] == "mnt")
        .unwrap();
    assert_eq!(mnt["sharing"], "stand-in", "{mnt}");
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
    let out = nslab(&[]).args(["inspect", "--json"]).output().unwrap();
    assert!(out.status.success());
    let newest: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(newest["launcher"].as_i64().unwrap() > 0);
}

#[test]
fn a_process_outside_any_sandbox_is_refused_with_a_reason() {
    let me = std::process::id().to_string();
    let out = nslab(&[]).args(["inspect", "--pid", &me]).output().unwrap();
    assert!(!out.status.success());
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(
        message.contains("not part of an nslab sandbox"),
        "{message}"
    );
}
