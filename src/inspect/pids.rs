//! The PIDs panel: every process of the sandbox, with its PID on the host and inside.
//!
//! The sandbox is the launcher's descendants. The launcher stays on the host side of the PID
//! namespace, so its only child is the first process inside: PID 1 there, a high PID here.

use std::collections::{BTreeMap, VecDeque};

use serde::Serialize;

use crate::inspect::process;

/// At most this many processes are listed, so a fork bomb in the shell cannot stall the panel.
const MAX_PROCESSES: usize = 512;

/// Which part a process plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// nslab's launcher, on the host side.
    Launcher,
    /// The sandbox's first process (PID 1 with a PID namespace).
    First,
    /// Any later process of the sandbox.
    Descendant,
}

/// One process, as the host and the sandbox each number it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PidRow {
    /// Its part in the sandbox.
    pub role: Role,
    /// The PID the host sees.
    pub host_pid: i32,
    /// The PID in each nested PID namespace, host first (`NSpid:`); empty on old kernels.
    pub nspid: Vec<i32>,
    /// The PID inside the sandbox, when known: the last of `nspid`.
    pub inside_pid: Option<i32>,
    /// The parent's PID on the host.
    pub host_ppid: i32,
    /// The parent's PID inside: 0 when the parent is outside the sandbox's PID namespace, as
    /// `ps` shows for PID 1.
    pub inside_ppid: Option<i32>,
    /// The real user on the host.
    pub host_uid: u32,
    /// Its name on the host, from the host's user database.
    pub host_user: Option<String>,
    /// The same user inside, through the process's uid map; `None` when unmapped (shown as
    /// 65534, nobody).
    pub inside_uid: Option<u32>,
    /// Its name inside, from the sandbox root's `/etc/passwd`.
    pub inside_user: Option<String>,
    /// The command line, or `[name]` when it is empty.
    pub command: String,
}

/// The PIDs panel's data.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PidView {
    /// The launcher first, then the sandbox in breadth-first order.
    pub rows: Vec<PidRow>,
    /// True when the sandbox has its own PID namespace.
    pub own_pid_namespace: bool,
    /// True when some process had no `NSpid:` line (Linux before 4.1).
    pub nspid_missing: bool,
    /// One sentence on how the two numberings relate.
    pub note: String,
}

/// Lists the launcher and its descendants. `own_pid_namespace` comes from the namespace panel;
/// when it could not tell (another user's sandbox hides its namespace links), the NSpid chains
/// decide: a process one PID namespace deeper than the launcher has a longer chain.
pub fn collect(launcher: i32, own_pid_namespace: Option<bool>) -> PidView {
    // Walk the tree breadth-first from the launcher; a process that exits between reading its
    // parent's children and reading its own status is simply not listed.
    let mut found = Vec::new();
    let mut queue = VecDeque::from([(launcher, Role::Launcher)]);
    while let Some((pid, role)) = queue.pop_front() {
        if found.len() >= MAX_PROCESSES {
            break;
        }
        let Ok(status) = process::status(pid) else {
            continue;
        };
        let child_role = match role {
            Role::Launcher => Role::First,
            _ => Role::Descendant,
        };
        queue.extend(process::children(pid).into_iter().map(|c| (c, child_role)));
        found.push((pid, role, status));
    }

    let first = found.iter().find(|(_, role, _)| *role == Role::First);
    let own_pid_namespace = own_pid_namespace.unwrap_or_else(|| {
        let depth = |role| {
            found
                .iter()
                .find(|(_, r, _)| *r == role)
                .map(|(_, _, s)| s.nspid.len())
        };
        matches!((depth(Role::Launcher), depth(Role::First)), (Some(l), Some(f)) if l > 0 && f > l)
    });
    let passwd = first.and_then(|(pid, _, _)| inside_passwd(*pid));
    let inside_pids: BTreeMap<i32, Option<i32>> = found
        .iter()
        .map(|(pid, _, status)| (*pid, status.nspid.last().copied()))
        .collect();

    let mut view = PidView {
        own_pid_namespace,
        ..PidView::default()
    };
    for (pid, role, status) in found {
        view.nspid_missing |= status.nspid.is_empty();
        let inside_uid = process::read(pid, "uid_map")
            .ok()
            .and_then(|map| process::map_outside_id(&process::parse_id_map(&map), status.uid));
        let inside_ppid = match role {
            Role::Launcher => None,
            Role::First if own_pid_namespace => Some(0),
            _ => inside_pids.get(&status.ppid).copied().flatten(),
        };
        let command = match process::cmdline(pid) {
            Ok(args) if !args.is_empty() => args.join(" "),
            _ => format!("[{}]", status.name),
        };
        view.rows.push(PidRow {
            role,
            host_pid: pid,
            inside_pid: status.nspid.last().copied(),
            nspid: status.nspid,
            host_ppid: status.ppid,
            inside_ppid,
            host_uid: status.uid,
            host_user: host_user_name(status.uid),
            inside_uid,
            inside_user: inside_uid.and_then(|uid| passwd_name(passwd.as_deref()?, uid)),
            command,
        });
    }
    view.note = note(&view);
    view
}

fn note(view: &PidView) -> String {
    if !view.own_pid_namespace {
        return "no PID namespace: the sandbox's processes have the same PIDs inside as on the \
                host, and `ps` inside can see every host process"
            .to_string();
    }
    if view.nspid_missing {
        return "this kernel has no NSpid line in /proc/PID/status (Linux before 4.1), so the \
                PIDs inside cannot be read from the host"
            .to_string();
    }
    "a PID namespace: the first process is PID 1 inside and has a high PID on the host; the \
     launcher stays outside and is not visible inside"
        .to_string()
}

fn host_user_name(uid: u32) -> Option<String> {
    let user = nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid)).ok()??;
    Some(user.name)
}

/// The sandbox root's user database, read through `/proc/PID/root`.
fn inside_passwd(pid: i32) -> Option<String> {
    process::read(pid, "root/etc/passwd").ok()
}

/// Finds the name of `uid` in the text of a passwd(5) file.
pub fn passwd_name(passwd: &str, uid: u32) -> Option<String> {
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let id: u32 = fields.nth(1)?.parse().ok()?;
        (id == uid).then(|| name.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwd_lookup_finds_the_name_by_the_third_field() {
        let passwd = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n";
        assert_eq!(passwd_name(passwd, 0).as_deref(), Some("root"));
        assert_eq!(passwd_name(passwd, 65534).as_deref(), Some("nobody"));
        assert_eq!(passwd_name(passwd, 7), None);
    }

    #[test]
    fn this_process_is_listed_as_its_own_launcher() {
        let me = std::process::id() as i32;
        let view = collect(me, Some(false));
        assert_eq!(view.rows[0].host_pid, me);
        assert_eq!(view.rows[0].role, Role::Launcher);
        assert!(view.note.contains("no PID namespace"));
    }

    #[test]
    fn a_vanished_launcher_gives_no_rows() {
        let view = collect(i32::MAX, None);
        assert!(view.rows.is_empty());
    }
}
