//! The command line: argument definitions (clap) and one file per subcommand.
//!
//! Commands return a [`Failure`] carrying the exit code of the contract: 1 for a runtime
//! failure, 2 for bad usage or configuration (clap's own usage errors also exit 2).

mod auth;
mod check;
mod demo;
mod findings;
mod query;
mod report;
mod run;
mod show;
mod sim;
mod sync;

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use std::sync::Arc;

use crate::clock::{Clock, SystemClock};
use crate::config::{Env, Settings};
use crate::logging::LogFormat;
use crate::reconcile::FindingKind;
use crate::table::Format;

/// cxsync watches the accounting link between Cin7 and Xero: it reads both sides (never
/// writing to either), caches documents and ledger lines in SQLite, finds sync errors as they
/// happen and reports, per control account, how far Cin7 and Xero disagree and why.
#[derive(Debug, Parser)]
#[command(name = "cxsync", version, about, long_about = None)]
#[command(after_help = "Exit codes: 0 success, 1 runtime failure, 2 bad usage or configuration.")]
pub struct Cli {
    /// Config file [default: `$CXSYNC_CONFIG`, then /etc/cxsync/cxsync.toml]
    #[arg(long, global = true, env = "CXSYNC_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Log line format (logs go to stderr)
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Which log lines to show, e.g. `info`, `debug`, `cxsync=debug,warn`
    #[arg(
        long = "log",
        global = true,
        env = "RUST_LOG",
        default_value = "info",
        value_name = "FILTER"
    )]
    pub log_filter: String,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the daemon: poll every connection, reconcile, and send reports on schedule
    Run,
    /// One full sync and reconcile of every connection
    Sync(SyncArgs),
    /// List findings (open ones by default)
    Findings(FindingsArgs),
    /// Render or send the daily variance report
    Report(ReportArgs),
    /// One document: its Cin7 and Xero versions side by side, how they matched, its findings
    Show(ShowArgs),
    /// Run one read-only SQL statement on the cache (see docs/schema.md for tables and views)
    Query(QueryArgs),
    /// Sign in to Xero with an authorization code (standard apps) and store the refresh token
    Auth(AuthArgs),
    /// Check the config, the store and each connection's settings
    Check,
    /// Run the whole pipeline against a built-in simulated Cin7 and Xero
    Demo(DemoArgs),
    /// The built-in simulated servers, for trying cxsync without accounts
    Sim(SimArgs),
}

#[derive(Debug, Args)]
pub struct SimArgs {
    #[command(subcommand)]
    pub command: SimCommand,
}

#[derive(Debug, Subcommand)]
pub enum SimCommand {
    /// Serve a simulated Xero organisation on 127.0.0.1 until Ctrl-C
    Serve(SimServeArgs),
}

#[derive(Debug, Args)]
pub struct SimServeArgs {
    /// Seed of the generated data and of the faults
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Sales invoices to generate (credit notes, bills, payments and journals follow)
    #[arg(long, default_value_t = 1000)]
    pub size: usize,
    /// Length of a simulated minute in milliseconds (60000 is real time)
    #[arg(long, default_value_t = 60_000)]
    pub minute_ms: u64,
    /// Share of API calls that fail (server errors, slow answers, cut bodies, drops, 429 storms)
    #[arg(long, default_value_t = 0.0)]
    pub fault_rate: f64,
    /// Which Cin7 to serve beside Xero
    #[arg(long, value_enum, default_value = "core")]
    pub cin7: crate::sim::SimCin7,
    /// Write a cxsync config for the simulator here instead of printing it
    #[arg(long, value_name = "FILE")]
    pub write_config: Option<PathBuf>,
    /// The store path the written config uses [default: ./cxsync-sim.db]
    #[arg(long, value_name = "PATH")]
    pub store: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Sync once and exit (the only mode; the daemon is `cxsync run`)
    #[arg(long)]
    pub once: bool,
}

#[derive(Debug, Args)]
pub struct FindingsArgs {
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Only findings of this kind (e.g. `missing_in_xero`, `amount_mismatch`)
    #[arg(long, value_name = "KIND")]
    pub kind: Option<FindingKind>,
    /// Only findings of this connection (its name in the config)
    #[arg(long, value_name = "NAME")]
    pub connection: Option<String>,
    /// Include resolved findings
    #[arg(long)]
    pub all: bool,
    /// Read this database instead of the config's store.path
    #[arg(long, value_name = "PATH")]
    pub store: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Report date (YYYY-MM-DD) [default: yesterday in the connection's time zone]
    #[arg(long, value_name = "DATE")]
    pub date: Option<chrono::NaiveDate>,
    /// text, html (the email's body, chart embedded; one connection: pick it with --connection),
    /// json or csv
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    pub format: String,
    /// Deliver it now to what the config's report section sets (log, files, email), as the
    /// schedule would, and record it as sent, instead of printing it
    #[arg(long)]
    pub send: bool,
    /// With --send: send it even if the report for that date was already sent
    #[arg(long, requires = "send")]
    pub resend: bool,
    /// Only this connection (its name in the config)
    #[arg(long, value_name = "NAME")]
    pub connection: Option<String>,
    /// Use this database instead of the config's store.path (--send records the report in it)
    #[arg(long, value_name = "PATH")]
    pub store: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A document number or reference (INV-0042, SO-1234, a Xero or Cin7 ID)
    pub reference: String,
    /// Read this database instead of the config's store.path
    #[arg(long, value_name = "PATH")]
    pub store: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// One SQL statement; only statements that read are accepted
    pub sql: String,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Read this database instead of the config's store.path
    #[arg(long, value_name = "PATH")]
    pub store: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AuthArgs {
    #[command(subcommand)]
    pub system: AuthSystem,
}

#[derive(Debug, Subcommand)]
pub enum AuthSystem {
    /// Sign in to Xero in a browser; the refresh token is stored for the daemon
    Xero {
        /// The connection to sign in for [default: the only `authorization_code` connection]
        #[arg(long, value_name = "NAME")]
        connection: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Keep the demo database here instead of a fresh temporary file
    #[arg(long, value_name = "PATH")]
    pub store: Option<PathBuf>,
    /// Which Cin7 the simulated business runs
    #[arg(long, value_enum, default_value = "core")]
    pub cin7: crate::sim::SimCin7,
}

/// A failed command: what went wrong and the exit code it maps to.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub error: anyhow::Error,
}

impl Failure {
    /// Bad usage or configuration: exit code 2.
    pub fn usage(error: impl Into<anyhow::Error>) -> Self {
        Self { code: 2, error: error.into() }
    }
}

impl From<anyhow::Error> for Failure {
    /// A runtime failure: exit code 1.
    fn from(error: anyhow::Error) -> Self {
        Self { code: 1, error }
    }
}

/// Runs the parsed command line.
pub fn run(cli: &Cli) -> Result<(), Failure> {
    let env = Env::from_process();
    let mut out = std::io::stdout().lock();
    match &cli.command {
        Command::Check => check::run(&load_settings(cli, &env)?, &mut out),
        Command::Query(args) => {
            query::run(&store_path(cli, &env, args.store.as_deref())?, args, &mut out)
        }
        Command::Findings(args) => {
            findings::run(&store_path(cli, &env, args.store.as_deref())?, args, &mut out)
        }
        Command::Run => run::run(load_settings(cli, &env)?, &env),
        Command::Sync(args) => sync::run(&load_settings(cli, &env)?, args, &mut out),
        Command::Report(args) => {
            let settings = load_settings(cli, &env)?;
            let store = args.store.clone().unwrap_or_else(|| settings.store.path.clone());
            if args.send {
                let clock: Arc<dyn Clock> = Arc::new(SystemClock);
                report::send(&settings, &store, args, &clock, &mut out)
            } else {
                report::run(&settings, &store, args, SystemClock.now(), &mut out)
            }
        }
        Command::Show(args) => {
            show::run(&store_path(cli, &env, args.store.as_deref())?, args, &mut out)
        }
        Command::Auth(AuthArgs { system: AuthSystem::Xero { connection } }) => {
            auth::run(&load_settings(cli, &env)?, connection.as_deref(), &mut out)
        }
        Command::Demo(args) => demo::run(args, &mut out),
        Command::Sim(SimArgs { command: SimCommand::Serve(args) }) => sim::serve(args, &mut out),
    }
}

fn load_settings(cli: &Cli, env: &Env) -> Result<Settings, Failure> {
    let path = Settings::path_or_default(cli.config.as_deref());
    Settings::load(&path, env).map_err(Failure::usage)
}

/// The database to read: `--store` if given, else the config's `store.path`.
fn store_path(cli: &Cli, env: &Env, explicit: Option<&Path>) -> Result<PathBuf, Failure> {
    match explicit {
        Some(path) => Ok(path.to_path_buf()),
        None => Ok(load_settings(cli, env)?.store.path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_options_work_after_the_subcommand() {
        let cli = Cli::try_parse_from([
            "cxsync",
            "findings",
            "--config",
            "x.toml",
            "--kind",
            "blank_cogs",
        ])
        .unwrap();
        assert_eq!(cli.config.as_deref(), Some(Path::new("x.toml")));
        assert!(matches!(
            cli.command,
            Command::Findings(FindingsArgs { kind: Some(FindingKind::BlankCogs), .. })
        ));
    }

    #[test]
    fn unknown_kind_is_a_usage_error() {
        assert!(Cli::try_parse_from(["cxsync", "findings", "--kind", "nope"]).is_err());
    }
}
