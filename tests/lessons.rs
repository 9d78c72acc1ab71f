//! `nslab check`, `nslab lessons` and `nslab verify` on the real binary and the real kernel.
//!
//! `verify` starts every step's sandbox for real, so these tests need root (as CI and the
//! development machines run); the unprivileged one drops to `nobody` with setpriv(1). Each test
//! gives nslab an empty config directory, so lessons the machine's user may have installed do
//! not change the outcome.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// A temporary home: config, cache and state directories for one nslab run, removed on drop.
struct Home(tempfile::TempDir);

impl Home {
    fn new() -> Home {
        Home(tempfile::tempdir().expect("a temporary directory"))
    }

    fn path(&self) -> &Path {
        self.0.path()
    }

    /// nslab as root, with this home's config directory (the root filesystem stays cached in
    /// root's own cache, as for every other test).
    fn nslab(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_nslab"))
            .args(args)
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env("XDG_STATE_HOME", self.path().join("state"))
            .stdin(Stdio::null())
            .output()
            .expect("nslab runs")
    }

    /// Writes `text` as lesson `id` into this home's own lesson directory and verifies it.
    fn verify_lesson(&self, id: &str, text: &str) -> Output {
        let lessons = self.path().join("lessons");
        fs::create_dir_all(&lessons).expect("mkdir");
        fs::write(lessons.join(format!("{id}.toml")), text).expect("write the lesson");
        let dir = lessons.to_str().expect("utf-8 path");
        self.nslab(&["--lessons", dir, "verify", id])
    }

    /// nslab as `nobody`, with every XDG directory in this home.
    fn nslab_as_nobody(&self, args: &[&str]) -> Output {
        let home = self.path();
        nix::unistd::chown(home, Some(65534.into()), Some(65534.into())).expect("chown");
        fs::set_permissions(home, fs::Permissions::from_mode(0o755)).expect("chmod");
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(env!("CARGO_BIN_EXE_nslab"))
            .args(args)
            .env_clear()
            .env("HOME", home)
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_STATE_HOME", home.join("state"))
            .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            .current_dir(home)
            .stdin(Stdio::null())
            .output()
            .expect("setpriv runs")
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn host_mounts() -> String {
    fs::read_to_string("/proc/self/mountinfo").expect("mountinfo")
}

fn host_hostname() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname").expect("hostname")
}

/// Asserts a verify run passed, showing its report if not, and returns its stdout.
fn assert_verified(output: &Output) -> String {
    let stdout = text(&output.stdout);
    assert!(
        output.status.success() && !stdout.contains("FAIL"),
        "verify failed:\n{stdout}\n{}",
        text(&output.stderr)
    );
    stdout
}

#[test]
fn check_accepts_the_shipped_lessons() {
    let output = Home::new().nslab(&["check"]);
    assert!(output.status.success(), "{output:?}");
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("ok    lessons/containers-from-scratch.toml"),
        "{stdout}"
    );
    assert!(
        stdout.contains("ok    lessons/pid-namespace-pitfalls.toml"),
        "{stdout}"
    );
}

#[test]
fn check_names_file_line_and_column_and_exits_1() {
    let home = Home::new();
    let file = home.path().join("broken.toml");
    let lesson = "id = \"broken\"\ntitle = \"B\"\nsummary = \"S\"\n\n[[steps]]\nid = \"one\"\n\
                  title = \"One\"\nbody = \"\"\nisolation = { namespaces = [\"pid\"], \
                  hostnme = \"x\" }\n";
    fs::write(&file, lesson).expect("write the lesson");

    let output = home.nslab(&["check", home.path().to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = text(&output.stderr);
    let expected = format!("{}:9:37: unknown key `hostnme`", file.display());
    assert!(stderr.contains(&expected), "{stderr}");
}

/// Regression: `check` stopped at a file's first mistake, said nothing about a root directory
/// that does not exist, and summed up with "1 of 1 lesson file have errors".
#[test]
fn check_reports_every_mistake_of_a_file() {
    let home = Home::new();
    let file = home.path().join("two.toml");
    let lesson = "id = \"Two Mistakes\"\ntitle = \"T\"\nsummary = \"S\"\n\n[[steps]]\n\
                  id = \"one\"\ntitle = \"One\"\nbody = \"\"\n\
                  isolation = { root = \"/nonexistent/nslab-root\" }\n";
    fs::write(&file, lesson).expect("write the lesson");

    let output = home.nslab(&["check", file.to_str().expect("utf-8 path")]);

    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = text(&output.stderr);
    let name = file.display();
    assert!(
        stderr.contains(&format!("{name}:1:6: id 'Two Mistakes'")),
        "{stderr}"
    );
    let root = format!("{name}:9:22: root directory '/nonexistent/nslab-root' does not exist");
    assert!(stderr.contains(&root), "{stderr}");
    assert!(stderr.contains("1 of 1 lesson file has errors"), "{stderr}");
}

/// Regression: `check` said `ok` for a user lesson with a shipped lesson's id, which nslab then
/// refused to load.
#[test]
fn check_reports_a_lesson_id_a_shipped_lesson_already_has() {
    let home = Home::new();
    let file = home.path().join("copy.toml");
    let shipped = include_str!("../lessons/containers-from-scratch.toml");
    fs::write(&file, shipped).expect("write the lesson");

    let output = home.nslab(&["check", file.to_str().expect("utf-8 path")]);

    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = text(&output.stderr);
    let line = shipped
        .lines()
        .position(|line| line.starts_with("id = "))
        .expect("an id line")
        + 1;
    let expected = format!(
        "{}:{line}:6: lesson id 'containers-from-scratch' is already used by \
         lessons/containers-from-scratch.toml",
        file.display()
    );
    assert!(stderr.contains(&expected), "{stderr}");
}

/// The shipped lessons' own source files are what the shipped lessons were built from, so
/// their ids are no clash: an author can check them in a checkout.
#[test]
fn check_accepts_the_shipped_lessons_source_files() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/lessons");
    let output = Home::new().nslab(&["check", dir]);
    assert!(output.status.success(), "{output:?}");
}

/// Regression: one lesson file with a syntax error in the user's lesson directory stopped
/// nslab from starting at all, shipped lessons included.
#[test]
fn a_broken_user_lesson_file_is_skipped_with_a_warning() {
    let home = Home::new();
    let lessons = home.path().join("config/nslab/lessons");
    fs::create_dir_all(&lessons).expect("mkdir");
    fs::write(lessons.join("broken.toml"), "id = \"broken\ntitle = 1\n").expect("write");

    let output = home.nslab(&["lessons"]);

    assert!(output.status.success(), "{output:?}");
    assert!(
        text(&output.stdout).contains("containers-from-scratch:"),
        "{output:?}"
    );
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("warning: skipped a lesson file:"),
        "{stderr}"
    );
    assert!(stderr.contains("broken.toml:1:"), "{stderr}");
}

/// Regression: the step id column was 18 wide, so a longer id (`unshare-without-fork`) pushed
/// its title out of line.
#[test]
fn lessons_lines_up_every_step_title() {
    let output = Home::new().nslab(&["lessons"]);
    assert!(output.status.success(), "{output:?}");
    let stdout = text(&output.stdout);
    let steps: Vec<&str> = stdout
        .lines()
        .filter(|line| line.get(2..6).is_some_and(|n| n.ends_with(". ")))
        .collect();
    let title_at = |line: &str| {
        let id_end = 6 + line[6..].find(' ').unwrap_or(0);
        id_end + line[id_end..].find(|c: char| c != ' ').unwrap_or(0)
    };
    let columns: Vec<usize> = steps.iter().map(|line| title_at(line)).collect();
    assert!(steps.len() > 10, "{stdout}");
    assert!(
        columns.windows(2).all(|pair| pair[0] == pair[1]),
        "{stdout}"
    );
}

#[test]
fn lessons_lists_every_step_of_the_first_course_in_order() {
    let output = Home::new().nslab(&["lessons"]);
    assert!(output.status.success(), "{output:?}");
    let stdout = text(&output.stdout);
    let ids = [
        "process",
        "uts",
        "chroot",
        "pid-namespace",
        "mount-proc",
        "mount-namespace",
        "pivot-root",
    ];
    let positions: Vec<usize> = ids
        .iter()
        .map(|id| stdout.find(&format!(". {id} ")).unwrap_or(usize::MAX))
        .collect();
    assert!(
        positions.windows(2).all(|pair| pair[0] < pair[1]),
        "{stdout}"
    );
    assert!(positions.iter().all(|at| *at != usize::MAX), "{stdout}");
}

#[test]
fn verify_proves_every_shipped_lesson_as_root_and_leaves_the_host_as_it_was() {
    let (mounts, hostname) = (host_mounts(), host_hostname());

    let output = Home::new().nslab(&["verify"]);

    let stdout = assert_verified(&output);
    assert!(
        stdout.contains("containers-from-scratch/pivot-root"),
        "{stdout}"
    );
    assert!(
        stdout.contains("pid-namespace-pitfalls/orphans"),
        "{stdout}"
    );
    assert_eq!(host_mounts(), mounts);
    assert_eq!(host_hostname(), hostname);
}

#[test]
fn verify_proves_every_shipped_lesson_as_an_unprivileged_user() {
    let home = Home::new();
    let (mounts, hostname) = (host_mounts(), host_hostname());

    let output = home.nslab_as_nobody(&["verify"]);

    let stdout = assert_verified(&output);
    assert!(
        stdout.contains("containers-from-scratch/pivot-root"),
        "{stdout}"
    );
    assert!(
        stdout.contains("pid-namespace-pitfalls/orphans"),
        "{stdout}"
    );
    assert_eq!(host_mounts(), mounts);
    assert_eq!(host_hostname(), hostname);
}

#[test]
fn verify_fails_a_false_claim_and_shows_what_it_saw() {
    let home = Home::new();
    let lesson = r#"id = "wrong"
title = "Wrong"
summary = "A claim that is false."

[[steps]]
id = "named"
title = "Named"
body = "The hostname is not box."
isolation = { namespaces = ["uts"], hostname = "box" }
checks = [ { run = "hostname", output = '^elsewhere$' } ]
"#;

    let output = home.verify_lesson("wrong", lesson);

    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stdout = text(&output.stdout);
    assert!(stdout.contains("FAIL  `hostname` inside"), "{stdout}");
    assert!(
        stdout.contains(r#"saw: exit 0, output "box\n""#),
        "{stdout}"
    );
    assert!(stdout.contains("0 of 1 step verified"), "{stdout}");
}

/// Regression: verify once kept a spare sender of the shell's output channel alive while the
/// sandbox started, so a launcher that failed at once was reported only after the 15 second
/// command timeout, and without the launcher's own reason.
#[test]
fn verify_reports_a_sandbox_that_cannot_start_at_once_with_its_reason() {
    let home = Home::new();
    let lesson = r#"id = "rootless"
title = "Rootless"
summary = "A root directory that is not there."

[[steps]]
id = "missing-root"
title = "Missing root"
body = "The root directory does not exist."
isolation = { root = "/nonexistent/nslab-root" }
checks = [ { fact = "new-root" } ]
"#;

    let started = std::time::Instant::now();
    let output = home.verify_lesson("rootless", lesson);

    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("could not be set up"), "{stdout}");
    assert!(stdout.contains("/nonexistent/nslab-root"), "{stdout}");
}

/// Regression: a command with an unclosed quote left the shell waiting for the rest of it, and
/// verify reported it as a command that did not finish within 15 seconds.
#[test]
fn verify_reports_a_command_that_is_not_complete_shell_syntax() {
    let home = Home::new();
    let lesson = r#"id = "unclosed"
title = "Unclosed"
summary = "A quote that is never closed."

[[steps]]
id = "quote"
title = "Quote"
body = "The quote is not closed."
isolation = { namespaces = ["uts"] }
checks = [
    { run = "echo '; x" },
    { run = "echo after", output = '^after$' },
]
"#;

    let started = std::time::Instant::now();
    let output = home.verify_lesson("unclosed", lesson);

    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("not complete shell syntax"), "{stdout}");
    assert!(stdout.contains("pass  `echo after`"), "{stdout}");
}

#[test]
fn an_unreadable_lesson_directory_is_explained_once() {
    // Regression: the reason came twice, once in the message and again as its source.
    let home = Home::new();
    let missing = home.path().join("no-such-dir");
    let output = home.nslab(&["--lessons", missing.to_str().unwrap(), "lessons"]);
    let stderr = text(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert_eq!(
        stderr.matches("No such file or directory").count(),
        1,
        "{stderr}"
    );
}
