//! Making sure no process of the sandbox outlives it.
//!
//! With a PID namespace this is the kernel's job: when PID 1 dies, every other process in the
//! namespace is killed. Without one, a background job (or a daemon that double-forked) would
//! survive its shell. The launcher is therefore a child subreaper (prctl(2)
//! `PR_SET_CHILD_SUBREAPER`): orphans below it are reparented to it instead of to the host's
//! init, so every process the sandbox made is still a descendant of the launcher at the end,
//! and can be found through the `PPid` of each process and killed.

use std::collections::HashMap;
use std::fs;

use nix::sys::signal::{Signal, kill};
use nix::sys::wait::{WaitPidFlag, waitpid};
use nix::unistd::Pid;

/// Kills every descendant of `ancestor` and reaps them, until none is left.
pub fn kill_descendants(ancestor: Pid) {
    // A process may fork while we kill its parent, so go round until a scan finds nothing.
    for _ in 0..100 {
        let found = descendants(ancestor);
        if found.is_empty() {
            return;
        }
        for pid in &found {
            let _ = kill(*pid, Signal::SIGKILL);
        }
        reap_all();
    }
    tracing::warn!(%ancestor, "descendants still appearing after 100 rounds of SIGKILL");
}

/// Reaps every child that has already exited, without waiting.
pub fn reap_all() {
    while let Ok(status) = waitpid(None, Some(WaitPidFlag::WNOHANG)) {
        if status.pid().is_none() {
            break;
        }
    }
}

/// Every process below `ancestor`.
///
/// Each thread lists its children in `/proc/PID/task/TID/children` (Linux 4.2 and later, with
/// CONFIG_PROC_CHILDREN), which costs a few reads for a small sandbox. Without that file every
/// process's parent is read from `/proc/PID/stat` instead.
pub fn descendants(ancestor: Pid) -> Vec<Pid> {
    let mut found = Vec::new();
    let mut queue = vec![ancestor.as_raw()];
    while let Some(pid) = queue.pop() {
        let Some(children) = children_of(pid) else {
            return descendants_by_scan(ancestor);
        };
        for child in children {
            found.push(Pid::from_raw(child));
            queue.push(child);
        }
    }
    found
}

/// The children of every thread of `pid`; `None` when the kernel has no children files. A
/// process that is already gone has no children.
fn children_of(pid: i32) -> Option<Vec<i32>> {
    let tasks = match fs::read_dir(format!("/proc/{pid}/task")) {
        Ok(tasks) => tasks,
        Err(_) => return Some(Vec::new()),
    };
    let mut children = Vec::new();
    for task in tasks.flatten() {
        match fs::read_to_string(task.path().join("children")) {
            Ok(list) => children.extend(
                list.split_whitespace()
                    .filter_map(|p| p.parse::<i32>().ok()),
            ),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound && task.path().exists() => {
                return None;
            }
            Err(_) => {}
        }
    }
    Some(children)
}

/// Every process below `ancestor`, found by reading the parent of every process on the host.
fn descendants_by_scan(ancestor: Pid) -> Vec<Pid> {
    let mut children: HashMap<i32, Vec<i32>> = HashMap::new();
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|name| name.parse::<i32>().ok())
        else {
            continue;
        };
        // The process may be gone by now; it then has no children to worry about.
        if let Some(ppid) = fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|stat| parent_from_stat(&stat))
        {
            children.entry(ppid).or_default().push(pid);
        }
    }

    let mut found = Vec::new();
    let mut queue = vec![ancestor.as_raw()];
    while let Some(pid) = queue.pop() {
        for child in children.get(&pid).into_iter().flatten() {
            found.push(Pid::from_raw(*child));
            queue.push(*child);
        }
    }
    found
}

/// The parent PID from a `/proc/PID/stat` line. The command name in parentheses may itself
/// hold spaces and parentheses, so fields are counted from the last `)` (see proc(5)).
pub fn parent_from_stat(stat: &str) -> Option<i32> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_is_read_after_a_command_name_with_spaces_and_parens() {
        let stat = "4242 (a (weird) name) S 17 4242 4242 0 -1 4194560";
        assert_eq!(parent_from_stat(stat), Some(17));
        assert_eq!(parent_from_stat("garbage"), None);
    }

    #[test]
    fn finds_the_grandchildren_of_a_process() {
        let mut shell = std::process::Command::new("sh")
            .args(["-c", "sleep 30 & wait"])
            .spawn()
            .unwrap();
        let shell_pid = Pid::from_raw(shell.id() as i32);

        // Only the shell's own subtree is looked at and killed: other tests run beside this one.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let mut found = descendants(shell_pid);
        while found.is_empty() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
            found = descendants(shell_pid);
        }
        assert_eq!(found.len(), 1, "the sleep below the shell: {found:?}");
        assert!(
            descendants(Pid::this()).contains(&found[0]),
            "a grandchild of the test"
        );

        for pid in found {
            let _ = kill(pid, Signal::SIGKILL);
        }
        shell.wait().unwrap();
    }
}
