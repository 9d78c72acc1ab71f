//! The UTS namespace: a hostname of the sandbox's own.
//!
//! The order matters. `sethostname` changes the hostname of whatever UTS namespace the caller is
//! in, so calling it before the unshare renames the host. The spec refuses a hostname without
//! the UTS namespace, and this step runs only in the first process inside.

use crate::sandbox::kernel::{Call, Kernel, SetupError, make};

/// Sets the hostname of the caller's (new) UTS namespace.
pub fn set_hostname(kernel: &mut dyn Kernel, name: &str) -> Result<(), SetupError> {
    make(kernel, Call::SetHostname(name.to_string()))
}
