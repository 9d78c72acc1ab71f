//! Drawing: one small function per area, after the layout is split into named rectangles.
//! The status bar and the help overlay are in files of their own.

mod help;
mod status;

pub use help::help_scroll_limit;
pub use status::status_keys;

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Paragraph, Tabs, Wrap};
use tui_term::widget::{Cursor, PseudoTerminal};

use crate::lesson::Side;
use crate::tui::app::{App, Focus, Overlay};
use crate::tui::layout::{self, Tab};
use crate::tui::markdown;
use crate::tui::panels::{self, PanelKind};
use crate::tui::shell_pane::{ShellPane, ShellState};

const FOCUSED: Style = Style::new().fg(Color::Cyan);
pub(super) const KEY: Style = Style::new().fg(Color::Black).bg(Color::Gray);

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, app: &App) {
    let areas = app.areas(frame.area());
    if let Some(area) = areas.tabs {
        draw_tabs(frame, area, app.visible_tab());
    }
    if let Some(area) = areas.lesson {
        draw_lesson(frame, area, app);
    }
    if let Some(area) = areas.panels {
        draw_panels(frame, area, app);
    }
    if let Some(area) = areas.sandbox {
        let title = format!(
            " Sandbox · {} · {} ",
            app.current_step().id,
            app.current_step().isolation.summary_here()
        );
        draw_shell(
            frame,
            area,
            &app.sandbox,
            title,
            app.focus == Focus::Sandbox,
        );
    }
    if let Some(area) = areas.host {
        let title = " Host (the second terminal) ".to_string();
        draw_shell(frame, area, &app.host, title, app.focus == Focus::Host);
    }
    status::draw(frame, areas.status, app);
    if app.overlay == Overlay::Help {
        help::draw(frame, frame.area(), app.help_scroll);
    }
}

pub(super) fn pane_block(title: impl Into<Line<'static>>, focused: bool) -> Block<'static> {
    let block = Block::default().borders(Borders::ALL).title(title);
    if focused {
        block.border_style(FOCUSED)
    } else {
        block
    }
}

fn draw_tabs(frame: &mut Frame, area: Rect, visible: Tab) {
    let selected = Tab::ALL.iter().position(|tab| *tab == visible);
    let tabs = Tabs::new(Tab::ALL.iter().map(|tab| tab.title()))
        .select(selected)
        .highlight_style(FOCUSED.add_modifier(Modifier::BOLD | Modifier::REVERSED));
    frame.render_widget(tabs, area);
}

fn draw_lesson(frame: &mut Frame, area: Rect, app: &App) {
    let block = pane_block(
        format!(" {} ", app.lesson.title),
        app.focus == Focus::Lesson,
    );
    let text = Paragraph::new(lesson_text(app))
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((app.lesson_scroll, 0));
    frame.render_widget(text, area);
}

/// The lesson pane's content: where we are, the step's text, things to try, hints.
pub fn lesson_text(app: &App) -> Text<'static> {
    let step = app.current_step();
    let done = app.progress.is_done(&app.lesson.id, &step.id);
    let mut lines = vec![Line::from(vec![
        Span::styled(
            format!("Step {}/{}", app.step + 1, app.lesson.steps.len()),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        Span::raw(format!(" · {}", step.title)),
        Span::styled(if done { " ✓" } else { "" }, Style::new().fg(Color::Green)),
    ])];
    lines.push(Line::default());
    lines.extend(markdown::render(&step.body).lines);

    if !step.suggestions.is_empty() {
        lines.push(Line::default());
        lines.push(Line::styled(
            "Try (press the number):",
            Style::new().add_modifier(Modifier::BOLD),
        ));
        for (i, suggestion) in step.suggestions.iter().enumerate().take(9) {
            let prompt = match suggestion.side {
                Side::Sandbox => "sandbox$",
                Side::Host => "host$",
            };
            lines.push(Line::from(vec![
                Span::styled(format!(" {} ", i + 1), KEY),
                Span::raw(format!(" {prompt} ")),
                Span::styled(suggestion.command.clone(), markdown::CODE),
            ]));
        }
    }

    for (i, hint) in step.hints.iter().take(app.hints_shown).enumerate() {
        lines.push(Line::default());
        lines.push(Line::from(vec![
            Span::styled(format!("Hint {}: ", i + 1), Style::new().fg(Color::Magenta)),
            Span::raw(hint.clone()),
        ]));
    }
    let last = app.step + 1 == app.lesson.steps.len();
    if last && done {
        lines.push(Line::default());
        lines.push(Line::styled(
            "✓ Course complete.",
            Style::new().fg(Color::Green).add_modifier(Modifier::BOLD),
        ));
        lines.push(Line::from(vec![
            Span::styled("nslab lessons", markdown::CODE),
            Span::raw(" lists the other lessons; "),
            Span::styled("nslab learn LESSON", markdown::CODE),
            Span::raw(" opens one."),
        ]));
    } else if last {
        lines.push(Line::default());
        lines.push(Line::styled(
            "(the last step: → finishes the course)",
            Style::new().fg(Color::DarkGray),
        ));
    }

    let hidden = step.hints.len() - app.hints_shown.min(step.hints.len());
    if hidden > 0 {
        lines.push(Line::default());
        lines.push(Line::styled(
            format!("(h: a hint, {hidden} left)"),
            Style::new().fg(Color::DarkGray),
        ));
    }
    Text::from(lines)
}

fn draw_panels(frame: &mut Frame, area: Rect, app: &App) {
    let [tabs, body] = layout::panel_parts(area);
    let selected = PanelKind::ALL.iter().position(|kind| *kind == app.panel);
    let titles = Tabs::new(PanelKind::ALL.iter().map(|kind| kind.title()))
        .select(selected)
        .highlight_style(Style::new().add_modifier(Modifier::REVERSED));
    frame.render_widget(titles, tabs);
    panels::render(frame, body, app.panel, &app.panel_data, app.panel_scroll);
}

fn draw_shell(frame: &mut Frame, area: Rect, pane: &ShellPane, title: String, focused: bool) {
    let screen = pane.parser.screen();
    let mut block = pane_block(title, focused);
    if screen.scrollback() > 0 {
        block = block.title_bottom(format!(" history: {} lines up ", screen.scrollback()));
    }
    match &pane.state {
        ShellState::Exited(report) => {
            let notice = format!(" the shell {report} · Enter (in this pane): start again ");
            block = block.title_bottom(Line::styled(notice, Style::new().fg(Color::Yellow)));
        }
        ShellState::Failed(message) => {
            let text = Paragraph::new(format!("Could not start: {message}\n\nEnter: try again"))
                .wrap(Wrap { trim: false })
                .block(block);
            frame.render_widget(text, area);
            return;
        }
        ShellState::Idle | ShellState::Running(_) => {}
    }

    // The real terminal cursor marks the shell's cursor, only where keys go now.
    let mut cursor = Cursor::default();
    cursor.hide();
    frame.render_widget(
        PseudoTerminal::new(screen).block(block).cursor(cursor),
        area,
    );
    let inner = layout::inner(area);
    let (row, col) = screen.cursor_position();
    let live = pane.is_running() && screen.scrollback() == 0 && !screen.hide_cursor();
    if focused && live && row < inner.height && col < inner.width {
        frame.set_cursor_position(Position::new(inner.x + col, inner.y + row));
    }
}
