//! The mount namespace, and the propagation that decides whether it really is separate.
//!
//! `unshare(CLONE_NEWNS)` copies the mount table, but each copied mount keeps its propagation
//! type. On hosts run by systemd, `/` is *shared*, so a mount made inside the new namespace is
//! passed to its peer on the host: the namespace leaks. The fix is to change `/` (recursively)
//! to private or slave right after the unshare and **before any other mount**. nix's `unshare`
//! does not do this for you; `unshare(1)` does it by default.

use nix::mount::MsFlags;
use nix::sched::CloneFlags;

use crate::sandbox::kernel::{Call, Kernel, SetupError, make};
use crate::spec::Propagation;

/// Moves the caller into a new mount namespace and gives `/` the requested propagation.
pub fn enter(kernel: &mut dyn Kernel, propagation: Propagation) -> Result<(), SetupError> {
    make(kernel, Call::Unshare(CloneFlags::CLONE_NEWNS))?;
    set_propagation(kernel, propagation)
}

/// Enters a throwaway mount namespace that stands in for the host.
///
/// Lessons that show a mount leaking "to the host" need a host to leak to that is not the real
/// one. This namespace is cut off from the real host (private) and then, when the lesson wants
/// the leak, made shared again so that the sandbox's own mount namespace is its peer. It lives
/// as long as the launcher and its children, so nothing mounted in it can outlive the step.
pub fn enter_stand_in_host(
    kernel: &mut dyn Kernel,
    propagation: Propagation,
) -> Result<(), SetupError> {
    enter(kernel, Propagation::Private)?;
    if propagation == Propagation::Shared {
        set_propagation(kernel, Propagation::Shared)?;
    }
    Ok(())
}

/// Changes the propagation of every mount below `/`.
pub fn set_propagation(
    kernel: &mut dyn Kernel,
    propagation: Propagation,
) -> Result<(), SetupError> {
    let kind = match propagation {
        Propagation::Private => MsFlags::MS_PRIVATE,
        Propagation::Slave => MsFlags::MS_SLAVE,
        Propagation::Shared => MsFlags::MS_SHARED,
    };
    make(
        kernel,
        Call::Mount {
            source: None,
            target: "/".into(),
            fstype: None,
            flags: MsFlags::MS_REC | kind,
        },
    )
}
