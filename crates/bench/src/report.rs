//! The printed table and the `--json` file.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use serde_json::{Map, Value};

use crate::load::Stats;

/// Workloads in the order they are printed, with the unit of their `per_s`.
const ROWS: [(&str, &str); 10] = [
    ("bulk_import", "rows/s"),
    ("store_ceiling", "rows/s"),
    ("healthz", "req/s"),
    ("create", "req/s"),
    ("get", "req/s"),
    ("list", "req/s"),
    ("query", "req/s"),
    ("search", "req/s"),
    ("assert", "req/s"),
    ("export", "accounts/s"),
];

pub struct Report {
    pub accounts: u64,
    pub startup_ms: f64,
    pub peak_rss_mb: f64,
    stats: BTreeMap<&'static str, Stats>,
    /// Server CPU microseconds per operation (or row), by workload.
    cpu_us: BTreeMap<&'static str, f64>,
}

impl Report {
    pub fn new(accounts: u64) -> Report {
        Report {
            accounts,
            startup_ms: 0.0,
            peak_rss_mb: 0.0,
            stats: BTreeMap::new(),
            cpu_us: BTreeMap::new(),
        }
    }

    pub fn set(&mut self, workload: &'static str, stats: Stats) {
        println!(
            "  {workload:<14} {:>10.0}/s  p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>8.2} ms",
            stats.per_s, stats.p50_ms, stats.p99_ms, stats.max_ms
        );
        self.stats.insert(workload, stats);
    }

    /// Records the server's CPU time spent on `units` operations of a workload.
    pub fn cpu_note(&mut self, workload: &'static str, cpu: std::time::Duration, units: u64) {
        if units > 0 {
            self.cpu_us
                .insert(workload, cpu.as_secs_f64() * 1e6 / units as f64);
        }
    }

    fn ratio(&self, a: &str, b: &str) -> Option<f64> {
        let (a, b) = (self.stats.get(a)?, self.stats.get(b)?);
        (b.per_s > 0.0).then(|| a.per_s / b.per_s)
    }

    pub fn print(&self) {
        println!();
        println!(
            "{:<14} {:>12} {:>10} {:>9} {:>9} {:>10} {:>14}",
            "workload", "per_s", "unit", "p50_ms", "p99_ms", "max_ms", "server_cpu_us"
        );
        for (name, unit) in ROWS {
            if let Some(s) = self.stats.get(name) {
                let cpu = self
                    .cpu_us
                    .get(name)
                    .map_or_else(|| "-".to_string(), |us| format!("{us:.1}"));
                println!(
                    "{name:<14} {:>12.0} {unit:>10} {:>9.2} {:>9.2} {:>10.2} {cpu:>14}",
                    s.per_s, s.p50_ms, s.p99_ms, s.max_ms
                );
            }
        }
        println!();
        if let Some(r) = self.ratio("get", "healthz") {
            println!("get / healthz ceiling        {r:.2}   (target >= 0.30)");
        }
        if let Some(r) = self.ratio("bulk_import", "store_ceiling") {
            println!("bulk import / store ceiling  {r:.2}   (target >= 0.80)");
        }
        println!("accounts                     {}", self.accounts);
        println!("start to ready               {:.0} ms", self.startup_ms);
        println!("server peak RSS              {:.0} MB", self.peak_rss_mb);
    }

    /// One object per workload, plus `accounts`, `startup_ms` and `peak_rss_mb`.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("accounts".into(), Value::from(self.accounts));
        for (name, stats) in &self.stats {
            out.insert(
                (*name).into(),
                serde_json::to_value(stats).unwrap_or(Value::Null),
            );
        }
        out.insert("startup_ms".into(), Value::from(round(self.startup_ms)));
        out.insert("peak_rss_mb".into(), Value::from(round(self.peak_rss_mb)));
        Value::Object(out)
    }

    pub fn write_json(&self, path: &Path) -> anyhow::Result<()> {
        let text = serde_json::to_string_pretty(&self.to_json())?;
        std::fs::write(path, text + "\n").with_context(|| format!("writing {}", path.display()))
    }
}

fn round(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}
