//! What each key does, depending on who has the keyboard.
//!
//! A focused shell gets every key as its terminal would send it, except the focus chord
//! Ctrl-g (the shell never sees 0x07, the bell) and Shift-PageUp/PageDown, which scroll the
//! pane's history. On the lesson side, keys are commands; [`KEYS`] lists them all for the help.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::tui::app::{App, Focus, LessonView, Overlay};
use crate::tui::keys;
use crate::tui::layout::{self, HostView};
use crate::tui::shell_pane::{ShellPane, ShellState};
use crate::tui::view;
use crate::tui::{panels, scroll};

/// Every key, for the help overlay: (keys, what they do).
pub const KEYS: &[(&str, &str)] = &[
    ("Ctrl-g", "switch between the shell and the lesson side"),
    ("Shift-PgUp/PgDn", "scroll a shell's history (in a shell)"),
    ("Enter", "restart a shell that has ended (in that shell)"),
    ("→ or n", "next step (on the last one: finish)"),
    ("← or p", "previous step"),
    ("↓/↑ or j/k", "scroll the lesson text"),
    ("PgDn/PgUp", "scroll the lesson text by a page"),
    ("1-9", "type suggested command N into its shell"),
    ("h", "show the next hint"),
    ("r", "restart this step's sandbox"),
    ("s or Esc", "focus the sandbox shell"),
    ("o", "focus the host shell"),
    ("t", "show or hide the host shell (wide screens)"),
    ("v", "lesson text or panels (small screens)"),
    ("Tab/Shift-Tab", "next or previous panel"),
    ("J/K", "scroll the panel"),
    ("?", "this help"),
    ("q", "quit (the sandboxes end with nslab)"),
];

/// Lines the lesson text moves for PageUp and PageDown.
const PAGE: i16 = 10;

fn is_focus_chord(key: &KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('g')
}

impl App {
    /// Acts on one key press.
    pub fn key(&mut self, key: KeyEvent) {
        if key.kind == KeyEventKind::Release {
            return;
        }
        self.message = None;
        if self.overlay == Overlay::Help {
            return self.help_key(key);
        }
        if is_focus_chord(&key) {
            self.focus = match self.focus {
                Focus::Lesson => self.last_shell,
                shell => {
                    self.last_shell = shell;
                    Focus::Lesson
                }
            };
            return;
        }
        match self.focus {
            Focus::Sandbox => self.shell_key(key, Focus::Sandbox),
            Focus::Host => self.shell_key(key, Focus::Host),
            Focus::Lesson => self.lesson_key(key),
        }
    }

    /// Pastes text into the focused shell.
    pub fn paste(&mut self, text: &str) {
        let pane = match self.focus {
            Focus::Sandbox => &mut self.sandbox,
            Focus::Host => &mut self.host,
            Focus::Lesson => return,
        };
        let bracketed = pane.parser.screen().bracketed_paste();
        pane.write(&keys::paste(text, bracketed));
    }

    /// Scroll keys move the help on a screen too small for it; any other key closes it.
    fn help_key(&mut self, key: KeyEvent) {
        let lines: i16 = match key.code {
            KeyCode::Down | KeyCode::Char('j') => 1,
            KeyCode::Up | KeyCode::Char('k') => -1,
            KeyCode::PageDown | KeyCode::Char(' ') => PAGE,
            KeyCode::PageUp => -PAGE,
            _ => {
                self.overlay = Overlay::None;
                self.help_scroll = 0;
                return;
            }
        };
        let limit = view::help_scroll_limit(self.screen);
        self.help_scroll = scrolled(self.help_scroll, lines, limit);
    }

    fn shell_key(&mut self, key: KeyEvent, focus: Focus) {
        let pane = match focus {
            Focus::Host => &mut self.host,
            _ => &mut self.sandbox,
        };
        let ended = matches!(pane.state, ShellState::Exited(_) | ShellState::Failed(_));
        if ended && key.code == KeyCode::Enter {
            match focus {
                Focus::Host => self.start_host(),
                _ => self.restart_sandbox(),
            }
            return;
        }
        if key.modifiers.contains(KeyModifiers::SHIFT) {
            let half = isize::try_from(pane.parser.screen().size().0 / 2)
                .unwrap_or(1)
                .max(1);
            match key.code {
                KeyCode::PageUp => return pane.scroll(half),
                KeyCode::PageDown => return pane.scroll(-half),
                _ => {}
            }
        }
        send_key(pane, &key);
    }

    fn lesson_key(&mut self, key: KeyEvent) {
        match key.code {
            KeyCode::Char('q') => self.quit(),
            KeyCode::Char('?') => self.overlay = Overlay::Help,
            KeyCode::Right | KeyCode::Char('n') => self.next_step(),
            KeyCode::Left | KeyCode::Char('p') => {
                if let Some(previous) = self.step.checked_sub(1) {
                    self.go_to_step(previous);
                }
            }
            KeyCode::Down | KeyCode::Char('j') => self.scroll_lesson(1),
            KeyCode::Up | KeyCode::Char('k') => self.scroll_lesson(-1),
            KeyCode::PageDown | KeyCode::Char(' ') => self.scroll_lesson(PAGE),
            KeyCode::PageUp => self.scroll_lesson(-PAGE),
            KeyCode::Char('J') => self.scroll_panel(1),
            KeyCode::Char('K') => self.scroll_panel(-1),
            KeyCode::Char(digit @ '1'..='9') => {
                let index = digit as usize - '1' as usize;
                self.send_suggestion(index);
            }
            KeyCode::Char('h') => {
                let hints = self.current_step().hints.len();
                self.hints_shown = (self.hints_shown + 1).min(hints);
            }
            KeyCode::Char('r') => {
                self.restart_sandbox();
                self.focus = Focus::Sandbox;
            }
            KeyCode::Char('s') | KeyCode::Esc => self.focus = Focus::Sandbox,
            KeyCode::Char('o') => {
                if !self.host.is_running() && !matches!(self.host.state, ShellState::Exited(_)) {
                    self.start_host();
                }
                self.host_view = HostView::Split;
                self.focus = Focus::Host;
            }
            KeyCode::Char('t') => {
                self.host_view = match self.host_view {
                    HostView::Split => HostView::Hidden,
                    HostView::Hidden => HostView::Split,
                };
            }
            KeyCode::Char('v') => {
                self.lesson_view = match self.lesson_view {
                    LessonView::Text => LessonView::Panels,
                    LessonView::Panels => LessonView::Text,
                };
            }
            KeyCode::Tab => {
                self.panel = self.panel.next();
                self.panel_scroll = 0;
            }
            KeyCode::BackTab => {
                self.panel = self.panel.prev();
                self.panel_scroll = 0;
            }
            _ => {}
        }
    }

    /// Scrolls the lesson text, stopping with its last wrapped row at the bottom.
    fn scroll_lesson(&mut self, lines: i16) {
        let view = layout::inner(self.lesson_area());
        let limit = scroll::limit(&view::lesson_text(self), view);
        self.lesson_scroll = scrolled(self.lesson_scroll, lines, limit);
    }

    /// Scrolls the panel, stopping with its last wrapped row at the bottom.
    fn scroll_panel(&mut self, lines: i16) {
        let limit = panels::scroll_limit(self.panel_area(), self.panel, &self.panel_data);
        self.panel_scroll = scrolled(self.panel_scroll, lines, limit);
    }
}

fn scrolled(offset: u16, lines: i16, limit: u16) -> u16 {
    offset.saturating_add_signed(lines).min(limit)
}

fn send_key(pane: &mut ShellPane, key: &KeyEvent) {
    let application_cursor = pane.parser.screen().application_cursor();
    if let Some(bytes) = keys::encode(key, application_cursor) {
        pane.write(&bytes);
    }
}
