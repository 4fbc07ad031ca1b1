//! The `orgstore` binary as a user runs it: `workspace create`, `token create`, then `serve`
//! on loopback, the account cycle over HTTP with the CLI's token, and a clean SIGTERM stop.
//! Runs against SQLite and PostgreSQL.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use orgstore_testkit::reqwest;
use orgstore_testkit::serde_json::{self, Value, json};
use orgstore_testkit::{Backend, fresh_database};

const BIN: &str = env!("CARGO_BIN_EXE_orgstore");

fn orgstore(args: &[&str], database: &str) -> String {
    let out = Command::new(BIN)
        .args(args)
        .args(["--database", database])
        .env("ORGSTORE_LOG", "warn")
        .output()
        .expect("run orgstore");
    assert!(
        out.status.success(),
        "orgstore {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 stdout")
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

struct Server {
    child: Child,
    base: String,
}

impl Server {
    async fn start(database: &str) -> Server {
        let port = free_port();
        let child = Command::new(BIN)
            .args(["serve", "--database", database])
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .env("ORGSTORE_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn orgstore serve");
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(r) = reqwest::get(format!("{}/readyz", server.base)).await
                && r.status() == 200
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("orgstore serve did not become ready");
    }

    fn terminate(mut self) {
        let pid = self.child.id().to_string();
        let status = Command::new("kill").args(["-TERM", &pid]).status();
        assert!(status.is_ok_and(|s| s.success()), "kill -TERM failed");
        let exit = self.child.wait().expect("wait for orgstore");
        assert!(exit.success(), "orgstore exited with {exit}");
    }
}

async fn call(
    method: reqwest::Method,
    url: String,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = reqwest::Client::new()
        .request(method, url)
        .bearer_auth(token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).expect("json")
    };
    (status, value)
}

async fn cli_tokens_serve_the_account_cycle(backend: Backend) {
    let db = fresh_database(backend).await;
    let ws_id = orgstore(&["workspace", "create", "acme"], &db.url);
    assert!(ws_id.trim().starts_with("ws_"), "{ws_id}");
    let token = orgstore(
        &["token", "create", "--workspace", "acme", "--scope", "write"],
        &db.url,
    );
    assert!(
        token.ends_with('\n') && token.lines().count() == 1,
        "stdout was {token:?}"
    );
    let token = token.trim();
    let reader = orgstore(
        &["token", "create", "--workspace", "acme", "--scope", "read"],
        &db.url,
    );

    let server = Server::start(&db.url).await;
    let base = &server.base;
    use reqwest::Method;
    let (status, created) = call(
        Method::POST,
        format!("{base}/v1/accounts"),
        token,
        Some(json!({"name": "Acme", "domains": ["https://www.acme.com/"]})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().expect("id").to_string();
    assert_eq!(created["domains"], json!(["acme.com"]));
    let (status, got) = call(
        Method::GET,
        format!("{base}/v1/accounts/{id}"),
        reader.trim(),
        None,
    )
    .await;
    assert_eq!((status, &got["name"]), (200, &json!("Acme")));
    let (status, _) = call(
        Method::POST,
        format!("{base}/v1/accounts"),
        reader.trim(),
        Some(json!({"name": "No"})),
    )
    .await;
    assert_eq!(status, 403);
    let (status, patched) = call(
        Method::PATCH,
        format!("{base}/v1/accounts/{id}"),
        token,
        Some(json!({"industry": "Software"})),
    )
    .await;
    assert_eq!(
        (status, &patched["industry"], &patched["version"]),
        (200, &json!("Software"), &json!(2))
    );
    let (status, list) = call(
        Method::GET,
        format!("{base}/v1/accounts?industry=Software"),
        token,
        None,
    )
    .await;
    assert_eq!(
        (status, list["data"].as_array().map(Vec::len)),
        (200, Some(1))
    );
    let (status, _) = call(
        Method::DELETE,
        format!("{base}/v1/accounts/{id}"),
        token,
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = call(Method::GET, format!("{base}/v1/accounts/{id}"), token, None).await;
    assert_eq!(status, 404);
    server.terminate();
}

#[tokio::test]
async fn cli_cycle_sqlite() {
    cli_tokens_serve_the_account_cycle(Backend::Sqlite).await;
}

#[tokio::test]
async fn cli_cycle_postgres() {
    cli_tokens_serve_the_account_cycle(Backend::Postgres).await;
}

/// `orgstore serve` on a fresh store creates the default workspace and prints its admin token
/// once: the second start prints nothing.
#[tokio::test]
async fn first_start_prints_the_admin_token_once() {
    let db = fresh_database(Backend::Sqlite).await;
    let mut server = Server::start(&db.url).await;
    let stdout = server.child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let banner = lines.next().expect("banner").expect("read");
    assert!(banner.contains("Admin token"), "{banner}");
    let token = lines.next().expect("token line").expect("read");
    let (status, page) = call(
        reqwest::Method::GET,
        format!("{}/v1/accounts", server.base),
        &token,
        None,
    )
    .await;
    assert_eq!((status, page["has_more"].clone()), (200, json!(false)));
    server.terminate();

    let mut again = Server::start(&db.url).await;
    let stdout = again.child.stdout.take().expect("stdout");
    again.terminate();
    assert_eq!(BufReader::new(stdout).lines().count(), 0);
}
