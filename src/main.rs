//! The `cxsync` binary: parse the command line, set up logging, run, map errors to exit codes.

use std::process::ExitCode;

use clap::Parser as _;
use cxsync::cli::{self, Cli};

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(message) = cxsync::logging::init(cli.log_format, &cli.log_filter) {
        eprintln!("error: {message}");
        return ExitCode::from(2);
    }
    match cli::run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {:#}", failure.error);
            ExitCode::from(failure.code)
        }
    }
}
