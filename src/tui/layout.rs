//! Where each area goes on the screen, computed from the terminal size and the view state.
//!
//! Wide terminals get columns: the lesson and its panels on the left, the sandbox shell and
//! the host shell on the right. Below [`COLUMNS_MIN_WIDTH`] the screen shows one area at a
//! time under a row of tabs. Any size, down to zero, yields valid (possibly empty) rectangles.

use ratatui::layout::{Constraint, Layout, Rect};

/// The narrowest terminal that gets side-by-side columns.
pub const COLUMNS_MIN_WIDTH: u16 = 120;
/// The shortest terminal that gets side-by-side columns.
pub const COLUMNS_MIN_HEIGHT: u16 = 24;

/// How the screen is arranged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrangement {
    /// Everything side by side.
    Columns,
    /// One area at a time, chosen by tabs.
    Tabs,
}

/// What is visible in tabs mode, and which shells are on screen in columns mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    /// The step's text.
    Lesson,
    /// The live panels.
    Panels,
    /// The sandbox shell.
    Sandbox,
    /// The host shell.
    Host,
}

impl Tab {
    /// Every tab, in order.
    pub const ALL: [Tab; 4] = [Tab::Lesson, Tab::Panels, Tab::Sandbox, Tab::Host];

    /// The tab's title.
    pub fn title(self) -> &'static str {
        match self {
            Tab::Lesson => "Lesson",
            Tab::Panels => "Panels",
            Tab::Sandbox => "Sandbox",
            Tab::Host => "Host",
        }
    }
}

/// Whether the host shell shares the right column with the sandbox shell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostView {
    /// Below the sandbox shell.
    Split,
    /// Not shown (columns mode), only as a tab (tabs mode).
    Hidden,
}

/// The rectangles of one frame. Areas not on screen are `None`; the shells always get a size,
/// so that their PTYs keep the size they will be shown at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Areas {
    /// How the screen is arranged.
    pub arrangement: Arrangement,
    /// The tab row (tabs mode).
    pub tabs: Option<Rect>,
    /// The lesson text.
    pub lesson: Option<Rect>,
    /// The panels.
    pub panels: Option<Rect>,
    /// The sandbox shell on screen.
    pub sandbox: Option<Rect>,
    /// The host shell on screen.
    pub host: Option<Rect>,
    /// The sandbox shell's outer rectangle, shown or not.
    pub sandbox_size: Rect,
    /// The host shell's outer rectangle, shown or not.
    pub host_size: Rect,
    /// The status bar.
    pub status: Rect,
}

/// Lays out `area` for the visible tab (tabs mode) and host view (columns mode).
pub fn compute(area: Rect, visible: Tab, host_view: HostView) -> Areas {
    let [body, status] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    if area.width >= COLUMNS_MIN_WIDTH && area.height >= COLUMNS_MIN_HEIGHT {
        columns(body, status, host_view)
    } else {
        tabs(body, status, visible)
    }
}

fn columns(body: Rect, status: Rect, host_view: HostView) -> Areas {
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(body);
    let [lesson, panels] =
        Layout::vertical([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(left);
    let (sandbox, host) = match host_view {
        HostView::Split => {
            let [sandbox, host] =
                Layout::vertical([Constraint::Percentage(60), Constraint::Percentage(40)])
                    .areas(right);
            (sandbox, Some(host))
        }
        HostView::Hidden => (right, None),
    };
    Areas {
        arrangement: Arrangement::Columns,
        tabs: None,
        lesson: Some(lesson),
        panels: Some(panels),
        sandbox: Some(sandbox),
        host,
        sandbox_size: sandbox,
        host_size: host.unwrap_or(sandbox),
        status,
    }
}

fn tabs(body: Rect, status: Rect, visible: Tab) -> Areas {
    let [tabs, content] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(body);
    let shown = |tab: Tab| (visible == tab).then_some(content);
    Areas {
        arrangement: Arrangement::Tabs,
        tabs: Some(tabs),
        lesson: shown(Tab::Lesson),
        panels: shown(Tab::Panels),
        sandbox: shown(Tab::Sandbox),
        host: shown(Tab::Host),
        sandbox_size: content,
        host_size: content,
        status,
    }
}

/// The panels' area split into their row of tabs and the bordered panel below.
pub fn panel_parts(area: Rect) -> [Rect; 2] {
    Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area)
}

/// The inside of a bordered pane: what its PTY's size must be.
pub fn inner(area: Rect) -> Rect {
    area.inner(ratatui::layout::Margin::new(1, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_terminals_get_columns_and_small_ones_tabs() {
        let wide = compute(Rect::new(0, 0, 160, 48), Tab::Sandbox, HostView::Split);
        assert_eq!(wide.arrangement, Arrangement::Columns);
        assert!(wide.lesson.is_some() && wide.sandbox.is_some() && wide.host.is_some());

        let small = compute(Rect::new(0, 0, 80, 24), Tab::Sandbox, HostView::Split);
        assert_eq!(small.arrangement, Arrangement::Tabs);
        assert!(small.lesson.is_none() && small.sandbox.is_some() && small.host.is_none());
        assert_eq!(small.sandbox_size, small.host_size);
    }

    #[test]
    fn tiny_sizes_give_valid_rectangles() {
        for (width, height) in [(0, 0), (1, 1), (3, 2), (119, 23), (120, 24)] {
            let area = Rect::new(0, 0, width, height);
            for tab in Tab::ALL {
                let areas = compute(area, tab, HostView::Split);
                for rect in [areas.sandbox_size, areas.host_size, areas.status] {
                    assert!(rect.right() <= area.right() && rect.bottom() <= area.bottom());
                }
                let _ = inner(areas.sandbox_size);
            }
        }
    }
}
