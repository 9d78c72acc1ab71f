//! The help overlay: every key, scrollable when the screen is too small for the list.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use crate::tui::input::KEYS;
use crate::tui::view::pane_block;
use crate::tui::{layout, scroll};

/// Draws the help over `area`, scrolled by `scroll` rows.
pub fn draw(frame: &mut Frame, area: Rect, scroll: u16) {
    let popup = help_area(area);
    let limit = help_scroll_limit(area);
    let mut block = pane_block(" Keys ", true);
    if limit > 0 {
        // A small terminal cannot show every key: say how to reach the rest.
        let more = if scroll < limit {
            " j/k: more "
        } else {
            " k: back up "
        };
        block = block.title_bottom(more);
    }
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(help_text())
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll.min(limit), 0)),
        popup,
    );
}

/// How far the help can scroll on a screen of `area`.
pub fn help_scroll_limit(area: Rect) -> u16 {
    scroll::limit(&help_text(), layout::inner(help_area(area)))
}

/// The help popup: centred, as large as the keys need, at most the screen.
fn help_area(area: Rect) -> Rect {
    let width = 72.min(area.width);
    let height = (u16::try_from(KEYS.len()).unwrap_or(u16::MAX) + 4).min(area.height);
    let [row] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(row);
    popup
}

fn help_text() -> Text<'static> {
    let mut lines = vec![Line::default()];
    lines.extend(KEYS.iter().map(|(key, action)| {
        Line::from(vec![
            Span::styled(
                format!("{key:>16}"),
                Style::new().add_modifier(Modifier::BOLD),
            ),
            Span::raw(format!("  {action}")),
        ])
    }));
    Text::from(lines)
}
