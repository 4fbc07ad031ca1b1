//! Logging: `tracing` to stderr, filtered by `ORGSTORE_LOG` (default `info`), JSON lines when
//! `ORGSTORE_LOG_FORMAT=json`.

use std::io::IsTerminal;

use anyhow::Context;
use tracing_subscriber::EnvFilter;

pub const LOG_ENV: &str = "ORGSTORE_LOG";
pub const LOG_FORMAT_ENV: &str = "ORGSTORE_LOG_FORMAT";

pub fn init() -> anyhow::Result<()> {
    let directives = std::env::var(LOG_ENV)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "info".to_owned());
    let filter = EnvFilter::try_new(&directives)
        .with_context(|| format!("invalid {LOG_ENV} filter '{directives}'"))?;
    let json = std::env::var(LOG_FORMAT_ENV)
        .map(|v| v.eq_ignore_ascii_case("json"))
        .unwrap_or(false);
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let result = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    result.map_err(|e| anyhow::anyhow!("cannot install the logger: {e}"))
}
