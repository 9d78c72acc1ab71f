//! nslab's entry point: parse the command line, run, turn the result into an exit status.

use std::process::ExitCode;

use clap::Parser;

use nslab::cli::{Cli, Command};
use nslab::{cli, doctor, inspect, lesson, logging, sandbox, tui};

fn main() -> ExitCode {
    // The launcher must stay single-threaded and quiet: decide before anything else starts.
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some(sandbox::LAUNCHER_ARG) => return exit(sandbox::launcher::main()),
        Some(sandbox::host::HOST_SHELL_ARG) => {
            return exit(sandbox::host::main(args.get(2).map(String::as_str)));
        }
        _ => {}
    }

    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage_error(&err, args.get(1).map(String::as_str)),
    };
    // `nslab run` stays as light as unshare(1): it has nothing to log that it does not print.
    if !matches!(cli.command, Some(Command::Run(_))) {
        logging::init();
    }
    // Like env(1) and container runtimes, `nslab run` keeps 125 for its own failures, so that
    // they cannot be mistaken for the command's exit status.
    let failure = match cli.command {
        Some(Command::Run(_)) => sandbox::launcher::SETUP_FAILED,
        _ => 1,
    };
    match run(cli) {
        Ok(code) => exit(code),
        Err(err) => {
            tracing::error!("{err:#}");
            eprintln!("nslab: {err:#}");
            exit(failure)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<i32> {
    let command = cli.command.unwrap_or_default();
    match command {
        Command::Learn(args) => {
            let dirs = cli.lessons.and(&args.lessons);
            let fresh = cli.fresh || args.fresh;
            tui::learn(args, fresh, &dirs)
        }
        Command::Run(args) => cli::run::run(args),
        Command::Rootfs(args) => cli::rootfs::run(args),
        Command::Doctor => {
            let report = doctor::Report::gather();
            print!("{}", report.render());
            Ok(if report.ready() { 0 } else { 1 })
        }
        Command::Lessons(dirs) => lesson::cli::list(&cli.lessons.and(&dirs)),
        Command::Check(args) => lesson::cli::check(&args.paths),
        Command::Verify(args) => {
            let dirs = cli.lessons.and(&args.lessons);
            lesson::cli::verify(args, &dirs)
        }
        Command::Inspect(args) => inspect::cli::inspect(args),
        Command::Launcher => Ok(sandbox::launcher::main()),
        Command::Probe { namespace } => Ok(doctor::probe_main(&namespace)),
    }
}

/// Prints clap's message (or the help and version it was asked for). A usage error of
/// `nslab run` exits 125 like its other failures, so a script never mistakes it for the
/// command's own status; elsewhere it is clap's usual 2.
fn usage_error(err: &clap::Error, subcommand: Option<&str>) -> ExitCode {
    let _ = err.print();
    if !err.use_stderr() {
        return ExitCode::SUCCESS;
    }
    match subcommand {
        Some("run") => exit(sandbox::launcher::SETUP_FAILED),
        _ => exit(2),
    }
}

fn exit(code: i32) -> ExitCode {
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}
