//! A shell pane: the screen a terminal emulator keeps for one PTY program, and its life.
//!
//! The screen is a [`vt100::Parser`]: it interprets the program's escape sequences (colours,
//! cursor moves, the alternate screen of vi and less) into a grid of cells that tui-term draws.

use portable_pty::CommandBuilder;

use crate::tui::event::{EventSender, ExitReport, ShellId};
use crate::tui::foreground::{self, Foreground, ShellRole};
use crate::tui::pty::{PtyError, PtyProcess};

/// Lines of history kept above the screen.
const SCROLLBACK: usize = 5_000;

/// The smallest screen a pane emulates, however small it is drawn. vt100 0.16 underflows
/// (and panics in debug builds) when a wide character meets a one-column screen or a line
/// wraps on a one-row screen; a slightly larger PTY than the pane is harmless.
const MIN_ROWS: u16 = 2;
const MIN_COLS: u16 = 4;

/// Where a pane's program is in its life.
pub enum ShellState {
    /// Nothing started yet.
    Idle,
    /// Running.
    Running(PtyProcess),
    /// Ended; the pane offers a restart.
    Exited(ExitReport),
    /// Could not be started.
    Failed(String),
}

/// One terminal pane.
pub struct ShellPane {
    /// The emulated screen.
    pub parser: vt100::Parser,
    /// The program.
    pub state: ShellState,
    /// How the program relates to the shell the learner types into.
    role: ShellRole,
    /// Whether the program has written anything yet; see [`ShellPane::write`].
    heard: bool,
    /// The id of the latest program, whose events are still wanted (output may trail its exit).
    current: Option<ShellId>,
}

impl ShellPane {
    /// An empty pane of `rows` x `cols`.
    pub fn new(rows: u16, cols: u16, role: ShellRole) -> ShellPane {
        ShellPane {
            parser: vt100::Parser::new(rows.max(MIN_ROWS), cols.max(MIN_COLS), SCROLLBACK),
            state: ShellState::Idle,
            role,
            heard: false,
            current: None,
        }
    }

    /// Stops the program, if any, and waits for it to end.
    pub fn stop(&mut self) {
        if let ShellState::Running(process) = &mut self.state {
            process.stop();
        }
        self.state = ShellState::Idle;
        self.current = None;
    }

    /// Replaces the program with `command` on a fresh screen.
    pub fn start(
        &mut self,
        command: Result<CommandBuilder, String>,
        id: ShellId,
        events: &EventSender,
    ) {
        self.stop();
        let (rows, cols) = self.parser.screen().size();
        self.parser = vt100::Parser::new(rows, cols, SCROLLBACK);
        self.heard = false;
        self.current = Some(id);
        self.state = match command.and_then(|command| {
            PtyProcess::spawn(command, rows, cols, id, events).map_err(|e: PtyError| e.to_string())
        }) {
            Ok(process) => ShellState::Running(process),
            Err(message) => {
                tracing::error!(message, "cannot start a shell");
                ShellState::Failed(message)
            }
        };
    }

    /// Whether events with this id belong to this pane.
    pub fn owns(&self, id: ShellId) -> bool {
        self.current == Some(id)
    }

    /// Feeds program output to the screen.
    pub fn output(&mut self, bytes: &[u8]) {
        self.heard = true;
        self.parser.process(bytes);
    }

    /// Records that the program ended.
    pub fn exited(&mut self, report: ExitReport) {
        tracing::info!(%report, "a shell ended");
        self.state = ShellState::Exited(report);
    }

    /// Sends typed bytes; any typing returns the view to the live screen.
    ///
    /// Keys typed before the program has written anything are dropped, not queued. Until the
    /// sandbox's shell starts, the terminal is in cooked mode with echo on, so the kernel
    /// would echo them (`^[[D` for an arrow pressed while moving between steps) above the
    /// shell's banner, and the shell would then read them as its first command line. Such
    /// keys were meant for the previous step or the lesson side, so losing them is right.
    pub fn write(&mut self, bytes: &[u8]) {
        self.parser.screen_mut().set_scrollback(0);
        if !self.heard {
            tracing::debug!(
                bytes = bytes.len(),
                "dropping keys typed before the shell started"
            );
            return;
        }
        if let ShellState::Running(process) = &mut self.state {
            process.write(bytes);
        }
    }

    /// The host PID of the running program.
    pub fn pid(&self) -> Option<nix::unistd::Pid> {
        match &self.state {
            ShellState::Running(process) => process.pid(),
            _ => None,
        }
    }

    /// Who reads the keys sent to this pane now.
    pub fn foreground(&self) -> Foreground {
        let ShellState::Running(process) = &self.state else {
            return Foreground::Ended;
        };
        if !self.heard {
            return Foreground::Starting;
        }
        match (process.pid(), process.foreground_group()) {
            (Some(pid), Some(group)) => foreground::classify(pid, group, self.role),
            // Without a way to tell, behave as before the check existed.
            _ => Foreground::Shell,
        }
    }

    /// Whether the program is running.
    pub fn is_running(&self) -> bool {
        matches!(self.state, ShellState::Running(_))
    }

    /// Makes screen and PTY `rows` x `cols`, if they are not already.
    pub fn fit(&mut self, rows: u16, cols: u16) {
        let (rows, cols) = (rows.max(MIN_ROWS), cols.max(MIN_COLS));
        if self.parser.screen().size() == (rows, cols) {
            return;
        }
        self.keep_cursor_row(rows);
        self.parser.screen_mut().set_size(rows, cols);
        if let ShellState::Running(process) = &self.state {
            process.resize(rows, cols);
        }
    }

    /// Before the screen shrinks to `rows`, scrolls it up so that the cursor's row stays on
    /// it, as xterm and tmux do: vt100 would cut off the bottom rows, where the newest output
    /// and the prompt are. `CSI n S` (scroll up) moves the top rows into the scrollback when
    /// no scroll region is set; on the alternate screen, which has no scrollback, they go, and
    /// the full-screen program redraws on the SIGWINCH that follows. `CSI n A` then moves the
    /// cursor up with its text.
    fn keep_cursor_row(&mut self, rows: u16) {
        let (cursor_row, _) = self.parser.screen().cursor_position();
        let overflow = (cursor_row + 1).saturating_sub(rows);
        if overflow > 0 {
            self.parser
                .process(format!("\x1b[{overflow}S\x1b[{overflow}A").as_bytes());
        }
    }

    /// Moves the view into the history by `lines` (negative: back towards the live screen).
    pub fn scroll(&mut self, lines: isize) {
        let screen = self.parser.screen_mut();
        let offset = screen.scrollback().saturating_add_signed(lines);
        screen.set_scrollback(offset);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_resizes_the_screen_without_a_program() {
        let mut pane = ShellPane::new(24, 80, ShellRole::Itself);
        pane.fit(10, 40);
        assert_eq!(pane.parser.screen().size(), (10, 40));
        pane.fit(0, 0);
        assert_eq!(pane.parser.screen().size(), (MIN_ROWS, MIN_COLS));
    }

    /// vt100 panicked on a subtraction overflow when a line wrapped on a one-row, one-column
    /// screen, which a pane gets when nslab's terminal is resized to almost nothing.
    #[test]
    fn output_on_a_pane_shrunk_to_nothing_does_not_panic() {
        let mut pane = ShellPane::new(24, 80, ShellRole::Itself);
        pane.fit(0, 0);
        pane.output("wide 漢字 text that wraps\r\n and scrolls\n\n\n".as_bytes());
    }

    fn rows(pane: &ShellPane) -> Vec<String> {
        let (_, cols) = pane.parser.screen().size();
        pane.parser.screen().rows(0, cols).collect()
    }

    /// Shrinking the terminal from 160x48 to 80x24 cut off the bottom rows (the newest output
    /// and the prompt) and kept the oldest, and the lost rows were not in the history either.
    #[test]
    fn shrinking_keeps_the_newest_output_and_moves_the_top_into_history() {
        let mut pane = ShellPane::new(46, 78, ShellRole::Itself);
        pane.output(b"\x1b[H\x1b[2J");
        for i in 1..=30 {
            pane.output(format!("{i}\r\n").as_bytes());
        }
        pane.output(b"MARKER-LAST\r\n$ ");
        pane.fit(22, 78);

        let shown = rows(&pane);
        assert_eq!(shown.last().map(String::as_str), Some("$ "), "{shown:?}");
        assert!(shown.contains(&"MARKER-LAST".to_string()), "{shown:?}");
        assert_eq!(pane.parser.screen().cursor_position(), (21, 2));

        // The rows that no longer fit are in the history, in order.
        pane.scroll(10);
        let history = rows(&pane);
        assert!(history.contains(&"1".to_string()), "{history:?}");
        assert!(history.contains(&"10".to_string()), "{history:?}");
    }

    #[test]
    fn shrinking_the_alternate_screen_keeps_the_cursor_row() {
        let mut pane = ShellPane::new(10, 20, ShellRole::Itself);
        pane.output(b"before\r\n\x1b[?1049h\x1b[H");
        for i in 1..=8 {
            pane.output(format!("alt {i}\r\n").as_bytes());
        }
        pane.output(b"bottom");
        pane.fit(4, 20);
        let shown = rows(&pane);
        assert_eq!(
            shown.last().map(String::as_str),
            Some("bottom"),
            "{shown:?}"
        );
        pane.output(b"\x1b[?1049l");
        assert!(rows(&pane).contains(&"before".to_string()));
    }

    #[test]
    fn scrolling_stops_at_the_oldest_line_and_typing_returns_to_live() {
        let mut pane = ShellPane::new(3, 10, ShellRole::Itself);
        for i in 0..10 {
            pane.output(format!("line {i}\r\n").as_bytes());
        }
        pane.scroll(100);
        let offset = pane.parser.screen().scrollback();
        assert!(offset > 0 && offset <= 10, "offset {offset}");
        pane.write(b"x");
        assert_eq!(pane.parser.screen().scrollback(), 0);
    }
}
