//! The setup plan: which calls the launcher and the first process inside make, in which order.
//!
//! The order is the heart of the lesson, so it lives here in two short functions, one per
//! process, and is tested with a recording kernel:
//!
//! 1. The launcher, still on the host side, enters a user namespace if one is needed (so that it
//!    holds capabilities over everything created next), steps into a stand-in host mount
//!    namespace if a mount could otherwise reach the real host, and unshares the other
//!    namespaces. Then it forks.
//! 2. The child, PID 1 when there is a new PID namespace, enters its own mount namespace and
//!    makes `/` private before any mount, sets the hostname, mounts proc and enters the root,
//!    and finally execs the command.
//!
//! The mount namespace is unshared by the child, not the launcher, so that the launcher keeps
//! the host's view of the mount table (or the stand-in's) for the host pane and the panels.

use std::path::{Path, PathBuf};

use nix::sched::CloneFlags;
use nix::unistd::{Gid, Uid};

use crate::sandbox::kernel::{Call, Kernel, SetupError, make};
use crate::sandbox::{mount, proc, root, user, uts};
use crate::spec::{IsolationSpec, Namespace, ProcMount, RootEntry, RootSpec};

/// The flag `unshare(2)` takes for each namespace kind.
pub fn clone_flag(namespace: Namespace) -> CloneFlags {
    match namespace {
        Namespace::Uts => CloneFlags::CLONE_NEWUTS,
        Namespace::Pid => CloneFlags::CLONE_NEWPID,
        Namespace::Mount => CloneFlags::CLONE_NEWNS,
        Namespace::Ipc => CloneFlags::CLONE_NEWIPC,
        Namespace::Net => CloneFlags::CLONE_NEWNET,
        Namespace::User => CloneFlags::CLONE_NEWUSER,
        Namespace::Cgroup => CloneFlags::CLONE_NEWCGROUP,
    }
}

/// A spec together with the facts of the machine it runs on.
#[derive(Clone, Debug)]
pub struct SetupPlan {
    /// The step's spec.
    pub spec: IsolationSpec,
    /// The directory to enter, with the default root filesystem resolved to its path.
    pub root_dir: Option<PathBuf>,
    /// Whether the launcher creates a user namespace: when the spec asks, or when the caller is
    /// not root and needs one to hold the capabilities the other namespaces require.
    pub user_namespace: bool,
    /// The caller's real user and group outside.
    pub uid: Uid,
    pub gid: Gid,
    /// Whether the caller is root outside.
    pub privileged: bool,
}

impl SetupPlan {
    /// Plans `spec` for a caller with these ids. `root_dir` must be given when the spec's root
    /// is the default root filesystem.
    pub fn new(spec: IsolationSpec, root_dir: Option<PathBuf>, uid: Uid, gid: Gid) -> SetupPlan {
        let privileged = uid.is_root();
        let root_dir = match &spec.root {
            RootSpec::Host => None,
            RootSpec::Rootfs => root_dir,
            RootSpec::Dir(dir) => Some(dir.clone()),
        };
        SetupPlan {
            user_namespace: spec.has(Namespace::User) || !privileged,
            spec,
            root_dir,
            uid,
            gid,
            privileged,
        }
    }

    /// The namespaces the launcher unshares after the user namespace: all but user and mount.
    pub fn launcher_flags(&self) -> CloneFlags {
        self.spec
            .namespaces
            .iter()
            .filter(|ns| !matches!(ns, Namespace::User | Namespace::Mount))
            .fold(CloneFlags::empty(), |flags, ns| flags | clone_flag(*ns))
    }

    /// The calls the launcher makes before it forks.
    pub fn launcher_setup(&self, kernel: &mut dyn Kernel) -> Result<(), SetupError> {
        if self.user_namespace {
            user::enter(kernel, self.uid, self.gid)?;
        }

        if self.spec.needs_stand_in_host() {
            mount::enter_stand_in_host(kernel, self.spec.propagation)?;
        }

        // CLONE_NEWPID moves only the children made after this call into the new PID
        // namespace: the launcher itself stays where it is, and its next fork is PID 1.
        let flags = self.launcher_flags();
        if !flags.is_empty() {
            make(kernel, Call::Unshare(flags))?;
        }
        Ok(())
    }

    /// The calls the first process inside makes before it execs the command.
    pub fn child_setup(&self, kernel: &mut dyn Kernel) -> Result<(), SetupError> {
        if self.spec.has(Namespace::Mount) {
            mount::enter(kernel, self.spec.propagation)?;
        }

        if let Some(name) = &self.spec.hostname {
            uts::set_hostname(kernel, name)?;
        }

        // A new proc goes into the new root before the root changes. The kernel lets a user
        // namespace mount proc only while another proc is fully visible in its mount namespace
        // (see mount_too_revealing in fs/namespace.c), and once pivot_root has detached the
        // old root there is none left.
        let fresh_proc = self.spec.proc == ProcMount::Fresh;
        match (&self.root_dir, self.spec.entry) {
            (None, _) if fresh_proc => proc::mount_fresh(kernel, Path::new("/"))?,
            (None, _) => {}
            (Some(dir), RootEntry::Chroot) => {
                if fresh_proc {
                    proc::mount_fresh(kernel, dir)?;
                }
                root::chroot(kernel, dir)?;
            }
            (Some(dir), RootEntry::PivotRoot) => {
                root::bind_onto_itself(kernel, dir)?;
                if fresh_proc {
                    proc::mount_fresh(kernel, dir)?;
                }
                root::pivot_root(kernel, dir)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::kernel::RecordingKernel;
    use crate::spec::Propagation;

    fn plan(namespaces: &str, uid: u32) -> SetupPlan {
        let spec = IsolationSpec {
            namespaces: Namespace::parse_list(namespaces).unwrap(),
            ..IsolationSpec::default()
        };
        SetupPlan::new(spec, None, Uid::from_raw(uid), Gid::from_raw(uid))
    }

    fn calls(plan: &SetupPlan) -> (Vec<String>, Vec<String>) {
        let mut launcher = RecordingKernel::default();
        plan.launcher_setup(&mut launcher).unwrap();
        let mut child = RecordingKernel::default();
        plan.child_setup(&mut child).unwrap();
        (launcher.calls, child.calls)
    }

    #[test]
    fn seed_step_unshares_uts_and_pid_then_chroots() {
        let mut plan = plan("uts,pid", 0);
        plan.spec.root = RootSpec::Rootfs;
        plan.root_dir = Some("/cache/rootfs".into());
        let (launcher, child) = calls(&plan);
        assert_eq!(launcher, vec!["unshare(CLONE_NEWUTS | CLONE_NEWPID)"]);
        assert_eq!(child, vec![r#"chroot("/cache/rootfs")"#, r#"chdir("/")"#]);
    }

    #[test]
    fn root_is_made_private_before_any_mount() {
        let mut plan = plan("uts,pid,mnt", 0);
        plan.spec.hostname = Some("box".into());
        plan.spec.proc = ProcMount::Fresh;
        let (launcher, child) = calls(&plan);
        assert_eq!(launcher, vec!["unshare(CLONE_NEWUTS | CLONE_NEWPID)"]);
        assert_eq!(
            child,
            vec![
                "unshare(CLONE_NEWNS)",
                r#"mount(NULL, "/", NULL, MS_REC | MS_PRIVATE)"#,
                r#"sethostname("box")"#,
                r#"mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)"#,
            ]
        );
    }

    #[test]
    fn unprivileged_caller_gets_a_user_namespace_first_with_setgroups_denied() {
        let plan = plan("uts", 1000);
        let (launcher, _) = calls(&plan);
        assert_eq!(
            launcher,
            vec![
                "unshare(CLONE_NEWUSER)",
                r#"write("/proc/self/setgroups", "deny")"#,
                r#"write("/proc/self/uid_map", "0 1000 1\n")"#,
                r#"write("/proc/self/gid_map", "0 1000 1\n")"#,
                "unshare(CLONE_NEWUTS)",
            ]
        );
    }

    #[test]
    fn root_asking_for_a_user_namespace_maps_root_and_denies_setgroups_too() {
        // Regression: root skipped the setgroups step and the gid map write failed with EPERM.
        let plan = plan("user", 0);
        let (launcher, _) = calls(&plan);
        assert_eq!(
            launcher,
            vec![
                "unshare(CLONE_NEWUSER)",
                r#"write("/proc/self/setgroups", "deny")"#,
                r#"write("/proc/self/uid_map", "0 0 1\n")"#,
                r#"write("/proc/self/gid_map", "0 0 1\n")"#,
            ]
        );
    }

    #[test]
    fn proc_without_mount_namespace_goes_into_a_stand_in_host() {
        let mut plan = plan("pid", 0);
        plan.spec.proc = ProcMount::Fresh;
        let (launcher, _) = calls(&plan);
        assert_eq!(
            launcher,
            vec![
                "unshare(CLONE_NEWNS)",
                r#"mount(NULL, "/", NULL, MS_REC | MS_PRIVATE)"#,
                "unshare(CLONE_NEWPID)",
            ]
        );
    }

    #[test]
    fn shared_propagation_is_shared_only_with_the_stand_in() {
        let mut plan = plan("mnt", 0);
        plan.spec.propagation = Propagation::Shared;
        let (launcher, child) = calls(&plan);
        assert_eq!(
            launcher,
            vec![
                "unshare(CLONE_NEWNS)",
                r#"mount(NULL, "/", NULL, MS_REC | MS_PRIVATE)"#,
                r#"mount(NULL, "/", NULL, MS_REC | MS_SHARED)"#,
            ]
        );
        assert_eq!(child[0], "unshare(CLONE_NEWNS)");
    }

    /// A root directory with a `proc` mount point, so no mkdir shows in the calls.
    fn root_dir() -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("proc")).unwrap();
        let path = dir.path().display().to_string();
        (dir, path)
    }

    #[test]
    fn chroot_with_fresh_proc_mounts_it_inside_the_root_first() {
        let (_dir, r) = root_dir();
        let mut plan = plan("pid,mnt", 1000);
        plan.spec.root = RootSpec::Rootfs;
        plan.spec.proc = ProcMount::Fresh;
        plan.root_dir = Some(r.clone().into());
        let (_, child) = calls(&plan);
        assert_eq!(
            child[2..],
            [
                format!(r#"mount("proc", "{r}/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)"#),
                format!(r#"chroot("{r}")"#),
                r#"chdir("/")"#.to_string(),
            ]
        );
    }

    #[test]
    fn pivot_root_binds_pivots_then_detaches_the_old_root() {
        let (_dir, r) = root_dir();
        let mut plan = plan("mnt", 0);
        plan.spec.root = RootSpec::Dir(r.clone().into());
        plan.spec.entry = RootEntry::PivotRoot;
        plan.spec.proc = ProcMount::Fresh;
        plan.root_dir = Some(r.clone().into());
        let (_, child) = calls(&plan);
        assert_eq!(
            child[2..],
            [
                format!(r#"mount("{r}", "{r}", NULL, MS_BIND | MS_REC)"#),
                format!(r#"mount("proc", "{r}/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)"#),
                format!(r#"chdir("{r}")"#),
                r#"pivot_root(".", ".")"#.to_string(),
                r#"mount(NULL, ".", NULL, MS_REC | MS_SLAVE)"#.to_string(),
                r#"umount2(".", MNT_DETACH)"#.to_string(),
                r#"chdir("/")"#.to_string(),
            ]
        );
    }

    #[test]
    fn a_missing_proc_mount_point_is_made_first() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path().display().to_string();
        let mut plan = plan("pid,mnt", 0);
        plan.spec.root = RootSpec::Rootfs;
        plan.spec.proc = ProcMount::Fresh;
        plan.root_dir = Some(dir.path().to_path_buf());
        let (_, child) = calls(&plan);
        assert_eq!(child[2], format!(r#"mkdir("{r}/proc", 0555)"#));
    }

    #[test]
    fn a_failed_call_stops_the_setup() {
        let mut plan = plan("uts,mnt", 0);
        plan.spec.hostname = Some("box".into());
        let mut kernel = RecordingKernel {
            fail: Some(("mount", nix::errno::Errno::EPERM)),
            ..RecordingKernel::default()
        };
        let err = plan.child_setup(&mut kernel).unwrap_err();
        assert_eq!(err.errno, nix::errno::Errno::EPERM);
        assert_eq!(
            kernel.calls.len(),
            2,
            "sethostname must not run after the failure"
        );
    }
}
