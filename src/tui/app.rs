//! The application state: which lesson and step, who has the keyboard, the two shells, the
//! panel data, and what happens when the learner moves between steps.
//!
//! Key handling lives in [`crate::tui::input`], drawing in [`crate::tui::view`]; both work on
//! this state. The run loop owns the one [`App`].

use portable_pty::CommandBuilder;
use ratatui::layout::Rect;

use crate::lesson::{Lesson, Side, Step};
use crate::sandbox::LaunchRequest;
use crate::sandbox::host::host_shell_command;
use crate::tui::event::{Event, EventSender, ShellEvent, ShellId};
use crate::tui::layout::{self, Areas, HostView, Tab};
use crate::tui::panel_feed::PanelFeed;
use crate::tui::panels::{PanelData, PanelInput, PanelKind};
use crate::tui::progress::{Progress, ProgressStore};
use crate::tui::shell_pane::ShellPane;

/// The terminal type the panes emulate, for programs inside to pick their escape sequences.
const PANE_TERM: &str = "xterm-256color";

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

/// The connections to the outside world; absent in rendering tests.
pub struct Wiring {
    /// Where shells and workers send their events.
    pub events: EventSender,
    /// The panel worker.
    pub panels: PanelFeed,
    /// Where progress is saved.
    pub store: ProgressStore,
    next_shell: u64,
    trace_dir: Option<tempfile::TempDir>,
}

impl Wiring {
    /// Connects the app to its channel, panel worker and progress file.
    pub fn new(events: EventSender, panels: PanelFeed, store: ProgressStore) -> Wiring {
        Wiring {
            events,
            panels,
            store,
            next_shell: 0,
            trace_dir: None,
        }
    }

    fn next_id(&mut self) -> ShellId {
        self.next_shell += 1;
        ShellId(self.next_shell)
    }
}

/// Everything the screen shows and the keys act on.
pub struct App {
    pub lesson: Lesson,
    pub step: usize,
    pub focus: Focus,
    pub last_shell: Focus,
    pub overlay: Overlay,
    pub host_view: HostView,
    pub lesson_view: LessonView,
    pub panel: PanelKind,
    pub panel_scroll: u16,
    pub lesson_scroll: u16,
    pub hints_shown: usize,
    pub sandbox: ShellPane,
    pub host: ShellPane,
    pub panel_data: PanelData,
    pub progress: Progress,
    pub state: RunState,
    panel_generation: u64,
    wiring: Option<Wiring>,
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
            hints_shown: 0,
            sandbox: ShellPane::new(24, 80),
            host: ShellPane::new(24, 80),
            panel_data: PanelData::default(),
            progress,
            state: RunState::Running,
            panel_generation: 0,
            wiring,
        }
    }

    /// Starts the step's sandbox and the host shell, sized for `area`.
    pub fn start(&mut self, area: Rect) {
        self.fit(area);
        self.enter_step();
        self.start_host();
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
    /// matches what is drawn.
    pub fn fit(&mut self, area: Rect) {
        let areas = self.areas(area);
        let sandbox = layout::inner(areas.sandbox_size);
        let host = layout::inner(areas.host_size);
        self.sandbox.fit(sandbox.height, sandbox.width);
        self.host.fit(host.height, host.width);
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
                }
            }
            Event::Terminate(signal) => {
                tracing::info!(signal, "terminating on a signal");
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
        match event {
            ShellEvent::Output(bytes) => pane.output(&bytes),
            ShellEvent::Exited(report) => {
                pane.exited(report);
                if is_sandbox {
                    self.watch_panels();
                }
            }
        }
    }

    /// Ends both shells and saves progress; the run loop then stops.
    pub fn quit(&mut self) {
        self.state = RunState::Quitting;
        self.sandbox.stop();
        self.host.stop();
        self.save_progress();
    }

    /// Moves to step index `to`: the old sandbox ends completely before the new one starts.
    pub fn go_to_step(&mut self, to: usize) {
        if to >= self.lesson.steps.len() || to == self.step {
            return;
        }
        if to > self.step {
            let (lesson, step) = (self.lesson.id.clone(), self.current_step().id.clone());
            self.progress.complete(&lesson, &step);
        }
        let needed_stand_in = self.current_step().isolation.needs_stand_in_host();
        self.step = to;
        self.lesson_scroll = 0;
        self.hints_shown = 0;
        self.focus = Focus::Sandbox;
        self.last_shell = Focus::Sandbox;
        self.enter_step();

        // The host shell lives in the stand-in host's mount namespace while a step has one.
        if needed_stand_in || self.current_step().isolation.needs_stand_in_host() {
            self.start_host();
        }
    }

    /// Starts the current step's sandbox again, from a fresh screen.
    pub fn restart_sandbox(&mut self) {
        self.enter_step();
        if self.current_step().isolation.needs_stand_in_host() {
            self.start_host();
        }
    }

    fn enter_step(&mut self) {
        self.save_progress();
        let Some(wiring) = &mut self.wiring else {
            return;
        };
        let step = &self.lesson.steps[self.step];

        // The trace goes to a fresh directory only this user can read, removed with the step.
        let trace_dir = tempfile::Builder::new().prefix("nslab-step-").tempdir();
        let trace = trace_dir
            .as_ref()
            .ok()
            .map(|dir| dir.path().join("trace.jsonl"));
        let command = sandbox_command(step, trace.as_deref());
        let id = wiring.next_id();
        self.sandbox.start(command, id, &wiring.events);
        wiring.trace_dir = trace_dir.ok();
        self.watch_panels();
    }

    /// Starts (or restarts) the host shell.
    pub fn start_host(&mut self) {
        let launcher = self.sandbox.pid();
        let Some(wiring) = &mut self.wiring else {
            return;
        };
        let command = host_shell_command(launcher)
            .map(|mut command| {
                command.env("TERM", PANE_TERM);
                command
            })
            .map_err(|e| e.to_string());
        let id = wiring.next_id();
        self.host.start(command, id, &wiring.events);
    }

    /// Tells the panel worker what to watch now.
    fn watch_panels(&mut self) {
        let Some(wiring) = &self.wiring else {
            return;
        };
        self.panel_generation += 1;
        let input = PanelInput {
            launcher: self.sandbox.pid(),
            spec: self.current_step().isolation.clone(),
            previous: self
                .step
                .checked_sub(1)
                .map(|i| self.lesson.steps[i].isolation.clone()),
            trace: wiring
                .trace_dir
                .as_ref()
                .map(|dir| dir.path().join("trace.jsonl")),
        };
        wiring.panels.watch(self.panel_generation, input);
    }

    /// Types a suggested command, followed by Enter, into the shell it is meant for.
    pub fn send_suggestion(&mut self, index: usize) {
        let Some(suggestion) = self.current_step().suggestions.get(index).cloned() else {
            return;
        };
        let (pane, focus) = match suggestion.side {
            Side::Sandbox => (&mut self.sandbox, Focus::Sandbox),
            Side::Host => (&mut self.host, Focus::Host),
        };
        pane.write(format!("{}\r", suggestion.command).as_bytes());
        if focus == Focus::Host && self.host_view == HostView::Hidden {
            self.host_view = HostView::Split;
        }
        self.focus = focus;
        self.last_shell = focus;
    }

    fn save_progress(&mut self) {
        let (lesson, step) = (self.lesson.id.clone(), self.current_step().id.clone());
        self.progress.visit(&lesson, &step);
        if let Some(wiring) = &self.wiring {
            wiring.store.save(&self.progress);
        }
    }
}

/// The launcher command for `step`, or why there is none.
fn sandbox_command(step: &Step, trace: Option<&std::path::Path>) -> Result<CommandBuilder, String> {
    let mut request = LaunchRequest::new(step.isolation.clone())
        .map_err(|e| e.to_string())?
        .with_label(&step.id);
    request.term = Some(PANE_TERM.to_string());
    if let Some(trace) = trace {
        request = request.with_trace(trace);
    }
    request.pty_command().map_err(|e| e.to_string())
}
