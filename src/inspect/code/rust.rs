//! The step as Rust with the nix crate, the calls in the order nslab makes them.

use std::path::PathBuf;

use crate::sandbox::kernel::{Call, clone_flag_names, mount_flag_names};
use crate::spec::{IsolationSpec, Namespace};

/// The Rust snippet, with nix: the launcher's calls, fork, the child's calls, exec.
pub fn snippet(spec: &IsolationSpec, launcher: &[Call], child: &[Call]) -> Vec<String> {
    let mut lines = vec!["// the launcher, on the host side".to_string()];
    lines.extend(launcher.iter().map(rust_call));
    lines.push(if spec.has(Namespace::Pid) {
        "// fork(): the child is PID 1 of the new PID namespace".to_string()
    } else {
        "// fork(): the child shares the host's PID namespace".to_string()
    });
    lines.push("let child = unsafe { fork() }?;".to_string());
    lines.push(String::new());
    lines.push("// in the child, the first process inside".to_string());
    lines.extend(child.iter().map(rust_call));
    lines.push(format!("execvp(c{:?}, &args)?;", super::program(spec)));
    lines
}

fn rust_flags(c_flags: &str, type_name: &str) -> String {
    if c_flags == "0" {
        return format!("{type_name}::empty()");
    }
    c_flags
        .split(" | ")
        .map(|flag| format!("{type_name}::{flag}"))
        .collect::<Vec<_>>()
        .join(" | ")
}

fn rust_call(call: &Call) -> String {
    let text = |path: &PathBuf| format!("{:?}", path.display().to_string());
    let some = |value: &Option<String>| match value {
        Some(value) => format!("Some({value:?})"),
        None => "None::<&str>".to_string(),
    };
    match call {
        Call::Unshare(flags) => format!(
            "unshare({})?;",
            rust_flags(&clone_flag_names(*flags), "CloneFlags")
        ),
        Call::WriteFile { path, contents } => format!("fs::write({}, {contents:?})?;", text(path)),
        Call::Mount {
            source,
            target,
            fstype,
            flags,
        } => format!(
            "mount({}, {}, {}, {}, None::<&str>)?;",
            some(source),
            text(target),
            some(fstype),
            rust_flags(&mount_flag_names(*flags), "MsFlags")
        ),
        Call::Umount { target, .. } => format!("umount2({}, MntFlags::MNT_DETACH)?;", text(target)),
        Call::SetHostname(name) => format!("sethostname({name:?})?;"),
        Call::Chroot(path) => format!("chroot({})?;", text(path)),
        Call::Chdir(path) => format!("chdir({})?;", text(path)),
        Call::PivotRoot { new_root, put_old } => {
            format!("pivot_root({}, {})?;", text(new_root), text(put_old))
        }
        Call::Mkdir(path) => format!("mkdir({}, Mode::from_bits_truncate(0o555))?;", text(path)),
    }
}
