//! The application state: which lesson and step, who has the keyboard, the two shells, the
//! panel data.
//!
//! Key handling lives in [`crate::tui::input`], the shells' lives in [`crate::tui::shells`],
//! drawing in [`crate::tui::view`]; all work on this state. The run loop owns the one [`App`].

use ratatui::layout::Rect;

use crate::lesson::{Lesson, Step};
use crate::tui::event::{Event, ShellEvent, ShellId};
use crate::tui::foreground::ShellRole;
use crate::tui::layout::{self, Areas, HostView, Tab};
use crate::tui::panel_feed::Visibility;
use crate::tui::panels::{self, PanelData, PanelKind};
use crate::tui::progress::Progress;
use crate::tui::shell_pane::ShellPane;
use crate::tui::shells::{HostStart, Wiring};
use crate::tui::{scroll, view};

/// Who has the keyboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    /// The sandbox shell: every key but the focus chord goes to it.
    Sandbox,
    /// The host shell.
    Host,
    /// The lesson side: keys move between steps, scroll, send suggestions.
    Lesson,
}

/// What is drawn over everything else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overlay {
    /// Nothing.
    None,
    /// The list of keys.
    Help,
}

/// What the lesson side shows when the screen has room for one area only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LessonView {
    /// The step's text.
    Text,
    /// The live panels.
    Panels,
}

/// Whether the run loop goes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunState {
    /// Keep going.
    Running,
    /// Leave after this batch of events.
    Quitting,
}

/// Everything the screen shows and the keys act on.
pub struct App {
    /// The open lesson.
    pub lesson: Lesson,
    /// The current step's index.
    pub step: usize,
    /// Who has the keyboard.
    pub focus: Focus,
    /// The shell that Ctrl-g returns to.
    pub last_shell: Focus,
    /// What is drawn on top.
    pub overlay: Overlay,
    /// Whether the host shell is shown beside the sandbox (wide screens).
    pub host_view: HostView,
    /// Text or panels, on small screens.
    pub lesson_view: LessonView,
    /// The panel shown.
    pub panel: PanelKind,
    /// How far the panel is scrolled.
    pub panel_scroll: u16,
    /// How far the lesson text is scrolled.
    pub lesson_scroll: u16,
    /// How far the help is scrolled.
    pub help_scroll: u16,
    /// How many of the step's hints are revealed.
    pub hints_shown: usize,
    /// The step's sandboxed shell.
    pub sandbox: ShellPane,
    /// The shell on the host side.
    pub host: ShellPane,
    /// The latest panel data.
    pub panel_data: PanelData,
    /// Where the learner is, and what is done.
    pub progress: Progress,
    /// Whether the run loop goes on.
    pub state: RunState,
    /// The signal that ended the TUI, if one did.
    pub signal: Option<i32>,
    /// The terminal's area at the latest [`App::fit`].
    pub screen: Rect,
    /// A short message for the status bar, until the next key.
    pub message: Option<String>,
    pub(crate) host_start: HostStart,
    pub(crate) panel_generation: u64,
    pub(crate) wiring: Option<Wiring>,
}

impl App {
    /// Opens `lesson` at step index `step`; nothing runs until [`App::start`].
    pub fn new(lesson: Lesson, step: usize, progress: Progress, wiring: Option<Wiring>) -> App {
        let step = step.min(lesson.steps.len().saturating_sub(1));
        App {
            lesson,
            step,
            focus: Focus::Sandbox,
            last_shell: Focus::Sandbox,
            overlay: Overlay::None,
            host_view: HostView::Split,
            lesson_view: LessonView::Text,
            panel: PanelKind::default(),
            panel_scroll: 0,
            lesson_scroll: 0,
            help_scroll: 0,
            hints_shown: 0,
            sandbox: ShellPane::new(24, 80, ShellRole::FirstChild),
            host: ShellPane::new(24, 80, ShellRole::Itself),
            panel_data: PanelData::default(),
            progress,
            state: RunState::Running,
            signal: None,
            screen: Rect::new(0, 0, 80, 24),
            message: None,
            host_start: HostStart::Done,
            panel_generation: 0,
            wiring,
        }
    }

    /// Starts the step's sandbox and the host shell, sized for `area`.
    pub fn start(&mut self, area: Rect) {
        self.fit(area);
        self.enter_step();
        self.host_start = HostStart::AfterSandboxSetup;
    }

    /// The current step.
    pub fn current_step(&self) -> &Step {
        &self.lesson.steps[self.step]
    }

    /// The area shown when the screen has room for one only.
    pub fn visible_tab(&self) -> Tab {
        match (self.focus, self.lesson_view) {
            (Focus::Sandbox, _) => Tab::Sandbox,
            (Focus::Host, _) => Tab::Host,
            (Focus::Lesson, LessonView::Text) => Tab::Lesson,
            (Focus::Lesson, LessonView::Panels) => Tab::Panels,
        }
    }

    /// The screen's areas for a terminal of `area`.
    pub fn areas(&self, area: Rect) -> Areas {
        layout::compute(area, self.visible_tab(), self.host_view)
    }

    /// Sizes both shells' screens and PTYs to their panes, so that `stty size` inside
    /// matches what is drawn, and pauses the panels while they are off screen.
    pub fn fit(&mut self, area: Rect) {
        // Measuring the texts costs an off-screen draw: only a new size can shorten them.
        if self.screen != area {
            self.screen = area;
            self.clamp_scrolls();
        }
        let areas = self.areas(area);
        if let Some(wiring) = &mut self.wiring {
            wiring.panels.set_visible(match areas.panels {
                Some(_) => Visibility::Shown,
                None => Visibility::Hidden,
            });
        }
        let sandbox = layout::inner(areas.sandbox_size);
        let host = layout::inner(areas.host_size);
        self.sandbox.fit(sandbox.height, sandbox.width);
        self.host.fit(host.height, host.width);
    }

    /// Where the lesson text is drawn, its border included. When the small-screen tabs show
    /// something else, the text would get the same area as any tab.
    pub fn lesson_area(&self) -> Rect {
        let areas = self.areas(self.screen);
        areas.lesson.unwrap_or(areas.sandbox_size)
    }

    /// Where the panel itself is drawn, below the panels' tab row, its border included.
    pub fn panel_area(&self) -> Rect {
        let areas = self.areas(self.screen);
        let [_, body] = layout::panel_parts(areas.panels.unwrap_or(areas.sandbox_size));
        body
    }

    /// Keeps both scroll offsets within their text, which a wider screen or new panel data
    /// can make shorter, so that a view never scrolls past its end into blank.
    pub fn clamp_scrolls(&mut self) {
        let lesson = layout::inner(self.lesson_area());
        let limit = scroll::limit(&view::lesson_text(self), lesson);
        self.lesson_scroll = self.lesson_scroll.min(limit);
        let limit = panels::scroll_limit(self.panel_area(), self.panel, &self.panel_data);
        self.panel_scroll = self.panel_scroll.min(limit);
    }

    /// Reacts to one event that is not a key (keys: see `input`).
    pub fn handle(&mut self, event: Event) {
        match event {
            Event::Input(crossterm::event::Event::Key(key)) => self.key(key),
            Event::Input(crossterm::event::Event::Paste(text)) => self.paste(&text),
            Event::Input(_) => {}
            Event::Shell(id, event) => self.shell_event(id, event),
            Event::Panels(generation, data) => {
                if generation == self.panel_generation {
                    self.panel_data = *data;
                    self.clamp_scrolls();
                }
            }
            Event::Terminate(signal) => {
                tracing::info!(signal, "terminating on a signal");
                self.signal = Some(signal);
                self.quit();
            }
        }
    }

    fn shell_event(&mut self, id: ShellId, event: ShellEvent) {
        let is_sandbox = self.sandbox.owns(id);
        let pane = if is_sandbox {
            &mut self.sandbox
        } else if self.host.owns(id) {
            &mut self.host
        } else {
            return;
        };
        let exited = match event {
            ShellEvent::Output(bytes) => {
                pane.output(&bytes);
                false
            }
            ShellEvent::Exited(report) => {
                pane.exited(report);
                true
            }
        };
        if !is_sandbox {
            return;
        }

        // The sandbox has said something, so its launcher has finished setting up.
        if self.host_start == HostStart::AfterSandboxSetup {
            self.host_start = HostStart::Done;
            self.start_host();
        }
        if exited {
            self.watch_panels();
        }
    }

    /// nslab's exit status: 0 after `q`; after a signal, 128 + its number, as a shell
    /// reports a process the signal killed, so that whoever sent it sees it obeyed.
    pub fn exit_status(&self) -> i32 {
        self.signal.map_or(0, |signal| 128 + signal)
    }

    /// Ends both shells and saves progress; the run loop then stops.
    pub fn quit(&mut self) {
        self.state = RunState::Quitting;
        self.sandbox.stop();
        self.host.stop();
        self.save_progress();
    }
}
