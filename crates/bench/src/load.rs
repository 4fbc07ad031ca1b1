//! The load client: `concurrency` tasks on keep-alive connections, each running one operation
//! after another until the workload's time or operation budget is spent. Latencies are kept
//! per operation (microseconds) and summarized at the end.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::bail;
use serde::Serialize;

/// One workload's figures. `per_s` counts operations (or rows, for bulk and export).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Stats {
    pub per_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Stats {
    /// From per-operation latencies, `units` done in `elapsed`.
    pub fn from_latencies(mut micros: Vec<u64>, units: u64, elapsed: Duration) -> Stats {
        micros.sort_unstable();
        let at = |q: f64| -> f64 {
            if micros.is_empty() {
                return 0.0;
            }
            let i = ((micros.len() as f64 * q).ceil() as usize).clamp(1, micros.len()) - 1;
            micros[i] as f64 / 1000.0
        };
        Stats {
            per_s: units as f64 / elapsed.as_secs_f64().max(1e-9),
            p50_ms: at(0.50),
            p99_ms: at(0.99),
            max_ms: micros.last().map_or(0.0, |m| *m as f64 / 1000.0),
        }
    }
}

/// How long and how much one workload may run.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub concurrency: usize,
    pub duration: Duration,
    pub max_ops: u64,
}

/// Errors tolerated before a workload is declared broken (then the run fails).
const MAX_ERRORS: u64 = 10;

/// Runs `op(n)` for n = 0, 1, 2, ... on `budget.concurrency` tasks until the budget is spent.
/// An operation returns the units it did (usually 1).
pub async fn run<F, Fut>(budget: Budget, op: F) -> anyhow::Result<Stats>
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<u64>> + Send,
{
    let op = Arc::new(op);
    let next = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + budget.duration;
    let mut tasks = Vec::with_capacity(budget.concurrency);
    for _ in 0..budget.concurrency.max(1) {
        let (op, next, errors) = (Arc::clone(&op), Arc::clone(&next), Arc::clone(&errors));
        tasks.push(tokio::spawn(async move {
            let mut micros = Vec::new();
            let mut units = 0u64;
            let mut last_error = None;
            while Instant::now() < deadline {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= budget.max_ops || errors.load(Ordering::Relaxed) >= MAX_ERRORS {
                    break;
                }
                let t = Instant::now();
                match op(n).await {
                    Ok(done) => {
                        micros.push(t.elapsed().as_micros() as u64);
                        units += done;
                    }
                    Err(err) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        last_error = Some(err);
                    }
                }
            }
            (micros, units, last_error)
        }));
    }
    let mut all = Vec::new();
    let mut units = 0;
    let mut last_error = None;
    for task in tasks {
        let (micros, done, err) = task.await?;
        all.extend(micros);
        units += done;
        last_error = last_error.or(err);
    }
    let elapsed = started.elapsed();
    let failed = errors.load(Ordering::Relaxed);
    if failed >= MAX_ERRORS
        && let Some(err) = last_error
    {
        bail!("{failed} operations failed; the last: {err:#}");
    }
    if let Some(err) = last_error {
        eprintln!("  note: {failed} operation(s) failed, e.g. {err:#}");
    }
    Ok(Stats::from_latencies(all, units, elapsed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles() {
        let s = Stats::from_latencies(
            (1..=100).map(|n| n * 1000).collect(),
            100,
            Duration::from_secs(2),
        );
        assert_eq!(
            (s.per_s, s.p50_ms, s.p99_ms, s.max_ms),
            (50.0, 50.0, 99.0, 100.0)
        );
    }

    #[tokio::test]
    async fn budget_bounds_the_count() {
        let budget = Budget {
            concurrency: 4,
            duration: Duration::from_secs(5),
            max_ops: 10,
        };
        let s = run(budget, |_| async { Ok(1) }).await.expect("runs");
        assert!(s.per_s > 0.0 && s.max_ms >= s.p50_ms);
    }
}
