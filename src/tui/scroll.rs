//! How far a wrapped text can scroll: until its last row is at the bottom of its view.
//!
//! A lesson line of 200 characters takes three rows in a pane 80 wide, so the limit has to be
//! counted in wrapped rows, exactly as the `Paragraph` that draws the text wraps them. ratatui
//! offers that count only behind an unstable feature, so the text is drawn once off screen and
//! the rows it filled are counted.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Text;
use ratatui::widgets::{Paragraph, Widget, Wrap};

/// The most rows measured: far beyond any lesson or panel, and it bounds the work.
const MAX_ROWS: u16 = 4_000;

/// The largest scroll offset for `text` in a view `view` (the inside of its borders).
pub fn limit(text: &Text<'_>, view: Rect) -> u16 {
    wrapped_rows(text, view.width).saturating_sub(view.height)
}

/// The rows `text` takes when wrapped to `width` columns.
pub fn wrapped_rows(text: &Text<'_>, width: u16) -> u16 {
    if width == 0 {
        return 0;
    }

    // Word wrapping can give each word a row of its own, and a long word several.
    let bound: usize = text
        .lines
        .iter()
        .map(|line| {
            let words: usize = line
                .spans
                .iter()
                .map(|span| span.content.split_whitespace().count())
                .sum();
            1 + words + line.width() / usize::from(width)
        })
        .sum();
    let height = u16::try_from(bound).unwrap_or(MAX_ROWS).min(MAX_ROWS);

    // Blank rows at the very end are not worth scrolling to, so the last row with
    // something on it is the end.
    let area = Rect::new(0, 0, width, height);
    let mut buffer = Buffer::empty(area);
    Paragraph::new(text.clone())
        .wrap(Wrap { trim: false })
        .render(area, &mut buffer);
    let used = (0..height).rev().find(|&y| {
        (0..width).any(|x| buffer.cell((x, y)).is_some_and(|cell| cell.symbol() != " "))
    });
    used.map_or(0, |y| y + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_counted_after_wrapping() {
        let text = Text::from(vec!["one two three four".into(), "".into(), "end".into()]);
        assert_eq!(wrapped_rows(&text, 80), 3);
        assert_eq!(wrapped_rows(&text, 9), 5);
        assert_eq!(wrapped_rows(&text, 0), 0);
        assert_eq!(limit(&text, Rect::new(0, 0, 9, 2)), 3);
        assert_eq!(limit(&text, Rect::new(0, 0, 80, 10)), 0);
    }
}
