//! The mounts panel: the sandbox's mount table against the host side's, and what differs.
//!
//! The host side is the launcher's mount namespace. Usually that is the host's own; when a
//! step mounts proc without a mount namespace of its own, the launcher first steps into a
//! throwaway stand-in host namespace, and mounts that would have leaked to the real host land
//! there instead. Those are the leaks this panel highlights.
//!
//! Each process's mountinfo shows mount points relative to its own root, so an inside mount
//! point is prefixed with the sandbox's root directory before it is compared with the host's.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::inspect::mountinfo::{self, Mount};
use crate::inspect::process;

/// One mount, with what the comparison found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MountRow {
    /// The mount, as mountinfo gives it.
    #[serde(flatten)]
    pub mount: Mount,
    /// `shared:N`, `master:N` or `private`.
    pub propagation_label: String,
    /// Inside rows: the host side has no such mount.
    pub only_inside: bool,
    /// Host rows: the sandbox made this mount and the host side can see it.
    pub leaked: bool,
    /// A proc filesystem.
    pub proc: bool,
}

/// The mounts panel's data.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MountView {
    /// The sandbox's mount table, from its first process.
    pub inside: Vec<MountRow>,
    /// The host side's mount table, from the launcher.
    pub host: Vec<MountRow>,
    /// True when the host side is a stand-in mount namespace, not the real host's.
    pub host_is_stand_in: bool,
    /// Why the inside table could not be read.
    pub inside_error: Option<String>,
    /// Why the host side's table could not be read.
    pub host_error: Option<String>,
    /// What the diff means, in plain words.
    pub note: String,
}

impl MountView {
    /// The leaked mounts.
    pub fn leaks(&self) -> impl Iterator<Item = &MountRow> {
        self.host.iter().filter(|row| row.leaked)
    }
}

/// Reads and compares the mount tables. `root_dir` is the sandbox's root on the host, when
/// the step changes root.
pub fn collect(first: Option<i32>, launcher: Option<i32>, root_dir: Option<&Path>) -> MountView {
    let table = |pid: Option<i32>| -> Result<Vec<Mount>, String> {
        let pid = pid.ok_or("the sandbox is not running")?;
        let text = process::read(pid, "mountinfo").map_err(|err| err.to_string())?;
        Ok(mountinfo::parse(&text))
    };
    let inside = table(first);
    let host = table(launcher);
    let real_host = table(Some(std::process::id() as i32)).unwrap_or_default();

    let launcher_mnt = launcher.and_then(|pid| process::namespace_id(pid, "mnt").ok());
    let my_mnt = process::namespace_id(std::process::id() as i32, "mnt").ok();
    let host_is_stand_in = launcher_mnt.is_some() && launcher_mnt != my_mnt;

    let (inside, inside_error) = split(inside);
    let (host, host_error) = split(host);
    let mut view = compare(&inside, &host, &real_host, host_is_stand_in, root_dir);
    view.inside_error = inside_error;
    view.host_error = host_error;
    view
}

fn split(table: Result<Vec<Mount>, String>) -> (Vec<Mount>, Option<String>) {
    match table {
        Ok(mounts) => (mounts, None),
        Err(err) => (Vec::new(), Some(err)),
    }
}

/// Marks the mounts only inside and the leaks. `real_host` is the inspecting process's own
/// table, the real host, against which a stand-in's extra mounts are the sandbox's doing.
pub fn compare(
    inside: &[Mount],
    host: &[Mount],
    real_host: &[Mount],
    host_is_stand_in: bool,
    root_dir: Option<&Path>,
) -> MountView {
    let host_keys: HashSet<(&str, &str, PathBuf)> = host.iter().map(|m| key(m, None)).collect();
    let real_keys: HashSet<(&str, &str, PathBuf)> =
        real_host.iter().map(|m| key(m, None)).collect();

    let inside_rows = inside
        .iter()
        .map(|m| row(m, !host_keys.contains(&key(m, root_dir)), false))
        .collect();
    let host_rows = host
        .iter()
        .map(|m| {
            row(
                m,
                false,
                host_is_stand_in && !real_keys.contains(&key(m, None)),
            )
        })
        .collect::<Vec<_>>();

    let leaks = host_rows.iter().filter(|r: &&MountRow| r.leaked).count();
    let note = match (host_is_stand_in, leaks) {
        (true, 0) => {
            "the host side is a stand-in mount namespace; nothing has leaked to it yet".to_string()
        }
        (true, n) => format!(
            "{n} mount(s) made by the sandbox are visible on the host side: with no mount \
             namespace of its own, the sandbox mounts into the namespace it shares. nslab gave \
             it a throwaway stand-in for the host, so the real host never sees them"
        ),
        (false, _) => "the host side is the host's own mount namespace".to_string(),
    };

    MountView {
        inside: inside_rows,
        host: host_rows,
        host_is_stand_in,
        note,
        ..MountView::default()
    }
}

fn row(mount: &Mount, only_inside: bool, leaked: bool) -> MountRow {
    MountRow {
        propagation_label: mount.propagation.label(),
        only_inside,
        leaked,
        proc: mount.fstype == "proc",
        mount: mount.clone(),
    }
}

/// What identifies a mount across two tables: its filesystem (device and the directory of it
/// that is mounted) and the host path of its mount point. Mount ids cannot be used, as copying
/// a namespace gives the copies new ids; the device tells a fresh proc from the host's.
fn key<'a>(mount: &'a Mount, root_dir: Option<&Path>) -> (&'a str, &'a str, PathBuf) {
    let point = match root_dir {
        Some(root) => root.join(mount.mount_point.trim_start_matches('/')),
        None => PathBuf::from(&mount.mount_point),
    };
    let point = PathBuf::from(point.to_string_lossy().trim_end_matches('/'));
    (mount.device.as_str(), mount.root.as_str(), point)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: &str = "22 1 8:1 / / rw shared:1 - ext4 /dev/sda1 rw\n\
        23 22 0:21 / /proc rw shared:12 - proc proc rw\n";

    #[test]
    fn a_fresh_proc_inside_a_chroot_is_only_inside() {
        // A chrooted process's mountinfo lists only the mounts below its root, relative to it.
        let inside = mountinfo::parse(
            "30 22 0:5 / /dev rw - devtmpfs udev rw\n\
             91 90 0:60 / /proc rw - proc proc rw\n",
        );
        let host = mountinfo::parse(&format!(
            "{HOST}30 22 0:5 / /srv/root/dev rw - devtmpfs udev rw\n"
        ));
        let view = compare(&inside, &host, &host, false, Some(Path::new("/srv/root")));
        assert!(
            !view.inside[0].only_inside,
            "/dev is the host's /srv/root/dev"
        );
        assert!(view.inside[1].only_inside && view.inside[1].proc);
        assert_eq!(view.leaks().count(), 0);
    }

    #[test]
    fn a_proc_mount_in_the_stand_in_is_a_leak() {
        let real = mountinfo::parse(HOST);
        let stand_in = mountinfo::parse(&format!(
            "{HOST}95 22 0:61 / /srv/root/proc rw - proc proc rw\n"
        ));
        let view = compare(&stand_in, &stand_in, &real, true, None);
        let leaks: Vec<_> = view.leaks().map(|r| r.mount.mount_point.as_str()).collect();
        assert_eq!(leaks, ["/srv/root/proc"]);
        assert!(view.note.contains("stand-in"));
    }

    #[test]
    fn a_fresh_proc_over_the_hosts_proc_is_still_only_inside() {
        // Regression: matching by type and source took a new proc on /proc for the host's.
        let host = mountinfo::parse(HOST);
        let inside = mountinfo::parse(&format!("{HOST}99 23 0:77 / /proc rw - proc proc rw\n"));
        let view = compare(&inside, &host, &host, false, None);
        let only: Vec<_> = view
            .inside
            .iter()
            .filter(|r| r.only_inside)
            .map(|r| r.mount.id)
            .collect();
        assert_eq!(only, [99]);
    }

    #[test]
    fn without_a_stand_in_nothing_is_called_a_leak() {
        let host = mountinfo::parse(HOST);
        let view = compare(&host, &host, &[], false, None);
        assert_eq!(view.leaks().count(), 0);
        assert!(view.inside.iter().all(|r| !r.only_inside));
    }
}
