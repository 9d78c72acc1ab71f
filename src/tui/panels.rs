//! The live panels beside the shell: PIDs, /proc, mounts, namespaces, code, setup trace.
//!
//! Data is collected off the UI thread with [`collect`] and drawn with [`render`].

use std::path::PathBuf;

use nix::unistd::Pid;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::spec::IsolationSpec;

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
    /// A one-line summary until the real panels land.
    pub summary: String,
}

/// Reads the kernel's view of the sandbox. Runs on a worker thread.
pub fn collect(input: &PanelInput) -> PanelData {
    PanelData {
        summary: format!("{} (launcher {:?})", input.spec.summary(), input.launcher),
    }
}

/// Draws one panel.
pub fn render(frame: &mut Frame, area: Rect, kind: PanelKind, data: &PanelData, scroll: u16) {
    let block = Block::default().borders(Borders::ALL).title(kind.title());
    let text = Paragraph::new(data.summary.as_str())
        .block(block)
        .scroll((scroll, 0));
    frame.render_widget(text, area);
}
