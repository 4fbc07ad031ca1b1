//! A small run of the benchmark (2,000 accounts, one second per workload) against the
//! `orgstore` binary of the same build, so that the benchmark cannot rot. The large sizes are
//! never run by the tests.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BENCH: &str = env!("CARGO_BIN_EXE_orgstore-bench");

/// The whole smoke run must end within this, or it is killed and the test fails.
const TIMEOUT: Duration = Duration::from_secs(240);

/// `orgstore` beside `orgstore-bench`: `cargo test --workspace` builds both into one directory.
fn server_binary() -> PathBuf {
    let bench = PathBuf::from(BENCH);
    let server = bench.with_file_name("orgstore");
    assert!(
        server.exists(),
        "{} is missing: build it first (`cargo build -p orgstore-server`, or run `cargo test --workspace`)",
        server.display()
    );
    server
}

#[test]
fn a_small_run_prints_the_table_and_writes_every_key() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let json_path = dir.path().join("bench.json");
    let mut child = Command::new(BENCH)
        .args([
            "--accounts",
            "2000",
            "--batch",
            "1000",
            "--concurrency",
            "4",
        ])
        .args(["--duration-secs", "1", "--max-ops", "2000"])
        .arg("--server")
        .arg(server_binary())
        .arg("--json")
        .arg(&json_path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start orgstore-bench");
    let started = Instant::now();
    while child.try_wait().expect("poll orgstore-bench").is_none() {
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            panic!("orgstore-bench did not finish within {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().expect("collect the output");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "orgstore-bench failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("get / healthz ceiling"), "{stdout}");
    assert!(stdout.contains("bulk import / store ceiling"), "{stdout}");

    let text = std::fs::read_to_string(&json_path).expect("the JSON file");
    let figures: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let object = figures.as_object().expect("a JSON object");
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut expected = vec![
        "accounts",
        "assert",
        "bulk_import",
        "create",
        "export",
        "get",
        "healthz",
        "list",
        "peak_rss_mb",
        "query",
        "search",
        "startup_ms",
        "store_ceiling",
    ];
    expected.sort_unstable();
    assert_eq!(keys, expected);
    assert_eq!(figures["accounts"], 2000);
    for workload in [
        "bulk_import",
        "store_ceiling",
        "healthz",
        "create",
        "get",
        "list",
        "query",
        "search",
        "assert",
        "export",
    ] {
        for stat in ["per_s", "p50_ms", "p99_ms", "max_ms"] {
            let value = figures[workload][stat].as_f64();
            assert!(
                value.is_some_and(|v| v >= 0.0),
                "{workload}.{stat} = {:?}",
                figures[workload][stat]
            );
        }
        assert!(
            figures[workload]["per_s"].as_f64() > Some(0.0),
            "{workload}"
        );
    }
    assert!(figures["peak_rss_mb"].as_f64() > Some(0.0));
    assert!(figures["startup_ms"].as_f64() > Some(0.0));
}
