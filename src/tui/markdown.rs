//! A step's Markdown as styled terminal text: headings, emphasis, inline code, code blocks
//! and lists. Links show their text; images, tables and HTML are shown as plain text.

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};

/// How inline code and code blocks look.
pub const CODE: Style = Style::new().fg(Color::Yellow);

/// Renders `source` into lines; the caller wraps them to the pane's width.
pub fn render(source: &str) -> Text<'static> {
    let mut writer = Writer::default();
    for event in Parser::new(source) {
        writer.event(event);
    }
    writer.finish()
}

/// A list being written: `None` for bullets, `Some(n)` for the next number.
type ListKind = Option<u64>;

#[derive(Default)]
struct Writer {
    lines: Vec<Line<'static>>,
    current: Vec<Span<'static>>,
    styles: Vec<Style>,
    lists: Vec<ListKind>,
    in_code_block: bool,
}

impl Writer {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) if self.in_code_block => self.code_block_text(&text),
            Event::Text(text) => self.push(text.into_string(), self.style()),
            Event::Code(code) => self.push(code.into_string(), CODE),
            Event::SoftBreak => self.push(" ".to_string(), self.style()),
            Event::HardBreak => self.flush(),
            Event::Rule => {
                self.blank_line();
                self.lines.push(Line::from("────────"));
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                self.push(html.into_string(), self.style())
            }
            _ => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Heading { level, .. } => {
                self.blank_line();
                let style = match level {
                    HeadingLevel::H1 => Style::new()
                        .fg(Color::Cyan)
                        .add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
                    _ => Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
                };
                self.styles.push(style);
            }
            // A paragraph directly in a list item continues the item's line.
            Tag::Paragraph if self.lists.is_empty() || self.current.is_empty() => {
                self.blank_line();
            }
            Tag::CodeBlock(_) => {
                self.blank_line();
                self.in_code_block = true;
            }
            Tag::List(start) => {
                if self.lists.is_empty() {
                    self.blank_line();
                } else {
                    self.flush();
                }
                self.lists.push(start);
            }
            Tag::Item => self.item_marker(),
            Tag::Emphasis => self
                .styles
                .push(self.style().add_modifier(Modifier::ITALIC)),
            Tag::Strong => self.styles.push(self.style().add_modifier(Modifier::BOLD)),
            Tag::Strikethrough => self
                .styles
                .push(self.style().add_modifier(Modifier::CROSSED_OUT)),
            Tag::Link { .. } => self
                .styles
                .push(self.style().add_modifier(Modifier::UNDERLINED)),
            Tag::BlockQuote(_) => {
                self.blank_line();
                self.styles
                    .push(self.style().fg(Color::Gray).add_modifier(Modifier::ITALIC));
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Heading(_) | TagEnd::BlockQuote(_) => {
                self.flush();
                self.styles.pop();
            }
            TagEnd::Paragraph | TagEnd::Item => self.flush(),
            TagEnd::CodeBlock => {
                self.in_code_block = false;
                self.flush();
            }
            TagEnd::List(_) => {
                self.flush();
                self.lists.pop();
            }
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link => {
                self.styles.pop();
            }
            _ => {}
        }
    }

    fn item_marker(&mut self) {
        self.flush();
        let depth = self.lists.len().saturating_sub(1);
        let indent = "  ".repeat(depth);
        let marker = match self.lists.last_mut() {
            Some(Some(number)) => {
                let marker = format!("{indent}{number}. ");
                *number += 1;
                marker
            }
            _ => format!("{indent}• "),
        };
        self.current.push(Span::raw(marker));
    }

    fn code_block_text(&mut self, text: &str) {
        for line in text.lines() {
            self.lines
                .push(Line::from(Span::styled(format!("    {line}"), CODE)));
        }
    }

    fn style(&self) -> Style {
        self.styles.last().copied().unwrap_or_default()
    }

    fn push(&mut self, text: String, style: Style) {
        self.current.push(Span::styled(text, style));
    }

    fn flush(&mut self) {
        if !self.current.is_empty() {
            self.lines
                .push(Line::from(std::mem::take(&mut self.current)));
        }
    }

    /// Ends the current line and leaves one empty line, unless at the very top.
    fn blank_line(&mut self) {
        self.flush();
        if self.lines.last().is_some_and(|line| !line.spans.is_empty()) {
            self.lines.push(Line::default());
        }
    }

    fn finish(mut self) -> Text<'static> {
        self.flush();
        Text::from(self.lines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &Text<'_>) -> Vec<String> {
        text.lines.iter().map(|line| line.to_string()).collect()
    }

    #[test]
    fn headings_paragraphs_lists_and_code_blocks_keep_their_shape() {
        let text = render(
            "# Title\n\nSome *text* with `ps`.\n\n- one\n- two\n  1. nested\n\n```sh\nls /\necho hi\n```\n",
        );
        assert_eq!(
            plain(&text),
            [
                "Title",
                "",
                "Some text with ps.",
                "",
                "• one",
                "• two",
                "  1. nested",
                "",
                "    ls /",
                "    echo hi",
            ]
        );
    }

    #[test]
    fn a_loose_list_keeps_each_item_on_its_marker_line() {
        let text = render("- one\n\n- two\n");
        assert_eq!(plain(&text), ["• one", "• two"]);
    }

    #[test]
    fn emphasis_and_inline_code_are_styled() {
        let text = render("a *b* **c** `d`");
        let spans = &text.lines[0].spans;
        assert!(spans[1].style.add_modifier.contains(Modifier::ITALIC));
        assert!(spans[3].style.add_modifier.contains(Modifier::BOLD));
        assert_eq!(spans[5].style, CODE);
    }
}
