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
        None => newest_with_note()?,
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

    let output = if args.json {
        serde_json::to_string_pretty(&snapshot)? + "\n"
    } else {
        text::render(&snapshot)
    };
    write_stdout(&output)?;
    Ok(0)
}

/// This user's newest sandbox; when there are several, says which one was picked and how to
/// pick another, on stderr so that JSON on stdout stays clean.
fn newest_with_note() -> Result<i32, find::FindError> {
    let launchers = find::launchers();
    let newest = *launchers.last().ok_or(find::FindError::NoSandbox)?;
    if launchers.len() > 1 {
        let others: Vec<String> = launchers[..launchers.len() - 1]
            .iter()
            .map(|pid| pid.to_string())
            .collect();
        eprintln!(
            "nslab: {} sandboxes are running; showing the newest (launcher {newest}). \
             Others: {} (use --pid)",
            launchers.len(),
            others.join(", ")
        );
    }
    Ok(newest)
}

/// Writes to stdout; a reader that stopped reading (`| head`) is not an error.
fn write_stdout(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
