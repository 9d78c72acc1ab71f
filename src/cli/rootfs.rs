//! `nslab rootfs`: build the default root filesystem, or build it again.

use anyhow::{Result, bail};

use crate::cli::RootfsArgs;
use crate::inspect::find;
use crate::rootfs;

/// Builds the root filesystem and prints where it is and what it was made from.
pub fn run(args: RootfsArgs) -> Result<i32> {
    let dir = rootfs::default_dir();

    // Swapping the tree under a running lesson leaves its shell in a deleted directory.
    if args.rebuild {
        let users = sandboxes_using(&dir);
        if !users.is_empty() {
            bail!(
                "the root filesystem {} is in use by the sandbox of launcher {}: quit that \
                 lesson (or stop that `nslab run`) first, then rebuild",
                dir.display(),
                users.join(", ")
            );
        }
    }

    let info = rootfs::build(&dir, args.rebuild)?;
    println!("{} (from {})", info.dir.display(), info.source);
    Ok(0)
}

/// The launchers (as text) of this user's running sandboxes whose root is `dir`.
fn sandboxes_using(dir: &std::path::Path) -> Vec<String> {
    find::launchers()
        .into_iter()
        .filter(|launcher| {
            find::launch_request(*launcher)
                .is_ok_and(|request| request.root_dir.as_deref() == Some(dir))
        })
        .map(|launcher| launcher.to_string())
        .collect()
}
