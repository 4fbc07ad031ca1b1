//! `orgstore serve`: open the store, bootstrap on first start, serve until Ctrl-C or SIGTERM.

use std::io::Write;

use anyhow::Context;
use orgstore_core::service::Service;
use tokio::net::TcpListener;
use tokio::signal::unix::{SignalKind, signal};

use crate::cli::ServeArgs;

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let store = crate::open_store(&args.db.database_url).await?;
    let backend = store.backend();
    let service = Service::new(store);

    if let Some(boot) = service
        .bootstrap()
        .await
        .context("creating the default workspace")?
    {
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "Created workspace 'default'. Admin token (shown once, store it now):"
        )?;
        writeln!(out, "{}", boot.admin_token)?;
        out.flush()?;
        tracing::info!(workspace_id = %boot.workspace.id, "created the default workspace");
    }

    // Registered before serving so that a SIGTERM arriving early is not lost.
    let mut terminate =
        signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;

    let listener = TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let addr = listener.local_addr().context("reading the bound address")?;
    tracing::info!(%addr, backend, "listening on http://{addr}");

    let shutdown = async move {
        tokio::select! {
            result = tokio::signal::ctrl_c() => {
                if let Err(err) = result {
                    tracing::error!(%err, "cannot wait for Ctrl-C");
                    std::future::pending::<()>().await;
                }
                tracing::info!("Ctrl-C received; finishing in-flight requests");
            }
            _ = terminate.recv() => {
                tracing::info!("SIGTERM received; finishing in-flight requests");
            }
        }
    };

    let config = orgstore_api::ApiConfig {
        rate_limit: orgstore_api::kit::RateLimitConfig {
            per_minute: args.rate_limit_per_minute,
        },
    };
    axum::serve(listener, orgstore_api::router_with(service, config))
        .with_graceful_shutdown(shutdown)
        .await
        .context("serving HTTP")?;
    tracing::info!("stopped");
    Ok(())
}
