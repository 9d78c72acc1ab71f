//! Taking over nslab's own terminal, and giving it back exactly as it was.
//!
//! The TUI switches the terminal to raw mode (keys arrive one by one, Ctrl-C is a byte rather
//! than SIGINT, Ctrl-Z does not suspend nslab), to the alternate screen, and to bracketed
//! paste. All of that must be undone on every way out: quit, error (the guard's `Drop`),
//! panic (the hook, before the message is printed, so that it stays readable) and
//! SIGTERM/SIGHUP (the run loop ends normally).

use std::io::{Stdout, stdout};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::cursor::Show;
use crossterm::event::{DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// Whether the terminal is in TUI mode. Restoring twice would be harmful: leaving the
/// alternate screen also restores the cursor saved on entry, so a second restore after a panic
/// message would move the cursor back up and let the shell's prompt overwrite the message.
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// The terminal nslab draws on.
pub type Screen = Terminal<CrosstermBackend<Stdout>>;

/// Owns the terminal while the TUI runs; restores it when dropped.
pub struct TerminalGuard {
    /// The terminal to draw on.
    pub screen: Screen,
}

/// Switches the terminal into TUI mode.
pub fn enter() -> std::io::Result<TerminalGuard> {
    install_panic_hook();
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let screen = execute!(stdout(), EnterAlternateScreen, EnableBracketedPaste)
        .and_then(|()| Terminal::new(CrosstermBackend::new(stdout())));
    match screen {
        Ok(screen) => Ok(TerminalGuard { screen }),
        Err(err) => {
            restore();
            Err(err)
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Puts the terminal back: cooked mode, main screen, cursor shown, no paste or mouse
/// reporting. Only the first call after [`enter`] does anything.
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let _ = disable_raw_mode();
    let _ = execute!(
        stdout(),
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        Show
    );
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}
