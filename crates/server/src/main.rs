//! The `orgstore` binary. Errors become one line on stderr and a non-zero exit code.

mod cli;
mod export;
mod import;
mod serve;
mod telemetry;

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use orgstore_core::auth::{Principal, Scope};
use orgstore_core::service::Service;
use orgstore_core::store::Store;

use crate::cli::{Cli, Command, TokenCommand, WorkspaceCommand};

/// mimalloc instead of the system allocator: bulk requests allocate and free large, short-lived
/// buffers on many threads, and glibc's per-thread arenas kept that memory after each request
/// (the server's peak RSS); mimalloc returns it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(err) = telemetry::init() {
        report(&err);
        return ExitCode::FAILURE;
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(err) => {
            report(&anyhow::Error::new(err).context("cannot start the async runtime"));
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            report(&err);
            ExitCode::FAILURE
        }
    }
}

/// Prints `error: <message: cause: ...>` on exactly one line of stderr.
fn report(err: &anyhow::Error) {
    let line = format!("{err:#}").replace(['\r', '\n'], " ");
    eprintln!("error: {line}");
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve::run(args).await,
        Command::Migrate(db) => {
            let store = open_store(&db.database_url).await?;
            eprintln!("migrated {}", store.backend());
            Ok(())
        }
        Command::Workspace(WorkspaceCommand::Create { slug, db }) => {
            let service = Service::new(open_store(&db.database_url).await?);
            let workspace = service
                .create_workspace(&slug)
                .await
                .with_context(|| format!("cannot create workspace '{slug}'"))?;
            print_line(&workspace.id)
        }
        Command::Token(TokenCommand::Create {
            workspace,
            scope,
            user,
            db,
        }) => {
            let service = Service::new(open_store(&db.database_url).await?);
            let token = service
                .create_user_token(&workspace, scope, user.as_deref())
                .await
                .with_context(|| format!("cannot create a token for workspace '{workspace}'"))?;
            print_line(&token)
        }
        Command::Import(args) => {
            let service = Service::new(open_store(&args.db.database_url).await?);
            import::run(&service, &args).await
        }
        Command::Export(args) => {
            let service = Service::new(open_store(&args.db.database_url).await?);
            export::run(&service, &args).await
        }
    }
}

/// The caller the CLI acts as on a workspace: its owner, with admin scope. Whoever can open
/// the database can already do anything to it, so no token is asked for.
pub(crate) async fn cli_principal(service: &Service, slug: &str) -> anyhow::Result<Principal> {
    let store = service.store();
    let workspace = store
        .workspace_by_slug(slug)
        .await
        .with_context(|| format!("cannot read workspace '{slug}'"))?
        .with_context(|| format!("no workspace '{slug}' in this database"))?;
    let owner = store
        .owner_user(&workspace.id)
        .await
        .with_context(|| format!("cannot read the owner of workspace '{slug}'"))?;
    Ok(Principal {
        workspace_id: workspace.id,
        user_id: owner.id,
        token_id: "cli".into(),
        scope: Scope::Admin,
    })
}

fn print_line(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    out.flush()?;
    Ok(())
}

/// Opens (and migrates) the store; the URL's password never appears in messages.
pub(crate) async fn open_store(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    let shown = redact(url);
    tracing::debug!(database = %shown, "opening the store");
    let store = orgstore_store::open(url)
        .await
        .with_context(|| format!("cannot open database {shown}"))?;
    tracing::info!(database = %shown, backend = store.backend(), "store ready");
    Ok(store)
}

/// `postgres://user:secret@host/db` -> `postgres://user:***@host/db`; anything without a
/// password is shown as given.
fn redact(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return url.to_owned();
    };
    if parsed.password().is_none() || parsed.set_password(Some("***")).is_err() {
        return url.to_owned();
    }
    parsed.to_string()
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db?x=1"),
            "postgres://u:***@h:5432/db?x=1"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite://orgstore.db"), "sqlite://orgstore.db");
        assert_eq!(redact("sqlite:///a:b@c/x.db"), "sqlite:///a:b@c/x.db");
    }
}
