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

/// Explains a failure as the setup trace records it: the call's name (`unshare`), the call
/// written out (`unshare(CLONE_NEWUSER)`) and the errno's name (`EPERM`).
pub fn why_traced(name: &str, detail: &str, errno: &str) -> String {
    let Some(errno) = errno_named(errno) else {
        return format!("the kernel answered {errno}");
    };

    // A stand-in call with the same kind is enough: the explanations depend on the kind of
    // call, and for unshare on whether a user namespace was asked for.
    let path = std::path::PathBuf::new;
    let call = match name {
        "unshare" if detail.contains("CLONE_NEWUSER") => {
            Call::Unshare(nix::sched::CloneFlags::CLONE_NEWUSER)
        }
        "unshare" => Call::Unshare(nix::sched::CloneFlags::empty()),
        "write" => Call::WriteFile {
            path: path(),
            contents: String::new(),
        },
        "mount" => Call::Mount {
            source: None,
            target: path(),
            fstype: None,
            flags: nix::mount::MsFlags::empty(),
        },
        "umount2" => Call::Umount {
            target: path(),
            flags: nix::mount::MntFlags::empty(),
        },
        "sethostname" => Call::SetHostname(String::new()),
        "chroot" => Call::Chroot(path()),
        "pivot_root" => Call::PivotRoot {
            new_root: path(),
            put_old: path(),
        },
        "mkdir" => Call::Mkdir(path()),
        _ => Call::Chdir(path()),
    };
    why(&call, errno)
}

/// The errno that the trace names, for the errors setup calls can meet.
fn errno_named(name: &str) -> Option<Errno> {
    const KNOWN: [Errno; 12] = [
        Errno::EPERM,
        Errno::EINVAL,
        Errno::EBUSY,
        Errno::ENOMEM,
        Errno::ENOSPC,
        Errno::ENOENT,
        Errno::EACCES,
        Errno::ENOTDIR,
        Errno::EEXIST,
        Errno::EUSERS,
        Errno::EROFS,
        Errno::ENOSYS,
    ];
    KNOWN.into_iter().find(|errno| format!("{errno:?}") == name)
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
    fn traced_failures_get_the_same_words_as_live_ones() {
        let text = why_traced("unshare", "unshare(CLONE_NEWUSER)", "EPERM");
        assert_eq!(
            text,
            why(&Call::Unshare(CloneFlags::CLONE_NEWUSER), Errno::EPERM)
        );
        let text = why_traced("pivot_root", r#"pivot_root(".", ".")"#, "EINVAL");
        assert!(text.contains("mount point"), "{text}");
        assert!(why_traced("mount", "", "EWEIRD").contains("EWEIRD"));
    }

    #[test]
    fn unknown_pairs_fall_back_to_the_errno_description() {
        let text = why(&Call::Chdir("/x".into()), Errno::ENOTDIR);
        assert!(text.contains("not a directory"), "{text}");
    }
}
