//! Plain words for a failed setup call: why the kernel said no, and what to do about it.
//!
//! The same text appears in `nslab run`'s error message and in the setup trace panel.

use nix::errno::Errno;

use crate::sandbox::kernel::Call;

/// Explains `errno` as the answer to `call`.
pub fn why(call: &Call, errno: Errno) -> String {
    let text = match (call, errno) {
        (Call::Unshare(flags), Errno::EPERM | Errno::ENOSPC | Errno::EACCES)
            if flags.contains(nix::sched::CloneFlags::CLONE_NEWUSER) =>
        {
            let in_force =
                crate::sandbox::user::blockers_in_force(crate::sandbox::user::read_sysctl);
            return crate::sandbox::user::blocked_message(&in_force);
        }
        (Call::Unshare(_), Errno::EPERM) => {
            "creating namespaces needs CAP_SYS_ADMIN: run as root, or let nslab add a user \
             namespace by running it as an ordinary user"
        }
        (Call::Unshare(_), Errno::EINVAL) => {
            "the kernel does not support one of these namespaces, or the caller has more than \
             one thread (a user namespace needs a single-threaded caller)"
        }
        (Call::Unshare(_), Errno::ENOSPC) => {
            "the limit on namespaces of this kind is reached (see /proc/sys/user/max_*_namespaces)"
        }
        (Call::Unshare(_), Errno::ENOMEM) => {
            "the kernel is out of memory for a new namespace, or the PID namespace's first \
             process has exited so no new process can be made in it"
        }
        (Call::WriteFile { .. }, Errno::EPERM) => {
            "a uid or gid map may be written only once, and an unprivileged process may map \
             only its own id; gid_map also needs 'deny' in setgroups first"
        }
        (Call::Mount { .. }, Errno::EPERM) => {
            "mounting needs CAP_SYS_ADMIN in the user namespace that owns the mount namespace; \
             a new proc also needs a PID namespace owned by that user namespace and a fully \
             visible /proc"
        }
        (Call::Mount { .. }, Errno::ENOENT) => "the mount point does not exist in this root",
        (Call::Mount { .. }, Errno::EINVAL) => {
            "the target is not a mount point or the flags do not fit together"
        }
        (Call::PivotRoot { .. }, Errno::EINVAL) => {
            "pivot_root needs the new root to be a mount point whose parent mount is not \
             shared; make / private and bind-mount the new root onto itself first"
        }
        (Call::PivotRoot { .. }, Errno::EBUSY) => "the new root or the old one is busy",
        (Call::SetHostname(_), Errno::EPERM) => {
            "setting the hostname needs CAP_SYS_ADMIN in the UTS namespace's user namespace"
        }
        (Call::Chroot(_), Errno::ENOENT) | (Call::Chdir(_), Errno::ENOENT) => {
            "that directory does not exist; build the default root with `nslab rootfs`"
        }
        (Call::Chroot(_), Errno::EPERM) => "chroot needs CAP_SYS_CHROOT",
        (_, Errno::EBUSY) => "the target is in use",
        (_, Errno::EACCES) => "permission denied on a path component",
        _ => return errno.desc().to_lowercase(),
    };
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::sched::CloneFlags;

    #[test]
    fn user_namespace_refusal_says_what_blocks_it() {
        let text = why(&Call::Unshare(CloneFlags::CLONE_NEWUSER), Errno::EPERM);
        assert!(text.contains("user namespaces are blocked"), "{text}");
        assert!(text.contains("root"), "{text}");
    }

    #[test]
    fn unknown_pairs_fall_back_to_the_errno_description() {
        let text = why(&Call::Chdir("/x".into()), Errno::ENOTDIR);
        assert!(text.contains("not a directory"), "{text}");
    }
}
