//! One process as `/proc/PID` describes it: status, command line, start time, uid map.
//!
//! Every read here may fail because the process exited between two reads, or because the
//! caller may not look at it. Such failures are answers, not errors: a vanished process is
//! simply left out, an unreadable field is shown as unknown.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The fields of `/proc/PID/status` that the panels show.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProcStatus {
    /// The command name (`Name:`), at most 15 bytes.
    pub name: String,
    /// The parent's PID as the reader sees it (`PPid:`); 0 when the parent is outside the
    /// reader's PID namespace.
    pub ppid: i32,
    /// The real user ID (`Uid:`, first field) as the reader's user namespace sees it.
    pub uid: u32,
    /// The PID in each PID namespace the process is in, from the reader's namespace down to
    /// the process's own (`NSpid:`). Empty when the kernel is older than 4.1 and has no such
    /// line.
    pub nspid: Vec<i32>,
}

/// Parses the text of `/proc/PID/status`.
///
/// proc(5): each line is `Key:\tvalue`. `Uid:` holds four ids (real, effective, saved,
/// filesystem); the real one comes first. `NSpid:` appeared in Linux 4.1; without it the chain
/// is left empty rather than guessed.
pub fn parse_status(text: &str) -> ProcStatus {
    let mut status = ProcStatus::default();
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key {
            "Name" => status.name = value.to_string(),
            "PPid" => status.ppid = value.parse().unwrap_or(0),
            "Uid" => {
                let real = value.split_whitespace().next();
                status.uid = real.and_then(|id| id.parse().ok()).unwrap_or(u32::MAX);
            }
            "NSpid" => {
                status.nspid = value
                    .split_whitespace()
                    .filter_map(|pid| pid.parse().ok())
                    .collect();
            }
            _ => {}
        }
    }
    status
}

/// Joins the NUL-separated arguments of `/proc/PID/cmdline` with spaces.
pub fn parse_cmdline(bytes: &[u8]) -> Vec<String> {
    bytes
        .split(|b| *b == 0)
        .filter(|arg| !arg.is_empty())
        .map(|arg| String::from_utf8_lossy(arg).into_owned())
        .collect()
}

/// The start time (field 22 of `/proc/PID/stat`), in clock ticks since boot.
///
/// proc(5): field 2 is the command name in parentheses and may itself contain spaces and
/// parentheses, so the fields are counted from the *last* `)`.
pub fn parse_start_time(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    // After the name come field 3 (state) onwards, so field 22 is the 20th of these.
    after_name.split_whitespace().nth(19)?.parse().ok()
}

/// One line of `/proc/PID/uid_map`: `inside outside count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdRange {
    /// The first id inside the user namespace.
    pub inside: u32,
    /// The id it stands for outside.
    pub outside: u32,
    /// How many consecutive ids are mapped.
    pub count: u32,
}

/// Parses `uid_map` or `gid_map`. proc(5) and user_namespaces(7): when the reader is in
/// another user namespace than the process, the second field is relative to the reader's.
pub fn parse_id_map(text: &str) -> Vec<IdRange> {
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace().map(|f| f.parse::<u32>());
            Some(IdRange {
                inside: fields.next()?.ok()?,
                outside: fields.next()?.ok()?,
                count: fields.next()?.ok()?,
            })
        })
        .collect()
}

/// The id inside the namespace for an id outside, or `None` when it is not mapped (the
/// process then sees the overflow id, 65534, "nobody").
pub fn map_outside_id(map: &[IdRange], outside: u32) -> Option<u32> {
    map.iter().find_map(|range| {
        let offset = outside.checked_sub(range.outside)?;
        (offset < range.count).then(|| range.inside + offset)
    })
}

/// `/proc/PID`.
pub fn dir(pid: i32) -> PathBuf {
    PathBuf::from(format!("/proc/{pid}"))
}

/// Reads a file under `/proc/PID`, as text.
pub fn read(pid: i32, name: &str) -> io::Result<String> {
    fs::read_to_string(dir(pid).join(name))
}

/// Reads `/proc/PID/status`.
pub fn status(pid: i32) -> io::Result<ProcStatus> {
    read(pid, "status").map(|text| parse_status(&text))
}

/// Reads `/proc/PID/cmdline`; empty for kernel threads and zombies.
pub fn cmdline(pid: i32) -> io::Result<Vec<String>> {
    fs::read(dir(pid).join("cmdline")).map(|bytes| parse_cmdline(&bytes))
}

/// Reads the start time of a process.
pub fn start_time(pid: i32) -> Option<u64> {
    read(pid, "stat").ok().as_deref().and_then(parse_start_time)
}

/// The direct children of a process: the union of `/proc/PID/task/TID/children` over its
/// threads (proc(5): the file lists the children of that one thread).
pub fn children(pid: i32) -> Vec<i32> {
    let Ok(tasks) = fs::read_dir(dir(pid).join("task")) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for task in tasks.flatten() {
        let path = task.path().join("children");
        if let Ok(text) = fs::read_to_string(&path) {
            found.extend(
                text.split_whitespace()
                    .filter_map(|p| p.parse::<i32>().ok()),
            );
        }
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// Reads a namespace link such as `/proc/PID/ns/uts` and returns its inode number.
pub fn namespace_id(pid: i32, kind: &str) -> io::Result<u64> {
    let link = fs::read_link(dir(pid).join("ns").join(kind))?;
    parse_namespace_link(&link).ok_or_else(|| io::Error::other("not a namespace link"))
}

/// `uts:[4026531838]` → 4026531838.
pub fn parse_namespace_link(link: &Path) -> Option<u64> {
    let text = link.to_str()?;
    let inside = text.split_once(":[")?.1.strip_suffix(']')?;
    inside.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS_OLD_KERNEL: &str = "Name:\tsh\nState:\tS (sleeping)\nTgid:\t812\n\
        Pid:\t812\nPPid:\t811\nUid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\n";

    #[test]
    fn status_without_nspid_leaves_the_chain_empty() {
        let status = parse_status(STATUS_OLD_KERNEL);
        assert_eq!(status.name, "sh");
        assert_eq!(status.ppid, 811);
        assert_eq!(status.uid, 1000);
        assert!(status.nspid.is_empty());
    }

    #[test]
    fn status_with_nspid_lists_outer_to_inner() {
        let text = format!("{STATUS_OLD_KERNEL}NSpid:\t9329\t1\n");
        assert_eq!(parse_status(&text).nspid, vec![9329, 1]);
    }

    #[test]
    fn start_time_survives_a_command_name_with_parentheses_and_spaces() {
        let stat = "42 (a) b (c) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 777 0 0";
        assert_eq!(parse_start_time(stat), Some(777));
    }

    #[test]
    fn outside_ids_map_through_the_ranges() {
        let map = parse_id_map("         0       1000          1\n  1 100000 65536\n");
        assert_eq!(map_outside_id(&map, 1000), Some(0));
        assert_eq!(map_outside_id(&map, 100_005), Some(6));
        assert_eq!(map_outside_id(&map, 0), None);
    }

    #[test]
    fn cmdline_and_namespace_links_parse() {
        assert_eq!(parse_cmdline(b"sh\0-c\0echo hi\0"), ["sh", "-c", "echo hi"]);
        assert_eq!(
            parse_namespace_link(Path::new("uts:[4026532174]")),
            Some(4026532174)
        );
        assert_eq!(parse_namespace_link(Path::new("garbage")), None);
    }
}
