//! The small root filesystem that lessons chroot and pivot into, built from what the host has.
//!
//! Classrooms often have no network, so nothing is downloaded. A static busybox is the best
//! source: one file, no libraries, and a `ps` that lists an empty `/proc` as empty instead of
//! refusing to run. Without busybox, nslab copies a handful of the host's own programs and the
//! shared libraries they load.
//!
//! The tree is built in a scratch directory next to its final place and renamed into place in
//! one step, so an interrupted build never leaves a half tree that a later run would use.

use std::fs;
use std::io;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::xdg;

/// The programs copied from the host when there is no busybox.
const HOST_PROGRAMS: &[&str] = &[
    "sh", "ls", "ps", "mount", "umount", "hostname", "cat", "sleep", "id", "kill", "echo", "wc",
    "grep", "readlink", "uname", "env",
];

/// Where a busybox may be found on the host.
const BUSYBOX_PATHS: &[&str] = &["/bin/busybox", "/usr/bin/busybox", "/usr/sbin/busybox"];

/// The file that names how a finished tree was built. Its name carries the layout's version:
/// a tree from an older nslab lacks it and is built again.
const MARKER: &str = ".nslab-rootfs-v3";

/// Why the root filesystem could not be built.
#[derive(Debug, thiserror::Error)]
pub enum RootfsError {
    // The reason is part of the message, not a `source`, so error chains print it once.
    #[error("cannot build the root filesystem in {dir}: {reason}")]
    Io { dir: PathBuf, reason: io::Error },
    #[error(
        "cannot build a root filesystem: no busybox and no host shell found; \
         install busybox-static (apt-get install busybox-static)"
    )]
    NothingToCopy,
}

/// How a root filesystem was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootfsInfo {
    /// Its directory.
    pub dir: PathBuf,
    /// What it was built from, such as `busybox /usr/bin/busybox (static)`.
    pub source: String,
}

/// The default root filesystem's directory, `~/.cache/nslab/rootfs`.
pub fn default_dir() -> PathBuf {
    xdg::cache_dir().join("rootfs")
}

/// Returns the default root filesystem, building it first if it is not there.
pub fn ensure() -> Result<PathBuf, RootfsError> {
    let dir = default_dir();
    if dir.join(MARKER).is_file() {
        return Ok(dir);
    }
    // Missing, or from an older nslab: (re)build it.
    build(&dir, dir.exists()).map(|info| info.dir)
}

/// Reads how the tree at `dir` was built, if it is a finished nslab root filesystem.
pub fn info(dir: &Path) -> Option<RootfsInfo> {
    let source = fs::read_to_string(dir.join(MARKER)).ok()?;
    Some(RootfsInfo {
        dir: dir.to_path_buf(),
        source: source.trim().to_string(),
    })
}

/// Builds a root filesystem at `dir`, replacing an existing one only when `rebuild` is set.
pub fn build(dir: &Path, rebuild: bool) -> Result<RootfsInfo, RootfsError> {
    let io_err = |reason| RootfsError::Io {
        dir: dir.to_path_buf(),
        reason,
    };
    if !rebuild && let Some(info) = info(dir) {
        return Ok(info);
    }

    let parent = dir.parent().unwrap_or(Path::new("/"));
    fs::create_dir_all(parent).map_err(io_err)?;
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("rootfs");
    let scratch = parent.join(format!("{name}.partial-{}", std::process::id()));
    let _ = fs::remove_dir_all(&scratch);

    let source = match fill(&scratch) {
        Ok(source) => source,
        Err(err) => {
            let _ = fs::remove_dir_all(&scratch);
            return Err(err);
        }
    };

    // Swap the new tree in. The old one, if any, is moved aside first and removed after.
    let old = parent.join(format!("{name}.old-{}", std::process::id()));
    if dir.exists() {
        fs::rename(dir, &old).map_err(io_err)?;
    }
    if let Err(err) = fs::rename(&scratch, dir) {
        // Another nslab finished the same build first: use its tree.
        let _ = fs::remove_dir_all(&scratch);
        if info(dir).is_none() {
            return Err(io_err(err));
        }
    }
    let _ = fs::remove_dir_all(&old);
    tracing::info!(dir = %dir.display(), %source, "root filesystem built");
    Ok(RootfsInfo {
        dir: dir.to_path_buf(),
        source,
    })
}

/// Fills `scratch` with a complete tree and returns what it was built from.
fn fill(scratch: &Path) -> Result<String, RootfsError> {
    let io_err = |reason| RootfsError::Io {
        dir: scratch.to_path_buf(),
        reason,
    };

    for sub in [
        "bin", "sbin", "usr/bin", "usr/sbin", "etc", "proc", "sys", "dev", "root", "tmp",
    ] {
        fs::create_dir_all(scratch.join(sub)).map_err(io_err)?;
    }
    fs::set_permissions(scratch.join("tmp"), fs::Permissions::from_mode(0o1777)).map_err(io_err)?;
    fs::set_permissions(scratch.join("root"), fs::Permissions::from_mode(0o700)).map_err(io_err)?;

    // Names for `ps` and `ls -l`: without them they show bare numbers.
    fs::write(
        scratch.join("etc/passwd"),
        "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
    )
    .map_err(io_err)?;
    fs::write(scratch.join("etc/group"), "root:x:0:\nnogroup:x:65534:\n").map_err(io_err)?;

    let mut source = match BUSYBOX_PATHS.iter().map(Path::new).find(|p| p.is_file()) {
        Some(busybox) => install_busybox(scratch, busybox).map_err(io_err)?,
        None => install_host_programs(scratch).map_err(io_err)?,
    };
    if install_escape_tool(scratch).map_err(io_err)? {
        source.push_str("; perl for chroot-escape");
    }
    if !make_device_nodes(scratch) {
        source.push_str("; no device nodes (only root can make them)");
    }
    fs::write(scratch.join(MARKER), format!("{source}\n")).map_err(io_err)?;
    Ok(source)
}

/// `/bin/chroot-escape`: the classic way out of a chroot, for the lessons to show that it
/// works after chroot and fails after pivot_root. Busybox cannot do it (its `chroot` always
/// changes directory), so the script uses perl's `chroot`, copied from the host.
const ESCAPE_SCRIPT: &str = r#"#!/bin/sh
# Tries the classic way out of a chroot. chroot into a subdirectory without changing the
# working directory, which is then outside the new root; climb with ".." past where / used
# to be, and chroot to wherever that ends. Then say where we are.
if ! command -v perl >/dev/null 2>&1; then
    echo "chroot-escape needs perl, which the host did not have when nslab built this tree"
    exit 2
fi
exec env LC_ALL=C perl -e '
    mkdir "/tmp/.escape";
    chroot "/tmp/.escape" or die "chroot: $!
";
    chdir ".." for 1 .. 64;
    chroot "." or die "chroot: $!
";
    chdir "/";
    exec "/bin/sh", "-c",
        "if [ -e /MARKER ]; then echo still inside the root filesystem; else echo escaped to the host root; fi; ls /";
'
"#;

/// Installs [`ESCAPE_SCRIPT`] and, when the host has it, perl; returns whether perl is there.
fn install_escape_tool(scratch: &Path) -> io::Result<bool> {
    let script = scratch.join("bin/chroot-escape");
    fs::write(&script, ESCAPE_SCRIPT.replace("MARKER", MARKER))?;
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755))?;
    match find_on_host("perl") {
        Some(perl) => copy_with_libraries(scratch, &perl).map(|()| true),
        None => Ok(false),
    }
}

/// The character devices a shell expects: `/dev/tty` for job control, `/dev/null` so that
/// `> /dev/null` does not create a regular file. (major, minor) as in devices.txt.
const DEVICES: &[(&str, u64, u64)] = &[
    ("null", 1, 3),
    ("zero", 1, 5),
    ("full", 1, 7),
    ("random", 1, 8),
    ("urandom", 1, 9),
    ("tty", 5, 0),
];

/// Makes [`DEVICES`] in `/dev`. Only root outside can; returns whether every node was made.
fn make_device_nodes(scratch: &Path) -> bool {
    use nix::sys::stat::{Mode, SFlag, makedev, mknod};
    DEVICES.iter().all(|(name, major, minor)| {
        let path = scratch.join("dev").join(name);
        let made = mknod(
            &path,
            SFlag::S_IFCHR,
            Mode::from_bits_truncate(0o666),
            makedev(*major, *minor),
        );
        // The umask may have taken bits away.
        made.is_ok() && fs::set_permissions(&path, fs::Permissions::from_mode(0o666)).is_ok()
    })
}

/// Copies busybox to `/bin/busybox` and links every applet it has to it.
fn install_busybox(scratch: &Path, busybox: &Path) -> io::Result<String> {
    copy_with_libraries(scratch, busybox)?;
    let target = scratch.join("bin/busybox");
    if busybox != Path::new("/bin/busybox") {
        fs::rename(
            scratch.join(busybox.strip_prefix("/").unwrap_or(busybox)),
            &target,
        )?;
    }

    let output = Command::new(busybox).arg("--list-full").output()?;
    for applet in String::from_utf8_lossy(&output.stdout).lines() {
        let link = scratch.join(applet.trim_start_matches('/'));
        if applet.is_empty() || link.exists() {
            continue;
        }
        if let Some(dir) = link.parent() {
            fs::create_dir_all(dir)?;
        }
        symlink("/bin/busybox", &link)?;
    }

    let linking = if libraries(busybox)?.is_empty() {
        "static"
    } else {
        "dynamic, with its libraries"
    };
    Ok(format!("busybox {} ({linking})", busybox.display()))
}

/// Copies [`HOST_PROGRAMS`] and their libraries from the host.
fn install_host_programs(scratch: &Path) -> Result<String, io::Error> {
    let mut copied = Vec::new();
    for program in HOST_PROGRAMS {
        if let Some(path) = find_on_host(program) {
            copy_with_libraries(scratch, &path)?;
            copied.push(*program);
        }
    }
    if !copied.contains(&"sh") {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            "no shell on the host",
        ));
    }
    Ok(format!("host programs: {}", copied.join(" ")))
}

fn find_on_host(program: &str) -> Option<PathBuf> {
    ["/usr/bin", "/bin", "/usr/sbin", "/sbin"]
        .iter()
        .map(|dir| Path::new(dir).join(program))
        .find(|path| path.is_file())
}

/// Copies `program` to the same path inside `scratch`, with every shared library it loads.
fn copy_with_libraries(scratch: &Path, program: &Path) -> io::Result<()> {
    let mut files = vec![program.to_path_buf()];
    files.extend(libraries(program)?);
    for file in files {
        let dest = scratch.join(file.strip_prefix("/").unwrap_or(&file));
        if dest.exists() {
            continue;
        }
        if let Some(dir) = dest.parent() {
            fs::create_dir_all(dir)?;
        }
        // Copy the file a symlink points to, so the tree does not depend on the host's links.
        fs::copy(fs::canonicalize(&file)?, &dest)?;
    }
    Ok(())
}

/// The shared libraries `program` loads, as ldd(1) lists them; none for a static program.
fn libraries(program: &Path) -> io::Result<Vec<PathBuf>> {
    let output = match Command::new("ldd").arg(program).output() {
        Ok(output) => output,
        // No ldd: assume a static program; a missing library shows at the first run.
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(err),
    };
    Ok(parse_ldd(&String::from_utf8_lossy(&output.stdout)))
}

/// Reads library paths from ldd output lines such as
/// `libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)` and `/lib64/ld-linux-x86-64.so.2 (0x...)`.
pub fn parse_ldd(output: &str) -> Vec<PathBuf> {
    output
        .lines()
        .filter_map(|line| {
            let path = match line.split_once("=>") {
                Some((_, rest)) => rest.split_whitespace().next()?,
                None => line.split_whitespace().next()?,
            };
            path.starts_with('/').then(|| PathBuf::from(path))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ldd_output_gives_library_paths_only() {
        let output = "\tlinux-vdso.so.1 (0x00007ffd)\n\
                      \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)\n\
                      \t/lib64/ld-linux-x86-64.so.2 (0x00007f)\n\
                      \tnot a dynamic executable\n";
        assert_eq!(
            parse_ldd(output),
            vec![
                PathBuf::from("/lib/x86_64-linux-gnu/libc.so.6"),
                PathBuf::from("/lib64/ld-linux-x86-64.so.2"),
            ]
        );
    }

    #[test]
    fn build_is_complete_or_absent_and_reused() {
        let cache = tempfile::tempdir().unwrap();
        let dir = cache.path().join("rootfs");
        let info = build(&dir, false).unwrap();
        assert!(dir.join("bin/sh").exists(), "a shell");
        assert!(dir.join("proc").is_dir(), "a mount point for proc");
        let escape = fs::metadata(dir.join("bin/chroot-escape")).unwrap();
        assert!(
            escape.permissions().mode() & 0o111 != 0,
            "chroot-escape is executable"
        );
        if find_on_host("perl").is_some() {
            assert!(dir.join("usr/bin/perl").is_file(), "perl for chroot-escape");
        }
        if nix::unistd::getuid().is_root() {
            use std::os::unix::fs::FileTypeExt;
            let null = fs::metadata(dir.join("dev/null")).unwrap();
            assert!(
                null.file_type().is_char_device(),
                "/dev/null is a device, not a file"
            );
        }
        assert!(
            fs::read_to_string(dir.join("etc/passwd"))
                .unwrap()
                .starts_with("root:")
        );
        assert_eq!(super::info(&dir), Some(info.clone()));

        // Nothing half-built is left beside it.
        let leftovers: Vec<_> = fs::read_dir(cache.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|name| name != "rootfs")
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");

        // A second build without --rebuild keeps the tree.
        fs::write(dir.join("mine"), "x").unwrap();
        build(&dir, false).unwrap();
        assert!(dir.join("mine").exists());
        build(&dir, true).unwrap();
        assert!(!dir.join("mine").exists());
    }
}
