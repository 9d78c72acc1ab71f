//! Logging to a file, never to the terminal: the TUI owns the screen.
//!
//! The log goes to `nslab.log` in the state directory; `NSLAB_LOG` sets the filter (for
//! example `NSLAB_LOG=debug`; `off` writes no file). The launcher never logs here: it writes the
//! setup trace instead.

use std::fs::OpenOptions;
use std::path::PathBuf;
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

use crate::xdg;

/// Starts logging to the state directory's log file. Returns the file's path, or `None` when
/// it cannot be opened, in which case nslab runs without a log rather than failing.
pub fn init() -> Option<PathBuf> {
    // `NSLAB_LOG=off` writes no file at all (the tests use it to keep the user's log clean).
    if std::env::var("NSLAB_LOG").is_ok_and(|filter| filter == "off") {
        return None;
    }
    let dir = xdg::state_dir();
    std::fs::create_dir_all(&dir).ok()?;
    let path = dir.join("nslab.log");
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .ok()?;

    let filter = EnvFilter::try_from_env("NSLAB_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(path)
}
