//! Whether a pane's shell is at its prompt, or another program has its terminal.
//!
//! A suggested command is typed into the pane as keys. If `less` or `vi` is running in the
//! foreground, those keys would go to it (in vi they would edit a file), so the command is sent
//! only while the shell itself owns the terminal's foreground process group: a shell with job
//! control puts each job in a group of its own and hands it the terminal, and takes the
//! terminal back when the job ends.
//!
//! This is input handling, not a panel, so it is the one place where the TUI reads `/proc`
//! itself: the parent of the foreground group's leader, and its name for the message.

use std::fs;

use nix::unistd::Pid;

/// How the process on a pane's PTY relates to the shell the learner types into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShellRole {
    /// The process is the shell (the host pane: the host shell is exec'd in place).
    Itself,
    /// The process is the launcher; the shell is the sandbox's first process, which the
    /// launcher forks and puts in a process group of its own in the foreground.
    FirstChild,
}

/// Who reads the keys sent to a pane now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Foreground {
    /// The shell, at its prompt.
    Shell,
    /// No shell yet: it has not started, or has not said anything yet.
    Starting,
    /// Nothing: the program has ended.
    Ended,
    /// Another program, by name when `/proc` tells it.
    Program(Option<String>),
}

impl Foreground {
    /// Why a suggestion for the pane called `pane` cannot be typed now; `None` when it can.
    pub fn refusal(&self, pane: &str) -> Option<String> {
        match self {
            Foreground::Shell => None,
            Foreground::Starting => Some(format!("the {pane} shell is still starting")),
            Foreground::Ended => Some(format!(
                "the {pane} shell has ended: Enter in its pane starts it again"
            )),
            Foreground::Program(Some(name)) => Some(format!(
                "the {pane} shell is busy ({name} is running): finish it first"
            )),
            Foreground::Program(None) => Some(format!(
                "the {pane} shell is busy (a program is running): finish it first"
            )),
        }
    }
}

/// Who owns the terminal of a pane whose process is `pid`, when its foreground process group
/// is `group`.
pub fn classify(pid: Pid, group: Pid, role: ShellRole) -> Foreground {
    let shell = match role {
        ShellRole::Itself => group == pid,
        // The launcher keeps the foreground only while it sets the sandbox up.
        ShellRole::FirstChild if group == pid => return Foreground::Starting,
        ShellRole::FirstChild => parent_of(group) == Some(pid),
    };
    if shell {
        Foreground::Shell
    } else {
        Foreground::Program(command_name(group))
    }
}

/// The parent of `pid`, from the fourth field of `/proc/PID/stat`. The name in the second
/// field is in parentheses and may itself contain spaces and parentheses, so the fields are
/// counted from the last `)`.
fn parent_of(pid: Pid) -> Option<Pid> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, after_name) = stat.rsplit_once(')')?;
    let parent = after_name.split_whitespace().nth(1)?.parse().ok()?;
    Some(Pid::from_raw(parent))
}

fn command_name(pid: Pid) -> Option<String> {
    let name = fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
    Some(name.trim_end().to_string()).filter(|name| !name.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_own_process_is_the_shell_only_for_a_pane_running_the_shell_itself() {
        let me = nix::unistd::getpid();
        assert_eq!(classify(me, me, ShellRole::Itself), Foreground::Shell);
        assert_eq!(
            classify(me, me, ShellRole::FirstChild),
            Foreground::Starting
        );
        let parent = nix::unistd::getppid();
        assert_eq!(
            classify(parent, me, ShellRole::FirstChild),
            Foreground::Shell
        );
        let other = classify(Pid::from_raw(1), me, ShellRole::FirstChild);
        assert!(matches!(other, Foreground::Program(Some(_))), "{other:?}");
    }

    #[test]
    fn refusals_name_the_program() {
        let busy = Foreground::Program(Some("less".into())).refusal("sandbox");
        assert_eq!(
            busy.as_deref(),
            Some("the sandbox shell is busy (less is running): finish it first")
        );
        assert_eq!(Foreground::Shell.refusal("host"), None);
    }
}
