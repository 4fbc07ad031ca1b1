//! The `orgstore serve` process under test: started on a free loopback port, killed on drop
//! (so an error anywhere in the run never leaves it behind).

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// Longest wait for the server to print its address and answer `/readyz`.
const START_TIMEOUT: Duration = Duration::from_secs(60);

pub struct Server {
    child: Child,
    pub base_url: String,
    /// The admin token printed on the first start of a fresh store.
    pub admin_token: Option<String>,
    /// From spawning the process to the first `200` of `/readyz`.
    pub startup: Duration,
}

/// The `orgstore` binary beside this one (both are built by `cargo build --release`).
pub fn default_binary() -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe().context("locating this executable")?;
    let dir = me.parent().context("this executable has no directory")?;
    Ok(dir.join("orgstore"))
}

impl Server {
    /// Starts `orgstore serve` on `127.0.0.1:0` over `database_url` and waits until ready.
    pub async fn start(binary: &Path, database_url: &str) -> anyhow::Result<Server> {
        if !binary.exists() {
            bail!(
                "{} not found: build it with `cargo build --release` (or pass --server)",
                binary.display()
            );
        }
        let started = Instant::now();
        let mut child = Command::new(binary)
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--database",
                database_url,
                // The benchmark measures the server, not the per-token limit.
                "--rate-limit-per-minute",
                "0",
            ])
            .env("ORGSTORE_LOG", "info")
            .env_remove("ORGSTORE_LOG_FORMAT")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let (addr_tx, addr_rx) = mpsc::channel();
        let (token_tx, token_rx) = mpsc::channel();
        if let Some(stderr) = child.stderr.take() {
            std::thread::spawn(move || watch_stderr(stderr, addr_tx));
        }
        if let Some(stdout) = child.stdout.take() {
            std::thread::spawn(move || watch_stdout(stdout, token_tx));
        }
        let mut server = Server {
            child,
            base_url: String::new(),
            admin_token: None,
            startup: Duration::ZERO,
        };
        let addr = tokio::task::spawn_blocking(move || addr_rx.recv_timeout(START_TIMEOUT))
            .await?
            .context("the server did not print its listening address")?;
        server.base_url = format!("http://{addr}");
        server.wait_ready(started).await?;
        server.startup = started.elapsed();
        // The token, when there is one, was printed before the server started listening.
        server.admin_token = token_rx.recv_timeout(Duration::from_millis(200)).ok();
        Ok(server)
    }

    async fn wait_ready(&mut self, started: Instant) -> anyhow::Result<()> {
        let client = reqwest::Client::new();
        let url = format!("{}/readyz", self.base_url);
        while started.elapsed() < START_TIMEOUT {
            if let Some(status) = self.child.try_wait()? {
                bail!("the server exited early with {status}");
            }
            if let Ok(resp) = client.get(&url).send().await
                && resp.status().is_success()
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        bail!("the server was not ready within {START_TIMEOUT:?}")
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Peak resident set size (`VmHWM`) in MB, from `/proc/<pid>/status`.
    pub fn peak_rss_mb(&self) -> anyhow::Result<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .context("reading the server's /proc status")?;
        let kb = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .context("no VmHWM in the server's /proc status")?;
        Ok(kb / 1024.0)
    }

    /// CPU time the server has used so far (user + system), from `/proc/<pid>/stat`. Per
    /// operation it is a figure that other load on the machine barely moves.
    pub fn cpu_time(&self) -> Duration {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).unwrap_or_default();
        // Fields after the parenthesized command name; utime and stime are the 12th and 13th.
        let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        let fields: Vec<&str> = after.split_whitespace().collect();
        let ticks = |i: usize| {
            fields
                .get(i)
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0)
        };
        // Linux reports in clock ticks of 1/100 s (USER_HZ) on every common platform.
        Duration::from_millis((ticks(11) + ticks(12)) * 10)
    }

    /// `RssAnon`, `RssFile` and `RssShmem` now, as one line: what the peak is made of
    /// (mapped database pages count as `RssFile`).
    pub fn rss_breakdown(&self) -> String {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        status
            .lines()
            .filter(|l| l.starts_with("Rss") || l.starts_with("VmHWM") || l.starts_with("Threads"))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// SIGTERM (graceful: the store is closed cleanly), then SIGKILL after a few seconds.
    pub fn stop(mut self) -> anyhow::Result<()> {
        let pid = self.pid().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.child.try_wait()?.is_some() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.child.kill().context("killing the server")?;
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Finds `listening on http://ADDR` in the log and keeps draining stderr (a full pipe would
/// block the server); other lines are passed through when they are warnings or errors.
fn watch_stderr(stderr: impl Read, addr_tx: mpsc::Sender<String>) {
    for line in BufReader::new(stderr).lines().map_while(Result::ok) {
        if let Some(rest) = line.split("listening on http://").nth(1) {
            let addr = rest.split_whitespace().next().unwrap_or(rest).to_string();
            let _ = addr_tx.send(addr);
        } else if line.contains("WARN") || line.contains("ERROR") {
            eprintln!("server: {line}");
        }
    }
}

/// The admin token: the first `osk_` line on stdout.
fn watch_stdout(stdout: impl Read, token_tx: mpsc::Sender<String>) {
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        let line = line.trim();
        if line.starts_with("osk_") {
            let _ = token_tx.send(line.to_string());
        }
    }
}
