//! The orgstore benchmark. One run, against a release `orgstore serve` on a fresh store:
//!
//! 1. the storage ceiling: the load's rows through the store layer in-process, on its own
//!    fresh store;
//! 2. the bulk load through `POST /v1/accounts/bulk` (dedupe on, 10% duplicates in other
//!    spellings of their domain);
//! 3. after a warm-up, timed workloads with `concurrency` keep-alive connections: `/healthz`
//!    (the HTTP ceiling), get, list, query, search, create, assert, export;
//! 4. start-to-ready of a restarted server on the loaded store, and the server's peak RSS.
//!
//! Everything talks to 127.0.0.1; every loop is bounded in count and time; the server is
//! killed when the run ends, also on error.

mod ceiling;
mod data;
mod database;
mod http;
mod load;
mod report;
mod server;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::json;

use crate::database::Fresh;
use crate::http::Http;
use crate::load::{Budget, Stats};
use crate::report::Report;
use crate::server::Server;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "orgstore-bench",
    about = "Load-test orgstore against this machine's own limits"
)]
pub struct Args {
    /// Accounts to bulk-load (10% of them duplicates of earlier rows).
    #[arg(long, default_value_t = 100_000)]
    pub accounts: u64,
    /// A postgres:// server to create fresh databases on (dropped at the end); SQLite
    /// in a temporary directory by default.
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
    /// Also write the figures as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Concurrent keep-alive connections of the timed workloads.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Seconds each timed workload runs (each also stops after --max-ops operations).
    #[arg(long, default_value_t = 8)]
    pub duration_secs: u64,
    /// Operations each timed workload runs at most.
    #[arg(long, default_value_t = 2_000_000)]
    pub max_ops: u64,
    /// Rows per bulk request (1 to 10,000).
    #[arg(long, default_value_t = 5_000, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub batch: u64,
    /// Bulk requests in flight at once.
    #[arg(long, default_value_t = 2)]
    pub bulk_in_flight: u64,
    /// Keep the loaded SQLite file of the HTTP run (its path is printed), for EXPLAIN and
    /// profiling afterwards.
    #[arg(long)]
    pub keep: bool,
    /// The orgstore binary; by default the one beside this executable.
    #[arg(long, value_name = "PATH")]
    pub server: Option<PathBuf>,
}

/// Longest the bulk load (or the store ceiling) may take before the run gives up.
const LOAD_TIMEOUT: Duration = Duration::from_secs(1800);

pub async fn run(args: Args) -> anyhow::Result<()> {
    let binary = match &args.server {
        Some(path) => path.clone(),
        None => server::default_binary()?,
    };
    let backend = if args.database.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    println!(
        "orgstore-bench: {} accounts on {backend}, concurrency {}, {} s per workload",
        args.accounts, args.concurrency, args.duration_secs
    );
    let mut report = Report::new(args.accounts);

    let ceiling_db = Fresh::create(args.database.as_deref(), "ceiling").await?;
    let ceiling = ceiling::run(
        ceiling_db.url(),
        args.accounts,
        args.batch,
        args.bulk_in_flight,
    )
    .await;
    ceiling_db.drop_database().await?;
    report.set("store_ceiling", ceiling.context("store ceiling")?);

    let db = Fresh::create(args.database.as_deref(), "http").await?;
    let result = run_server_part(&args, &binary, db.url(), &mut report).await;
    if args.keep {
        db.keep();
    } else {
        db.drop_database().await?;
    }
    result?;

    report.print();
    if let Some(path) = &args.json {
        report.write_json(path)?;
        println!("figures written to {}", path.display());
    }
    Ok(())
}

/// Everything that needs the server; `Server` kills its process when dropped, on any error.
async fn run_server_part(
    args: &Args,
    binary: &std::path::Path,
    url: &str,
    report: &mut Report,
) -> anyhow::Result<()> {
    let first = Server::start(binary, url).await?;
    let token = first
        .admin_token
        .clone()
        .context("the server printed no admin token on its first start")?;
    let http = Http::new(&first.base_url, &token, args.concurrency)?;
    define_custom_fields(&http).await?;

    let cpu_before = first.cpu_time();
    let ids = bulk_load(args, &http, report).await?;
    report.cpu_note("bulk_import", first.cpu_time() - cpu_before, args.accounts);
    println!("  server memory after the load: {}", first.rss_breakdown());
    warm_up(args, &http, &ids).await?;
    workloads(args, &http, &ids, &first, report).await?;
    println!("  server memory: {}", first.rss_breakdown());
    let mut peak = first.peak_rss_mb()?;
    first.stop()?;

    let second = Server::start(binary, url).await?;
    report.startup_ms = second.startup.as_secs_f64() * 1000.0;
    peak = peak.max(second.peak_rss_mb()?);
    second.stop()?;
    report.peak_rss_mb = peak;
    Ok(())
}

/// The two custom fields of the rows. A server without the schema route answers 404, which
/// is tolerated with a notice (it then accepts any custom field).
async fn define_custom_fields(http: &Http) -> anyhow::Result<()> {
    let fields = [
        json!({"api_name": "arr", "label": "ARR", "type": "number"}),
        json!({"api_name": "segment", "label": "Segment", "type": "select",
               "options": data::SEGMENTS}),
    ];
    for field in fields {
        let body = serde_json::to_vec(&field)?;
        let (status, text) = http
            .send(
                reqwest::Method::POST,
                "/v1/schema/accounts/fields",
                Some(body),
            )
            .await?;
        if status == StatusCode::NOT_FOUND {
            println!(
                "notice: POST /v1/schema/accounts/fields answered 404; custom fields left undefined"
            );
            return Ok(());
        }
        if !status.is_success() {
            anyhow::bail!(
                "defining custom field {field}: {status} {}",
                String::from_utf8_lossy(&text)
            );
        }
    }
    Ok(())
}

#[derive(Deserialize)]
struct BulkAnswer {
    results: Vec<BulkRow>,
}

#[derive(Deserialize)]
struct BulkRow {
    status: String,
    account: Option<IdOnly>,
}

#[derive(Deserialize)]
struct IdOnly {
    id: String,
}

/// The HTTP bulk load; returns the ids of the created accounts.
async fn bulk_load(
    args: &Args,
    http: &Http,
    report: &mut Report,
) -> anyhow::Result<Arc<Vec<String>>> {
    let ids = Arc::new(Mutex::new(Vec::with_capacity(args.accounts as usize)));
    let requests = args.accounts.div_ceil(args.batch);
    let budget = Budget {
        concurrency: args.bulk_in_flight as usize,
        duration: LOAD_TIMEOUT,
        max_ops: requests,
    };
    let (http2, ids2, accounts, batch, in_flight) = (
        http.clone(),
        Arc::clone(&ids),
        args.accounts,
        args.batch,
        args.bulk_in_flight,
    );
    let stats = load::run(budget, move |n| {
        let (http, ids) = (http2.clone(), Arc::clone(&ids2));
        async move {
            let (start, end) = (n * batch, ((n + 1) * batch).min(accounts));
            let rows: Vec<_> = (start..end)
                .map(|i| data::load_row(i, batch, in_flight))
                .collect();
            let body = serde_json::to_vec(&json!({"accounts": rows, "dedupe": true}))?;
            let answer = http
                .ok(reqwest::Method::POST, "/v1/accounts/bulk", Some(body))
                .await?;
            let answer: BulkAnswer = serde_json::from_slice(&answer)?;
            let mut created = Vec::new();
            for row in answer.results {
                match (row.status.as_str(), row.account) {
                    ("created", Some(acc)) => created.push(acc.id),
                    ("existing", _) => {}
                    (other, _) => anyhow::bail!("a bulk row answered {other}"),
                }
            }
            ids.lock()
                .map_err(|_| anyhow::anyhow!("poisoned"))?
                .extend(created);
            Ok(end - start)
        }
    })
    .await
    .context("bulk load")?;
    report.set("bulk_import", stats);
    let ids = std::mem::take(&mut *ids.lock().map_err(|_| anyhow::anyhow!("poisoned"))?);
    println!(
        "  bulk import: {} rows, {} accounts created",
        args.accounts,
        ids.len()
    );
    anyhow::ensure!(!ids.is_empty(), "the bulk load created no account");
    Ok(Arc::new(ids))
}

/// Pulls the store into memory (a full export touches every account) and runs each read
/// workload briefly, so that the timed runs measure warm behaviour.
async fn warm_up(args: &Args, http: &Http, ids: &Arc<Vec<String>>) -> anyhow::Result<()> {
    let t = Instant::now();
    http.count_lines("/v1/accounts/export?format=ndjson")
        .await?;
    let brief = Budget {
        concurrency: args.concurrency,
        duration: Duration::from_secs(1),
        max_ops: 20_000,
    };
    for workload in ["get", "list", "query", "search"] {
        read_workload(workload, brief, http, ids, args.accounts).await?;
    }
    println!("  warm-up: {:.1} s", t.elapsed().as_secs_f64());
    Ok(())
}

async fn workloads(
    args: &Args,
    http: &Http,
    ids: &Arc<Vec<String>>,
    server: &Server,
    report: &mut Report,
) -> anyhow::Result<()> {
    let budget = Budget {
        concurrency: args.concurrency,
        duration: Duration::from_secs(args.duration_secs),
        max_ops: args.max_ops,
    };
    for workload in [
        "healthz", "get", "list", "query", "search", "create", "assert", "export",
    ] {
        let (cpu, started) = (server.cpu_time(), Instant::now());
        let stats = match workload {
            "create" => create_workload(budget, http, args.accounts).await?,
            "assert" => assert_workload(budget, http, args.accounts).await?,
            "export" => export_workload(args, http).await?,
            _ => read_workload(workload, budget, http, ids, args.accounts).await?,
        };
        report.set(workload, stats);
        let units = (stats.per_s * started.elapsed().as_secs_f64()).round() as u64;
        report.cpu_note(workload, server.cpu_time() - cpu, units);
        if let Ok(peak) = server.peak_rss_mb() {
            println!("    server peak RSS so far: {peak:.0} MB");
        }
    }
    Ok(())
}

async fn read_workload(
    workload: &'static str,
    budget: Budget,
    http: &Http,
    ids: &Arc<Vec<String>>,
    accounts: u64,
) -> anyhow::Result<Stats> {
    let (http, ids) = (http.clone(), Arc::clone(ids));
    load::run(budget, move |n| {
        let (http, ids) = (http.clone(), Arc::clone(&ids));
        async move {
            let mut rng = data::Rng::new(n ^ 0x5EED);
            match workload {
                "healthz" => http.get("/healthz").await?,
                "get" => {
                    let id = &ids[rng.below(ids.len() as u64) as usize];
                    http.get(&format!("/v1/accounts/{id}")).await?
                }
                "list" => {
                    let stage = rng.pick(&data::STAGES);
                    http.get(&format!("/v1/accounts?stage={stage}&sort=name&limit=50"))
                        .await?
                }
                "query" => {
                    let body = json!({
                        "filter": {"and": [
                            {"field": "stage", "op": "eq", "value": rng.pick(&data::STAGES)},
                            {"field": "custom_fields.arr", "op": "gte", "value": rng.below(2_000) * 1_000},
                        ]},
                        "sort": [{"field": "name", "direction": "asc"}],
                        "limit": 50,
                    });
                    http.post("/v1/accounts/query", &body).await?
                }
                _ => {
                    let term = data::search_term(&mut rng, accounts);
                    http.get(&format!("/v1/accounts?q={term}&limit=20")).await?
                }
            };
            Ok(1)
        }
    })
    .await
    .with_context(|| format!("workload {workload}"))
}

/// Single creates of new accounts (domains no load row has).
async fn create_workload(budget: Budget, http: &Http, accounts: u64) -> anyhow::Result<Stats> {
    let http = http.clone();
    load::run(budget, move |n| {
        let http = http.clone();
        async move {
            let i = accounts * 2 + n;
            http.post("/v1/accounts", &data::account_body(i, &data::domain(i)))
                .await?;
            Ok(1)
        }
    })
    .await
    .context("workload create")
}

/// Asserts by a loaded domain, spelled differently: each matches one account and updates it.
async fn assert_workload(budget: Budget, http: &Http, accounts: u64) -> anyhow::Result<Stats> {
    let http = http.clone();
    load::run(budget, move |n| {
        let http = http.clone();
        async move {
            let mut rng = data::Rng::new(n ^ 0xA55E);
            // A row that is not a duplicate created the account holding its domain.
            let mut i = rng.below(accounts);
            if i % data::DUPLICATE_EVERY == data::DUPLICATE_EVERY - 1 {
                i -= 1;
            }
            let body = json!({
                "match": {"domain": data::respell(&data::domain(i), n)},
                "account": {"tier": if n % 2 == 0 { "gold" } else { "silver" }},
            });
            http.post("/v1/accounts/assert", &body).await?;
            Ok(1)
        }
    })
    .await
    .context("workload assert")
}

/// Full NDJSON exports, one after another (up to 3, within the workload's time); `per_s`
/// counts accounts, the latencies are whole exports.
async fn export_workload(args: &Args, http: &Http) -> anyhow::Result<Stats> {
    let budget = Budget {
        concurrency: 1,
        duration: Duration::from_secs(args.duration_secs),
        max_ops: 3,
    };
    let http = http.clone();
    load::run(budget, move |_| {
        let http = http.clone();
        async move { http.count_lines("/v1/accounts/export?format=ndjson").await }
    })
    .await
    .context("workload export")
}
