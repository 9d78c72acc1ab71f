//! The processes nslab started, found through /proc, to check that none outlives it.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// Every process below `root`, with its start time (to tell a reused PID apart).
pub fn descendants(root: i32) -> BTreeMap<i32, u64> {
    let mut parents = BTreeMap::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        if let Some((ppid, start)) = stat(pid) {
            parents.insert(pid, (ppid, start));
        }
    }
    let mut found = BTreeMap::new();
    let mut frontier = vec![root];
    while let Some(parent) = frontier.pop() {
        for (pid, (ppid, start)) in &parents {
            if *ppid == parent && found.insert(*pid, *start).is_none() {
                frontier.push(*pid);
            }
        }
    }
    found
}

/// The parent and start time of `pid`, from /proc/PID/stat (fields 4 and 22, after the
/// command name, which may contain spaces and parentheses).
fn stat(pid: i32) -> Option<(i32, u64)> {
    let text =
        std::fs::read_to_string(Path::new("/proc").join(pid.to_string()).join("stat")).ok()?;
    let fields: Vec<&str> = text[text.rfind(')')? + 2..].split(' ').collect();
    Some((fields.get(1)?.parse().ok()?, fields.get(19)?.parse().ok()?))
}

/// Waits until a process named `name` runs below `root`.
pub fn wait_for_process(root: i32, name: &str, within: Duration) {
    let deadline = Instant::now() + within;
    let comm = |pid: &i32| std::fs::read_to_string(format!("/proc/{pid}/comm")).ok();
    while !descendants(root)
        .keys()
        .any(|pid| comm(pid).is_some_and(|c| c.trim() == name))
    {
        assert!(Instant::now() < deadline, "no {name} process below nslab");
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn wait_until_gone(processes: &BTreeMap<i32, u64>, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let alive: Vec<i32> = processes
            .iter()
            .filter(|(pid, start)| stat(**pid).is_some_and(|(_, s)| s == **start))
            .map(|(pid, _)| *pid)
            .collect();
        if alive.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "processes outlived nslab: {alive:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
