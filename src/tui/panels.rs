//! The live panels beside the shell: PIDs, /proc, mounts, namespaces, code, setup trace.
//!
//! Data is collected off the UI thread with [`collect`], which takes one inspector snapshot,
//! and drawn with [`render`], which only formats it: the panels never read `/proc` themselves,
//! so they show exactly what `nslab inspect` prints. Each panel's drawing is in its own file.

mod code;
mod mounts;
mod namespaces;
mod pids;
mod proc;
mod trace;

use std::path::PathBuf;

use nix::unistd::Pid;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Text};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::inspect::{self, Snapshot, Target};
use crate::spec::IsolationSpec;
use crate::tui::{layout, scroll};

/// Which panel is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PanelKind {
    #[default]
    Pids,
    Proc,
    Mounts,
    Namespaces,
    Code,
    Trace,
}

impl PanelKind {
    /// Every panel, in tab order.
    pub const ALL: [PanelKind; 6] = [
        PanelKind::Pids,
        PanelKind::Proc,
        PanelKind::Mounts,
        PanelKind::Namespaces,
        PanelKind::Code,
        PanelKind::Trace,
    ];

    /// The tab title.
    pub fn title(self) -> &'static str {
        match self {
            PanelKind::Pids => "PIDs",
            PanelKind::Proc => "/proc",
            PanelKind::Mounts => "Mounts",
            PanelKind::Namespaces => "Namespaces",
            PanelKind::Code => "Code",
            PanelKind::Trace => "Setup",
        }
    }

    /// The next panel, wrapping around.
    pub fn next(self) -> PanelKind {
        let i = PanelKind::ALL.iter().position(|k| *k == self).unwrap_or(0);
        PanelKind::ALL[(i + 1) % PanelKind::ALL.len()]
    }

    /// The previous panel, wrapping around.
    pub fn prev(self) -> PanelKind {
        let i = PanelKind::ALL.iter().position(|k| *k == self).unwrap_or(0);
        PanelKind::ALL[(i + PanelKind::ALL.len() - 1) % PanelKind::ALL.len()]
    }
}

/// What the panels need to know about the current step.
#[derive(Clone, Debug, Default)]
pub struct PanelInput {
    /// The launcher's host PID, while the sandbox runs.
    pub launcher: Option<Pid>,
    /// The step's isolation.
    pub spec: IsolationSpec,
    /// The previous step's isolation, to mark what changed.
    pub previous: Option<IsolationSpec>,
    /// The setup trace file.
    pub trace: Option<PathBuf>,
}

/// Everything the panels draw, collected in one go.
#[derive(Clone, Debug, Default)]
pub struct PanelData {
    /// A one-line summary of the step and the launcher.
    pub summary: String,
    /// The inspector's snapshot: the only source of what the panels show.
    pub snapshot: Snapshot,
}

impl PanelInput {
    /// What the inspector should look at.
    pub fn target(&self) -> Target {
        Target {
            launcher: self.launcher.map(Pid::as_raw),
            spec: self.spec.clone(),
            previous: self.previous.clone(),
            root_dir: None,
            trace: self.trace.clone(),
        }
    }
}

/// Reads the kernel's view of the sandbox. Runs on a worker thread.
pub fn collect(input: &PanelInput) -> PanelData {
    PanelData {
        summary: format!("{} (launcher {:?})", input.spec.summary(), input.launcher),
        snapshot: inspect::snapshot(&input.target()),
    }
}

/// The inner width from which tables show every column, as `nslab inspect` prints them.
const WIDE: u16 = 90;

/// Draws one panel in `area`, its border included.
pub fn render(frame: &mut Frame, area: Rect, kind: PanelKind, data: &PanelData, scroll: u16) {
    let block = Block::default().borders(Borders::ALL).title(kind.title());
    let text = Paragraph::new(lines(kind, data, area))
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0));
    frame.render_widget(text, area);
}

/// How far the panel in `area` can scroll: until its last line is at the bottom.
pub fn scroll_limit(area: Rect, kind: PanelKind, data: &PanelData) -> u16 {
    let text = Text::from(lines(kind, data, area));
    scroll::limit(&text, layout::inner(area))
}

/// The panel's lines for `area`, its border included.
fn lines(kind: PanelKind, data: &PanelData, area: Rect) -> Vec<Line<'static>> {
    let snapshot = &data.snapshot;
    // Beside the shell the panel may be only some 40 columns wide: tables then drop columns
    // rather than wrap into an unreadable mess.
    let wide = area.width.saturating_sub(2) >= WIDE;
    match kind {
        PanelKind::Pids => pids::lines(snapshot, wide),
        PanelKind::Proc => proc::lines(snapshot),
        PanelKind::Mounts => mounts::lines(snapshot, wide),
        PanelKind::Namespaces => namespaces::lines(snapshot, wide),
        PanelKind::Code => code::lines(snapshot),
        PanelKind::Trace => trace::lines(snapshot),
    }
}

/// Styles shared by the panels, so a leak looks the same wherever it appears.
pub mod look {
    use ratatui::style::{Color, Modifier, Style};

    /// Headings and column titles.
    pub fn heading() -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// Plain-words notes.
    pub fn note() -> Style {
        Style::new().fg(Color::Cyan)
    }

    /// Something the sandbox has and the host does not: new, isolated.
    pub fn isolated() -> Style {
        Style::new().fg(Color::Green)
    }

    /// Something that crossed the boundary or failed.
    pub fn alarm() -> Style {
        Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    /// A line changed since the previous step.
    pub fn changed() -> Style {
        Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    /// Less important detail.
    pub fn dim() -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }
}

#[cfg(test)]
mod tests;
