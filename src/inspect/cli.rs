//! `nslab inspect`: the panels' facts about a running sandbox, as text or JSON.

use anyhow::Context;

use crate::cli::InspectArgs;
use crate::inspect::{Target, find, snapshot, text};

/// Prints the facts about a running sandbox: the one `--pid` belongs to, or this user's
/// newest.
pub fn inspect(args: InspectArgs) -> anyhow::Result<i32> {
    let launcher = match args.pid {
        Some(pid) => find::launcher_of(pid)?,
        None => find::newest_launcher()?,
    };
    let request = find::launch_request(launcher)
        .context("cannot tell which isolation this sandbox was started with")?;

    let target = Target {
        launcher: Some(launcher),
        spec: request.spec,
        previous: None,
        root_dir: request.root_dir,
        trace: request.trace,
    };
    let snapshot = snapshot(&target);

    if args.json {
        println!("{}", serde_json::to_string_pretty(&snapshot)?);
    } else {
        print!("{}", text::render(&snapshot));
    }
    Ok(0)
}
