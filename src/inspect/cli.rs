//! `nslab inspect`: the panels' facts about a running sandbox, as text or JSON.

use crate::cli::InspectArgs;
use crate::inspect::code::CodeView;
use crate::inspect::trace::TraceView;
use crate::inspect::{Target, find, snapshot, text};

/// Prints the facts about a running sandbox: the one `--pid` belongs to, or this user's
/// newest.
pub fn inspect(args: InspectArgs) -> anyhow::Result<i32> {
    let launcher = match args.pid {
        Some(pid) => find::launcher_of(pid)?,
        None => find::newest_launcher()?,
    };

    // Another user's launcher keeps its environment, and so its request, to itself. What
    // /proc shows to everyone is still worth printing; only the code and setup trace, which
    // come from the request, are left out.
    let (target, request_error) = match find::launch_request(launcher) {
        Ok(request) => (
            Target {
                launcher: Some(launcher),
                spec: request.spec,
                previous: None,
                root_dir: request.root_dir,
                trace: request.trace,
            },
            None,
        ),
        Err(err) => (
            Target {
                launcher: Some(launcher),
                ..Target::default()
            },
            Some(err),
        ),
    };
    let mut snapshot = snapshot(&target);
    if let Some(err) = request_error {
        eprintln!("nslab: {err}; the code and setup trace are left out");
        snapshot.spec = "unknown".to_string();
        snapshot.code = CodeView::default();
        snapshot.trace = TraceView {
            error: Some(err.to_string()),
            ..TraceView::default()
        };
    }

    if args.json {
        println!("{}", serde_json::to_string_pretty(&snapshot)?);
    } else {
        print!("{}", text::render(&snapshot));
    }
    Ok(0)
}
