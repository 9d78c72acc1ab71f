//! Taking over nslab's own terminal, and giving it back exactly as it was.
//!
//! The TUI switches the terminal to raw mode (keys arrive one by one, Ctrl-C is a byte rather
//! than SIGINT, Ctrl-Z does not suspend nslab), to the alternate screen, and to bracketed
//! paste. All of that must be undone on every way out: quit, error (the guard's `Drop`),
//! panic (the hook, before the message is printed, so that it stays readable) and
//! SIGTERM/SIGHUP (the run loop ends normally).

use std::io::{Stdout, stdout};

use crossterm::cursor::Show;
use crossterm::event::{DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

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
    let guard = TerminalGuard {
        screen: Terminal::new(CrosstermBackend::new(stdout()))?,
    };
    execute!(stdout(), EnterAlternateScreen, EnableBracketedPaste)?;
    Ok(guard)
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Puts the terminal back: cooked mode, main screen, cursor shown, no paste or mouse
/// reporting. Safe to call more than once.
pub fn restore() {
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
