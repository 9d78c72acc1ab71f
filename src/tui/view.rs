//! Drawing: one small function per area, after the layout is split into named rectangles.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Tabs, Wrap};
use tui_term::widget::{Cursor, PseudoTerminal};

use crate::lesson::Side;
use crate::tui::app::{App, Focus, LessonView, Overlay};
use crate::tui::input::KEYS;
use crate::tui::layout::{self, Arrangement, HostView, Tab};
use crate::tui::panels::{self, PanelKind};
use crate::tui::shell_pane::{ShellPane, ShellState};
use crate::tui::{markdown, scroll};

const FOCUSED: Style = Style::new().fg(Color::Cyan);
const KEY: Style = Style::new().fg(Color::Black).bg(Color::Gray);

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
            app.current_step().isolation.summary()
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
    draw_status(frame, areas.status, app);
    if app.overlay == Overlay::Help {
        draw_help(frame, frame.area(), app.help_scroll);
    }
}

fn pane_block(title: impl Into<Line<'static>>, focused: bool) -> Block<'static> {
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

/// The keys that work right now, for the status bar, the most needed first: what does not
/// fit on a narrow status bar is left out from the end (the help lists everything).
pub fn status_keys(app: &App) -> Vec<(&'static str, &'static str)> {
    if app.overlay == Overlay::Help {
        if help_scroll_limit(app.screen) == 0 {
            return vec![("any key", "close")];
        }
        return vec![("j/k", "scroll"), ("any other key", "close")];
    }
    match app.focus {
        Focus::Sandbox | Focus::Host => {
            let pane = if app.focus == Focus::Host {
                &app.host
            } else {
                &app.sandbox
            };
            let mut keys = vec![("Ctrl-g", "lesson"), ("Shift-PgUp", "history")];
            if !pane.is_running() {
                keys.push(("Enter", "restart"));
            }
            keys
        }
        Focus::Lesson => lesson_keys(app),
    }
}

fn lesson_keys(app: &App) -> Vec<(&'static str, &'static str)> {
    let step = app.current_step();
    let mut keys = vec![("Ctrl-g", "shell"), ("←/→", "step")];
    const TRY: [&str; 9] = ["1", "1-2", "1-3", "1-4", "1-5", "1-6", "1-7", "1-8", "1-9"];
    if let Some(range) = step.suggestions.len().checked_sub(1).map(|i| TRY[i.min(8)]) {
        keys.push((range, "try"));
    }

    // Small screens show one area at a time: say how to reach the panels. Wide ones show
    // everything, and can hide the host shell instead.
    keys.push(match (app.areas(app.screen).arrangement, app.lesson_view) {
        (Arrangement::Tabs, LessonView::Text) => ("v", "panels"),
        (Arrangement::Tabs, LessonView::Panels) => ("v", "text"),
        (Arrangement::Columns, _) if app.host_view == HostView::Split => ("t", "hide host"),
        (Arrangement::Columns, _) => ("t", "show host"),
    });
    keys.extend([
        ("o", "host"),
        ("Tab", "panel"),
        ("?", "help"),
        ("q", "quit"),
    ]);

    // The lesson text itself offers hints, and the help lists the rest.
    if app.hints_shown < step.hints.len() {
        keys.push(("h", "hint"));
    }
    keys.extend([("j/k", "scroll"), ("r", "restart")]);
    keys
}

fn draw_status(frame: &mut Frame, area: Rect, app: &App) {
    let who = match app.focus {
        Focus::Sandbox => " SANDBOX ",
        Focus::Host => " HOST ",
        Focus::Lesson => " LESSON ",
    };
    let mut spans = vec![Span::styled(
        who,
        Style::new().fg(Color::Black).bg(Color::Cyan),
    )];
    // A message replaces the keys until the next key press: it answers what was just asked.
    if let Some(message) = &app.message {
        spans.push(Span::styled(
            format!(" {message}"),
            Style::new().fg(Color::Yellow),
        ));
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
        return;
    }

    // Whole keys only: a key cut in half is worse than one left to the help.
    let mut room = usize::from(area.width).saturating_sub(who.len());
    for (key, action) in status_keys(app) {
        let width = 1 + key.chars().count() + 1 + action.chars().count();
        if width > room {
            continue;
        }
        room -= width;
        spans.push(Span::raw(" "));
        spans.push(Span::styled(key, KEY));
        spans.push(Span::raw(format!(" {action}")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_help(frame: &mut Frame, area: Rect, scroll: u16) {
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
