//! `nslab run`: the engine without the TUI, in the spirit of unshare(1).

use std::process::ExitStatus;

use anyhow::{Context, Result};
use nix::sys::signal::{SigSet, Signal};

use crate::cli::RunArgs;
use crate::sandbox::{LaunchRequest, launcher};
use crate::spec::{IsolationSpec, Namespace, ProcMount, Propagation, RootEntry, RootSpec};

/// Runs the command and returns its exit status (128+N when killed by signal N).
pub fn run(mut args: RunArgs) -> Result<i32> {
    let trace = args.trace.take();
    let mut request = LaunchRequest::new(spec_from_args(args)?)?;
    if let Some(path) = &trace {
        request = request.with_trace(path);
    }

    // Like a shell waiting for a foreground job, nslab leaves Ctrl-C and Ctrl-\ to the command.
    // The launcher starts with an empty mask of its own.
    let mut keyboard = SigSet::empty();
    keyboard.add(Signal::SIGINT);
    keyboard.add(Signal::SIGQUIT);
    keyboard
        .thread_block()
        .context("cannot block keyboard signals")?;

    // With a PID namespace, nslab itself can be the launcher: should it be killed, the death
    // of PID 1 takes every process of the namespace with it. Without one, a separate launcher
    // must outlive nslab for a moment to find and stop the shell's background jobs.
    if request.spec.has(Namespace::Pid) {
        return Ok(launcher::run(&request).unwrap_or_else(|message| {
            eprintln!("nslab: {message}");
            launcher::SETUP_FAILED
        }));
    }
    let status = request
        .command()?
        .status()
        .context("cannot start the sandbox launcher")?;
    Ok(exit_code(status))
}

/// Builds the isolation spec that the flags describe.
pub fn spec_from_args(args: RunArgs) -> Result<IsolationSpec> {
    let root = match (args.root, args.rootfs) {
        (Some(dir), _) => {
            let dir = std::fs::canonicalize(&dir)
                .with_context(|| format!("root directory {} not found", dir.display()))?;
            RootSpec::Dir(dir)
        }
        (None, true) => RootSpec::Rootfs,
        (None, false) => RootSpec::Host,
    };
    let propagation = match args.propagation.as_deref() {
        None | Some("private") => Propagation::Private,
        Some("slave") => Propagation::Slave,
        Some("shared") => Propagation::Shared,
        Some(other) => anyhow::bail!("propagation '{other}' is not one of private, slave, shared"),
    };
    let spec = IsolationSpec {
        namespaces: Namespace::parse_list(&args.namespaces)?,
        hostname: args.hostname,
        root,
        entry: if args.pivot {
            RootEntry::PivotRoot
        } else {
            RootEntry::Chroot
        },
        proc: if args.proc {
            ProcMount::Fresh
        } else {
            ProcMount::Keep
        },
        propagation,
        command: args.command,
        env: Default::default(),
    };
    spec.validate()?;
    Ok(spec)
}

fn exit_code(status: ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status
        .code()
        .or_else(|| status.signal().map(|signal| 128 + signal))
        .unwrap_or(1)
}
