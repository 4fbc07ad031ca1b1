//! The storage ceiling: the same rows as the HTTP bulk load, grouped the same way, written
//! through the store layer in this process on a fresh store: no HTTP, no JSON. Only the
//! `bulk_write` calls are timed, so the figure is what the store itself can take.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use orgstore_core::bulk::{
    BulkOptions, BulkPlan, GroupOutcome, MatchPolicy, PlannedGroup, group_rows,
};
use orgstore_core::model::{AccountData, AccountInput};
use orgstore_core::service::Service;

use crate::data;
use crate::load::Stats;

/// Writes `accounts` rows in requests of `batch`, as the HTTP load does, and times the store.
pub async fn run(url: &str, accounts: u64, batch: u64, in_flight: u64) -> anyhow::Result<Stats> {
    let store = orgstore_store::open(url)
        .await
        .context("opening the ceiling's store")?;
    let service = Service::new(Arc::clone(&store));
    service
        .bootstrap()
        .await
        .context("bootstrapping the ceiling's store")?;
    let workspace = store
        .workspace_by_slug("default")
        .await?
        .context("the default workspace is missing")?;
    let owner = store.owner_user(&workspace.id).await?;
    let mut micros = Vec::new();
    let mut busy = Duration::ZERO;
    let mut start = 0;
    while start < accounts {
        let end = (start + batch).min(accounts);
        let plan = plan(start, end, batch, in_flight)?;
        let t = Instant::now();
        let written = store.bulk_write(&workspace.id, &owner.id, plan).await?;
        let took = t.elapsed();
        busy += took;
        micros.push(took.as_micros() as u64);
        if let Some(err) = written.outcomes.iter().find_map(|o| match o {
            GroupOutcome::Failed(err) => Some(err),
            _ => None,
        }) {
            bail!("the store refused a row: {err}");
        }
        start = end;
    }
    Ok(Stats::from_latencies(micros, accounts, busy))
}

/// Rows `start..end`, normalized and grouped as the service groups a bulk request.
fn plan(start: u64, end: u64, batch: u64, in_flight: u64) -> anyhow::Result<BulkPlan> {
    let rows: Vec<AccountData> = (start..end)
        .map(|i| {
            let input: AccountInput = serde_json::from_value(data::load_row(i, batch, in_flight))?;
            input.normalize().map_err(anyhow::Error::from)
        })
        .collect::<anyhow::Result<_>>()?;
    let keys: Vec<Option<(&[String], &[String])>> = rows
        .iter()
        .map(|r| Some((r.domains.as_slice(), r.external_refs.as_slice())))
        .collect();
    let roots = group_rows(&keys);
    let policy = MatchPolicy::native();
    let mut groups: Vec<PlannedGroup> = Vec::new();
    let mut group_of_root = std::collections::HashMap::new();
    for (index, (row, root)) in rows.into_iter().zip(roots).enumerate() {
        match group_of_root.get(&root) {
            Some(&g) => {
                let group: &mut PlannedGroup = &mut groups[g];
                group.absorb(row, None, &policy);
            }
            None => {
                group_of_root.insert(root, groups.len());
                groups.push(PlannedGroup::new(index, row));
            }
        }
    }
    Ok(BulkPlan::new(groups, BulkOptions::default()))
}
