//! Logging setup: human text or JSON lines on stderr, filtered `RUST_LOG`-style.
//!
//! Secrets cannot reach the log through this module: they are `Secret`/`SecretString` values
//! whose `Debug` and `Display` never show the value.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One readable line per event (coloured when stderr is a terminal).
    Text,
    /// One JSON object per line, for journald/Loki/Elasticsearch.
    Json,
}

/// Installs the global subscriber. `filter` is an `EnvFilter` directive such as `info` or
/// `cxsync=debug,warn`.
pub fn init(format: LogFormat, filter: &str) -> Result<(), String> {
    let filter = EnvFilter::try_new(filter).map_err(|err| {
        format!("invalid log filter `{filter}`: {err} (example: `info` or `cxsync=debug`)")
    })?;
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let result = match format {
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).try_init(),
        LogFormat::Json => builder.json().with_current_span(false).try_init(),
    };
    result.map_err(|err| format!("cannot install the logger: {err}"))
}
