//! The step as Go, in the style of the classic tutorial: `run()` starts the child with
//! `SysProcAttr.Cloneflags`, `child()` makes the setup calls through the `syscall` package.

use std::path::{Path, PathBuf};

use nix::sched::CloneFlags;

use crate::sandbox::kernel::{Call, clone_flag_names, mount_flag_names};
use crate::spec::IsolationSpec;

/// The Go snippet: `run()` starts the child in new namespaces, `child()` sets them up.
pub fn snippet(spec: &IsolationSpec, launcher: &[Call], child: &[Call]) -> Vec<String> {
    let mut lines = vec!["// run(): on the host side".to_string()];
    let mut clone_flags = Vec::new();
    let mut attrs = Vec::new();
    for call in launcher {
        match call {
            // A launcher that unshares only the mount namespace is stepping into a stand-in
            // host, for itself rather than for the child: it stays a call, not a clone flag.
            Call::Unshare(flags) if *flags == CloneFlags::CLONE_NEWNS => {
                lines.push("// a stand-in host mount namespace, so mounts cannot leak".to_string());
                lines.push(go_call(call));
            }
            Call::Unshare(flags) => clone_flags.extend(go_flags(&clone_flag_names(*flags))),
            Call::WriteFile { path, contents } => {
                if let Some(attr) = go_id_mapping(path, contents) {
                    attrs.push(attr);
                }
            }
            other => lines.push(go_call(other)),
        }
    }
    lines.push(
        r#"cmd := exec.Command("/proc/self/exe", append([]string{"child"}, os.Args[2:]...)...)"#
            .to_string(),
    );
    if !clone_flags.is_empty() || !attrs.is_empty() {
        lines.push("cmd.SysProcAttr = &syscall.SysProcAttr{".to_string());
        if !clone_flags.is_empty() {
            lines.push(format!("\tCloneflags: {},", clone_flags.join(" |\n\t\t")));
        }
        lines.extend(attrs.into_iter().map(|attr| format!("\t{attr},")));
        lines.push("}".to_string());
    }
    lines.push("cmd.Run()".to_string());
    lines.push(String::new());
    lines.push("// child(): the first process inside".to_string());
    lines.extend(child.iter().map(go_call));
    lines.push(format!("syscall.Exec({:?}, ...)", super::program(spec)));
    // A Cloneflags list spans several lines; each is its own line for marking.
    lines
        .iter()
        .flat_map(|l| l.split('\n'))
        .map(str::to_string)
        .collect()
}

/// `CLONE_NEWUTS | CLONE_NEWPID` → `["syscall.CLONE_NEWUTS", "syscall.CLONE_NEWPID"]`.
fn go_flags(c_flags: &str) -> Vec<String> {
    c_flags
        .split(" | ")
        .filter(|flag| *flag != "0")
        .map(|flag| format!("syscall.{flag}"))
        .collect()
}

fn go_mount_flags(c_flags: &str) -> String {
    match go_flags(c_flags).join("|") {
        empty if empty.is_empty() => "0".to_string(),
        flags => flags,
    }
}

/// `write("/proc/self/uid_map", "0 1000 1\n")` → `UidMappings: ...`.
fn go_id_mapping(path: &Path, contents: &str) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let field = match name {
        "uid_map" => "UidMappings",
        "gid_map" => "GidMappings",
        _ => return Some("GidMappingsEnableSetgroups: false".to_string()),
    };
    let mut ids = contents.split_whitespace();
    let (inside, outside, count) = (ids.next()?, ids.next()?, ids.next()?);
    Some(format!(
        "{field}: []syscall.SysProcIDMap{{{{ContainerID: {inside}, HostID: {outside}, Size: {count}}}}}"
    ))
}

fn go_call(call: &Call) -> String {
    let text = |path: &PathBuf| format!("{:?}", path.display().to_string());
    let or_empty = |value: &Option<String>| format!("{:?}", value.as_deref().unwrap_or(""));
    match call {
        Call::Unshare(flags) => format!(
            "syscall.Unshare({})",
            go_flags(&clone_flag_names(*flags)).join("|")
        ),
        Call::WriteFile { path, contents } => {
            format!("os.WriteFile({}, []byte({contents:?}), 0)", text(path))
        }
        Call::Mount {
            source,
            target,
            fstype,
            flags,
        } => format!(
            "syscall.Mount({}, {}, {}, {}, \"\")",
            or_empty(source),
            text(target),
            or_empty(fstype),
            go_mount_flags(&mount_flag_names(*flags))
        ),
        Call::Umount { target, .. } => {
            format!("syscall.Unmount({}, syscall.MNT_DETACH)", text(target))
        }
        Call::SetHostname(name) => format!("syscall.Sethostname([]byte({name:?}))"),
        Call::Chroot(path) => format!("syscall.Chroot({})", text(path)),
        Call::Chdir(path) => format!("os.Chdir({})", text(path)),
        Call::PivotRoot { new_root, put_old } => {
            format!("syscall.PivotRoot({}, {})", text(new_root), text(put_old))
        }
        Call::Mkdir(path) => format!("os.Mkdir({}, 0555)", text(path)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stand_in_host_stays_a_call_and_is_not_a_clone_flag() {
        let launcher = [
            Call::Unshare(CloneFlags::CLONE_NEWNS),
            Call::Unshare(CloneFlags::CLONE_NEWPID),
        ];
        let lines = snippet(&IsolationSpec::default(), &launcher, &[]);
        assert!(lines.contains(&"syscall.Unshare(syscall.CLONE_NEWNS)".to_string()));
        assert!(
            lines.contains(&"\tCloneflags: syscall.CLONE_NEWPID,".to_string()),
            "{lines:#?}"
        );
    }

    #[test]
    fn unprivileged_plans_write_id_maps_as_go_mappings() {
        let line = go_id_mapping(Path::new("/proc/self/uid_map"), "0 1000 1\n");
        assert_eq!(
            line.as_deref(),
            Some("UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 1000, Size: 1}}")
        );
    }
}
