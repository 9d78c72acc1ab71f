//! The user namespace: root inside, an ordinary user outside.
//!
//! After `unshare(CLONE_NEWUSER)` the caller has every capability, but only over namespaces that
//! the new user namespace owns, and its ids are unmapped (it shows as `nobody`) until the maps
//! are written. Each map may be written once. An unprivileged writer may map only its own id,
//! and must first write `deny` to `/proc/self/setgroups` before the gid map, or it could drop
//! supplementary groups that deny it access (see user_namespaces(7)).

use nix::sched::CloneFlags;
use nix::unistd::{Gid, Uid};

use crate::sandbox::kernel::{Call, Kernel, SetupError, make};

/// Enters a new user namespace and maps root inside to `uid`/`gid` outside, as
/// `unshare --map-root-user` does.
pub fn enter(kernel: &mut dyn Kernel, uid: Uid, gid: Gid) -> Result<(), SetupError> {
    make(kernel, Call::Unshare(CloneFlags::CLONE_NEWUSER))?;

    // The maps are written from inside the new namespace, where even root outside holds no
    // capability over the parent namespace, so the unprivileged rules apply to everyone:
    // setgroups(2) must be given up before the gid map can be written.
    make(kernel, write("/proc/self/setgroups", "deny"))?;

    make(kernel, write("/proc/self/uid_map", &format!("0 {uid} 1\n")))?;
    make(kernel, write("/proc/self/gid_map", &format!("0 {gid} 1\n")))
}

fn write(path: &str, contents: &str) -> Call {
    Call::WriteFile {
        path: path.into(),
        contents: contents.to_string(),
    }
}

/// A kernel setting that can forbid user namespaces, and how to lift it.
#[derive(Debug, PartialEq, Eq)]
pub struct Blocker {
    /// The sysctl's name.
    pub sysctl: &'static str,
    /// The value that blocks.
    pub blocking: &'static str,
    /// What that value means.
    pub meaning: &'static str,
    /// The command that lifts the block, for root to run.
    pub fix: &'static str,
}

/// Every setting known to block user namespaces.
pub const BLOCKERS: [Blocker; 3] = [
    Blocker {
        sysctl: "user.max_user_namespaces",
        blocking: "0",
        meaning: "0 forbids user namespaces for everyone",
        fix: "sudo sysctl -w user.max_user_namespaces=15000",
    },
    Blocker {
        sysctl: "kernel.unprivileged_userns_clone",
        blocking: "0",
        meaning: "0 forbids them for ordinary users (Debian and older Ubuntu kernels)",
        fix: "sudo sysctl -w kernel.unprivileged_userns_clone=1",
    },
    Blocker {
        sysctl: "kernel.apparmor_restrict_unprivileged_userns",
        blocking: "1",
        meaning: "1 lets AppArmor forbid them for ordinary users (Ubuntu 23.10 and later)",
        fix: "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0",
    },
];

/// Reads a sysctl such as `user.max_user_namespaces`; `None` when this kernel lacks it.
pub fn read_sysctl(name: &str) -> Option<String> {
    let path = format!("/proc/sys/{}", name.replace('.', "/"));
    std::fs::read_to_string(path)
        .ok()
        .map(|value| value.trim().to_string())
}

/// The blockers whose setting currently has the blocking value.
pub fn blockers_in_force(read: impl Fn(&str) -> Option<String>) -> Vec<&'static Blocker> {
    BLOCKERS
        .iter()
        .filter(|blocker| read(blocker.sysctl).as_deref() == Some(blocker.blocking))
        .collect()
}

/// What to tell someone whose user namespace was refused.
pub fn blocked_message(in_force: &[&Blocker]) -> String {
    let mut text = String::from("user namespaces are blocked for this user");
    if in_force.is_empty() {
        text.push_str(
            " (no known sysctl says so: a security module or the container nslab runs in may \
             forbid them); run nslab as root, or ask the machine's administrator",
        );
        return text;
    }
    for blocker in in_force {
        text.push_str(&format!(
            "; {} = {} ({}): to allow them, {}",
            blocker.sysctl, blocker.blocking, blocker.meaning, blocker.fix
        ));
    }
    text.push_str("; or run nslab as root (sudo nslab)");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_names_the_setting_in_force_and_its_fix() {
        let read = |name: &str| match name {
            "kernel.apparmor_restrict_unprivileged_userns" => Some("1".to_string()),
            "user.max_user_namespaces" => Some("63000".to_string()),
            _ => None,
        };
        let in_force = blockers_in_force(read);
        assert_eq!(in_force, vec![&BLOCKERS[2]]);
        let text = blocked_message(&in_force);
        assert!(
            text.contains("kernel.apparmor_restrict_unprivileged_userns = 1"),
            "{text}"
        );
        assert!(text.contains("sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"));
        assert!(!text.contains("max_user_namespaces"), "{text}");
    }

    #[test]
    fn with_no_known_setting_it_still_says_what_to_do() {
        let text = blocked_message(&blockers_in_force(|_| None));
        assert!(text.contains("run nslab as root"), "{text}");
    }
}
