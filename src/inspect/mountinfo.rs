//! `/proc/PID/mountinfo`: one mount per line, parsed as proc(5) describes it.
//!
//! ```text
//! 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
//! (1)(2)(3)   (4)   (5)      (6)      (7)   (8) (9)   (10)         (11)
//! ```
//!
//! Field 7 is zero or more optional fields, ended by the single `-` of field 8. Paths escape
//! space, tab, newline and backslash as three octal digits (`\040`, `\011`, `\012`, `\134`).

use serde::Serialize;

/// How mount events travel between this mount and others, see mount_namespaces(7).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Propagation {
    /// `shared:N`: this mount is in peer group N; events flow both ways within the group.
    pub shared: Option<u32>,
    /// `master:N`: this mount is a slave of peer group N; events flow in, never out.
    pub master: Option<u32>,
    /// `propagate_from:N`: the nearest peer group visible from here that events come from.
    pub propagate_from: Option<u32>,
    /// `unbindable`.
    pub unbindable: bool,
}

impl Propagation {
    /// A short label: `shared:3`, `master:1`, `shared:3 master:1`, or `private`.
    pub fn label(&self) -> String {
        let mut parts = Vec::new();
        if let Some(group) = self.shared {
            parts.push(format!("shared:{group}"));
        }
        if let Some(group) = self.master {
            parts.push(format!("master:{group}"));
        }
        if self.unbindable {
            parts.push("unbindable".to_string());
        }
        if parts.is_empty() {
            "private".to_string()
        } else {
            parts.join(" ")
        }
    }
}

/// One mount.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mount {
    /// Field 1: a unique id for the mount (ids are reused after unmount).
    pub id: u32,
    /// Field 2: the parent mount's id (its own id for the root of the tree).
    pub parent: u32,
    /// Field 3: the device (`major:minor`) of the filesystem; each proc or tmpfs instance has
    /// its own, and bind mounts and copies of a mount share it.
    pub device: String,
    /// Field 4: the directory of the filesystem that forms this mount's root.
    pub root: String,
    /// Field 5: where it is mounted, relative to the process's root directory.
    pub mount_point: String,
    /// Field 6: per-mount options such as `rw,nosuid`.
    pub options: String,
    /// Field 7: propagation.
    pub propagation: Propagation,
    /// Field 9: the filesystem type, such as `proc` or `fuse.sshfs`.
    pub fstype: String,
    /// Field 10: the source, such as `/dev/sda1`, `proc`, `none` or even `-`.
    pub source: String,
}

/// Parses a whole mountinfo file. Lines that do not follow the format are skipped: the
/// kernel writes the file, but a reader may see a torn last line if the process exits.
pub fn parse(text: &str) -> Vec<Mount> {
    text.lines().filter_map(parse_line).collect()
}

/// Parses one line, or `None` when it is malformed.
pub fn parse_line(line: &str) -> Option<Mount> {
    let mut fields = line.split(' ');
    let id = fields.next()?.parse().ok()?;
    let parent = fields.next()?.parse().ok()?;
    let device = fields.next()?.to_string();
    let root = unescape(fields.next()?);
    let mount_point = unescape(fields.next()?);
    let options = fields.next()?.to_string();

    // The optional fields end at the first field that is exactly `-`. A source named `-`
    // comes after that separator, so taking the first one is always right.
    let mut propagation = Propagation::default();
    loop {
        let field = fields.next()?;
        if field == "-" {
            break;
        }
        let (tag, value) = field.split_once(':').unwrap_or((field, ""));
        match tag {
            "shared" => propagation.shared = value.parse().ok(),
            "master" => propagation.master = value.parse().ok(),
            "propagate_from" => propagation.propagate_from = value.parse().ok(),
            "unbindable" => propagation.unbindable = true,
            // proc(5) tells readers to ignore tags they do not know.
            _ => {}
        }
    }

    let fstype = unescape(fields.next()?);
    let source = unescape(fields.next()?);
    Some(Mount {
        id,
        parent,
        device,
        root,
        mount_point,
        options,
        propagation,
        fstype,
        source,
    })
}

/// Undoes the kernel's octal escapes (`\040` is a space). A backslash not followed by three
/// octal digits is kept as it is.
pub fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes
            .get(i + 1..i + 4)
            .filter(|digits| bytes[i] == b'\\' && digits.iter().all(|d| (b'0'..=b'7').contains(d)));
        match octal {
            Some(digits) => {
                let value = digits.iter().fold(0u32, |n, d| n * 8 + u32::from(d - b'0'));
                out.push(u8::try_from(value).unwrap_or(b'?'));
                i += 4;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = include_str!("../../tests/fixtures/mountinfo-odd.txt");

    #[test]
    fn odd_fixture_parses_every_line() {
        let mounts = parse(FIXTURE);
        assert_eq!(mounts.len(), 5, "{mounts:#?}");
    }

    #[test]
    fn several_optional_fields_are_all_kept() {
        let mounts = parse(FIXTURE);
        let slave = mounts.iter().find(|m| m.mount_point == "/mnt/shared slave");
        let slave = slave.expect("the escaped mount point is found");
        assert_eq!(slave.propagation.shared, Some(7));
        assert_eq!(slave.propagation.master, Some(2));
        assert_eq!(slave.propagation.propagate_from, Some(1));
        assert_eq!(slave.propagation.label(), "shared:7 master:2");
    }

    #[test]
    fn a_source_named_dash_is_not_the_separator() {
        let mounts = parse(FIXTURE);
        let odd = mounts.iter().find(|m| m.fstype == "tmpfs").unwrap();
        assert_eq!(odd.source, "-");
        assert_eq!(odd.propagation.label(), "unbindable");
    }

    #[test]
    fn escapes_become_characters_and_stray_backslashes_stay() {
        assert_eq!(unescape(r"/a\040b\011c\134d"), "/a b\tc\\d");
        assert_eq!(unescape(r"/x\04"), r"/x\04");
        assert_eq!(unescape(r"/x\9999"), r"/x\9999");
    }

    /// Escapes a path the way the kernel's `seq_path` does for mountinfo.
    fn escape(path: &str) -> String {
        path.chars()
            .map(|c| match c {
                ' ' => r"\040".to_string(),
                '\t' => r"\011".to_string(),
                '\n' => r"\012".to_string(),
                '\\' => r"\134".to_string(),
                c => c.to_string(),
            })
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn any_escaped_mount_point_and_source_come_back_whole(
            point in "/[ -~\t\n]{0,40}",
            source in "[ -~]{1,20}",
            optional in proptest::collection::vec("(shared|master|propagate_from):[0-9]{1,4}", 0..4),
        ) {
            let mut fields = vec![format!("7 1 0:5 / {} rw", escape(&point))];
            fields.extend(optional);
            fields.push(format!("- tmpfs {} rw", escape(&source)));
            let mount = parse_line(&fields.join(" ")).expect("a well-formed line parses");
            proptest::prop_assert_eq!(mount.mount_point, point);
            proptest::prop_assert_eq!(mount.source, source);
        }

        #[test]
        fn no_line_makes_the_parser_panic(line in "\\PC{0,120}") {
            let _ = parse_line(&line);
        }
    }

    #[test]
    fn malformed_lines_are_skipped() {
        assert!(parse_line("36 35 98:0 /mnt1 /mnt2 rw master:1").is_none());
        assert!(parse_line("x 35 98:0 / / rw - ext4 /dev/sda rw").is_none());
    }
}
