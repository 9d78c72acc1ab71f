//! Keys as a terminal sends them: what a shell inside the pane expects to read.
//!
//! Enter is `\r` (carriage return), as a real keyboard sends it; the PTY's line discipline
//! turns it into `\n` for programs that read lines, and programs in raw mode (vi, less) expect
//! `\r`. Ctrl+letter is the letter's code minus 64: Ctrl-C is 0x03, which the PTY turns into
//! SIGINT for the shell's foreground job, never for nslab.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// The bytes for `key`, or `None` for keys a terminal does not send. `application_cursor` is
/// the mode full-screen programs switch on, in which arrows are sent as `ESC O A` and so on.
pub fn encode(key: &KeyEvent, application_cursor: bool) -> Option<Vec<u8>> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    let modifier = modifier_parameter(key.modifiers);

    let bytes: Vec<u8> = match key.code {
        KeyCode::Char(c) if ctrl => vec![control_byte(c)?],
        KeyCode::Char(c) => c.to_string().into_bytes(),
        KeyCode::Enter => b"\r".to_vec(),
        KeyCode::Backspace => vec![0x7f],
        KeyCode::Tab => b"\t".to_vec(),
        KeyCode::BackTab => b"\x1b[Z".to_vec(),
        KeyCode::Esc => b"\x1b".to_vec(),
        KeyCode::Up => cursor_key(b'A', modifier, application_cursor),
        KeyCode::Down => cursor_key(b'B', modifier, application_cursor),
        KeyCode::Right => cursor_key(b'C', modifier, application_cursor),
        KeyCode::Left => cursor_key(b'D', modifier, application_cursor),
        KeyCode::Home => cursor_key(b'H', modifier, application_cursor),
        KeyCode::End => cursor_key(b'F', modifier, application_cursor),
        KeyCode::Insert => tilde_key(2, modifier),
        KeyCode::Delete => tilde_key(3, modifier),
        KeyCode::PageUp => tilde_key(5, modifier),
        KeyCode::PageDown => tilde_key(6, modifier),
        KeyCode::F(n @ 1..=4) => vec![0x1b, b'O', b'P' + (n - 1)],
        KeyCode::F(n @ 5..=12) => {
            let code = [15, 17, 18, 19, 20, 21, 23, 24][usize::from(n - 5)];
            tilde_key(code, modifier)
        }
        _ => return None,
    };

    // Alt (Meta) is sent as an ESC before the key, as xterm does by default.
    if alt
        && !matches!(
            key.code,
            KeyCode::Up | KeyCode::Down | KeyCode::Left | KeyCode::Right
        )
    {
        let mut prefixed = vec![0x1b];
        prefixed.extend(bytes);
        return Some(prefixed);
    }
    Some(bytes)
}

/// Wraps pasted text the way the program asked for: in bracketed-paste mode (bash's readline
/// switches it on) the program can tell a paste from typing and won't run it line by line.
pub fn paste(text: &str, bracketed: bool) -> Vec<u8> {
    let text = text.replace("\r\n", "\r").replace('\n', "\r");
    if bracketed {
        format!("\x1b[200~{text}\x1b[201~").into_bytes()
    } else {
        text.into_bytes()
    }
}

fn control_byte(c: char) -> Option<u8> {
    match c.to_ascii_lowercase() {
        c @ 'a'..='z' => Some(c as u8 - b'a' + 1),
        ' ' | '@' | '2' => Some(0),
        '[' | '3' => Some(0x1b),
        '\\' | '4' => Some(0x1c),
        ']' | '5' => Some(0x1d),
        '^' | '6' => Some(0x1e),
        '_' | '7' | '/' => Some(0x1f),
        '?' | '8' => Some(0x7f),
        _ => None,
    }
}

/// xterm's modifier parameter: 1 + Shift(1) + Alt(2) + Ctrl(4), or `None` for no modifier.
fn modifier_parameter(modifiers: KeyModifiers) -> Option<u8> {
    let mut value = 1;
    if modifiers.contains(KeyModifiers::SHIFT) {
        value += 1;
    }
    if modifiers.contains(KeyModifiers::ALT) {
        value += 2;
    }
    if modifiers.contains(KeyModifiers::CONTROL) {
        value += 4;
    }
    (value > 1).then_some(value)
}

fn cursor_key(letter: u8, modifier: Option<u8>, application_cursor: bool) -> Vec<u8> {
    match modifier {
        Some(m) => format!("\x1b[1;{m}{}", letter as char).into_bytes(),
        None if application_cursor => vec![0x1b, b'O', letter],
        None => vec![0x1b, b'[', letter],
    }
}

fn tilde_key(code: u8, modifier: Option<u8>) -> Vec<u8> {
    match modifier {
        Some(m) => format!("\x1b[{code};{m}~").into_bytes(),
        None => format!("\x1b[{code}~").into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> Option<Vec<u8>> {
        encode(&KeyEvent::new(code, modifiers), false)
    }

    #[test]
    fn enter_is_a_carriage_return_not_a_newline() {
        assert_eq!(
            key(KeyCode::Enter, KeyModifiers::NONE),
            Some(b"\r".to_vec())
        );
    }

    #[test]
    fn control_letters_reach_the_shell_as_control_bytes() {
        assert_eq!(
            key(KeyCode::Char('c'), KeyModifiers::CONTROL),
            Some(vec![3])
        );
        assert_eq!(
            key(KeyCode::Char('z'), KeyModifiers::CONTROL),
            Some(vec![26])
        );
        assert_eq!(
            key(KeyCode::Char('d'), KeyModifiers::CONTROL),
            Some(vec![4])
        );
    }

    #[test]
    fn arrows_follow_the_application_cursor_mode() {
        let up = KeyEvent::new(KeyCode::Up, KeyModifiers::NONE);
        assert_eq!(encode(&up, false), Some(b"\x1b[A".to_vec()));
        assert_eq!(encode(&up, true), Some(b"\x1bOA".to_vec()));
        let ctrl_right = KeyEvent::new(KeyCode::Right, KeyModifiers::CONTROL);
        assert_eq!(encode(&ctrl_right, true), Some(b"\x1b[1;5C".to_vec()));
    }

    #[test]
    fn alt_is_an_escape_prefix_and_text_is_utf8() {
        assert_eq!(
            key(KeyCode::Char('b'), KeyModifiers::ALT),
            Some(b"\x1bb".to_vec())
        );
        assert_eq!(
            key(KeyCode::Char('é'), KeyModifiers::NONE),
            Some("é".as_bytes().to_vec())
        );
    }

    #[test]
    fn paste_is_bracketed_when_asked_and_lines_end_in_carriage_returns() {
        assert_eq!(paste("a\nb", false), b"a\rb".to_vec());
        assert_eq!(paste("a\r\nb", true), b"\x1b[200~a\rb\x1b[201~".to_vec());
    }
}
