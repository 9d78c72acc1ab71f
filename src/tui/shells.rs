//! The step's two shells: starting them, replacing the sandbox when the learner changes step,
//! and telling the panels what to watch.

use portable_pty::CommandBuilder;

use crate::lesson::{Side, Step};
use crate::sandbox::LaunchRequest;
use crate::sandbox::host::host_shell_command;
use crate::tui::app::{App, Focus};
use crate::tui::event::{EventSender, ShellId};
use crate::tui::layout::{Arrangement, HostView};
use crate::tui::panel_feed::PanelFeed;
use crate::tui::panels::PanelInput;
use crate::tui::progress::ProgressStore;
use crate::tui::step_dir::StepDirs;

/// The terminal type the panes emulate, for programs inside to pick their escape sequences.
const PANE_TERM: &str = "xterm-256color";

/// What the status bar says on → at the end of the last step.
pub const COURSE_COMPLETE: &str =
    "Course complete! Other lessons: `nslab lessons`, then `nslab learn LESSON`";

/// When the host shell may start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostStart {
    /// Nothing is waiting.
    Done,
    /// Once the sandbox has printed something. A step with a stand-in host has the host shell
    /// join the launcher's mount namespace, which exists only once the launcher has made it;
    /// the sandbox's first output (its prompt, or an error) comes after that.
    AfterSandboxSetup,
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
    pub(crate) trace_dir: Option<tempfile::TempDir>,
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

    pub(crate) fn next_id(&mut self) -> ShellId {
        self.next_shell += 1;
        ShellId(self.next_shell)
    }
}

impl App {
    /// Moves to the next step; on the last step, marks it done and says the course is over,
    /// since there is no next step whose opening would mark it.
    pub fn next_step(&mut self) {
        if self.step + 1 < self.lesson.steps.len() {
            return self.go_to_step(self.step + 1);
        }
        let (lesson, step) = (self.lesson.id.clone(), self.current_step().id.clone());
        self.progress.complete(&lesson, &step);
        self.save_progress();
        self.message = Some(COURSE_COMPLETE.to_string());
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
        self.panel_scroll = 0;
        self.hints_shown = 0;
        self.focus = Focus::Sandbox;
        self.last_shell = Focus::Sandbox;
        self.enter_step();

        // The host shell lives in the stand-in host's mount namespace while a step has one.
        if needed_stand_in || self.current_step().isolation.needs_stand_in_host() {
            self.host_start = HostStart::AfterSandboxSetup;
        }
    }

    /// Starts the current step's sandbox again, from a fresh screen.
    pub fn restart_sandbox(&mut self) {
        self.enter_step();
        if self.current_step().isolation.needs_stand_in_host() {
            self.host_start = HostStart::AfterSandboxSetup;
        }
    }

    pub(crate) fn enter_step(&mut self) {
        self.save_progress();
        let Some(wiring) = &mut self.wiring else {
            return;
        };
        let step = &self.lesson.steps[self.step];
        tracing::info!(lesson = %self.lesson.id, step = %step.id, "starting the step's sandbox");

        // The trace goes to a fresh directory only this user can read, removed with the step.
        let trace_dir = StepDirs::default().create();
        if let Err(err) = &trace_dir {
            tracing::warn!(%err, "cannot make the step's directory; no setup trace");
        }
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
    pub(crate) fn watch_panels(&mut self) {
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

    /// Types a suggested command, followed by Enter, into the shell it is meant for, if that
    /// shell is at its prompt; otherwise says why not in the status bar.
    ///
    /// The keyboard stays on the lesson side, so that the next number key works too; the
    /// output shows in the pane anyway.
    pub fn send_suggestion(&mut self, index: usize) {
        let Some(suggestion) = self.current_step().suggestions.get(index).cloned() else {
            return;
        };
        let (pane, name) = match suggestion.side {
            Side::Sandbox => (&mut self.sandbox, "sandbox"),
            Side::Host => (&mut self.host, "host"),
        };
        if let Some(refusal) = pane.foreground().refusal(name) {
            self.message = Some(refusal);
            return;
        }

        // Half-typed text would join the command: go to the end of the line (Ctrl-E) and
        // kill it (Ctrl-U). Without line editing the terminal's own line discipline kills the
        // whole line on Ctrl-U, the stray Ctrl-E with it.
        pane.write(b"\x05\x15");
        pane.write(format!("{}\r", suggestion.command).as_bytes());
        if suggestion.side == Side::Host && self.host_view == HostView::Hidden {
            self.host_view = HostView::Split;
        }

        // A small screen shows the lesson only, not the shell that got the command.
        if self.areas(self.screen).arrangement == Arrangement::Tabs {
            let key = match suggestion.side {
                Side::Sandbox => 's',
                Side::Host => 'o',
            };
            self.message = Some(format!("typed into the {name} shell; {key} shows it"));
        }
    }

    pub(crate) fn save_progress(&mut self) {
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
