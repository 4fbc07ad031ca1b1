//! Test harness for orgstore: a real server on a loopback port, backed by a fresh SQLite file or
//! a fresh PostgreSQL database, with HTTP helpers and [`both_backends!`] to run one test body
//! against each backend.
//!
//! PostgreSQL tests are never skipped: set `ORGSTORE_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`) to a server the tests may create databases on.

use std::future::Future;

use orgstore_core::auth::Scope;
use orgstore_core::service::Service;
use rand::Rng;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tempfile::TempDir;
use tokio::task::JoinHandle;

pub mod clients;
pub mod counted;

pub use reqwest;
pub use serde_json;
pub use tokio;

/// The PostgreSQL server used when `ORGSTORE_TEST_POSTGRES_URL` is not set.
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A status, the response headers and the body as JSON (`Null` when empty, a JSON string when
/// the body is not JSON).
pub type Response = (StatusCode, HeaderMap, Value);

/// An orgstore server on `127.0.0.1:<random port>` over its own fresh database.
pub struct TestServer {
    pub base_url: String,
    pub admin_token: String,
    pub service: Service,
    pub database_url: String,
    pub backend: Backend,
    pub client: reqwest::Client,
    server: JoinHandle<()>,
    _dir: Option<TempDir>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn random_suffix() -> String {
    let mut rng = rand::rng();
    (0..16)
        .map(|_| char::from(b'a' + rng.random_range(0..26u8)))
        .collect()
}

/// `base` with its database name replaced by `database`.
fn with_database(base: &str, database: &str) -> String {
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let (head, rest) = base.split_at(scheme_end);
    let (authority, after) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let query = after.find('?').map(|i| &after[i..]).unwrap_or("");
    format!("{head}{authority}/{database}{query}")
}

async fn create_postgres_database() -> String {
    let base = std::env::var("ORGSTORE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_string());
    let (client, connection) = tokio_postgres::connect(&base, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "PostgreSQL tests need a reachable server: could not connect to {base} ({e}). \
                 Start PostgreSQL or set ORGSTORE_TEST_POSTGRES_URL; these tests are never skipped."
            )
        });
    tokio::spawn(async move {
        let _ = connection.await;
    });
    // The creation time in the name lets scripts/test drop only old databases, never those
    // of a run still going on the same server.
    let created = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let name = format!("orgstore_test_{created}_{}", random_suffix());
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap_or_else(|e| panic!("CREATE DATABASE {name} on {base} failed: {e}"));
    with_database(&base, &name)
}

/// An empty database of the backend: a SQLite file in a temporary directory (removed on
/// drop), or a newly created PostgreSQL database.
pub struct FreshDatabase {
    pub url: String,
    dir: Option<TempDir>,
}

pub async fn fresh_database(backend: Backend) -> FreshDatabase {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("create a temporary directory");
            let path = dir.path().join("orgstore.db");
            FreshDatabase {
                url: format!("sqlite://{}", path.display()),
                dir: Some(dir),
            }
        }
        Backend::Postgres => FreshDatabase {
            url: create_postgres_database().await,
            dir: None,
        },
    }
}

impl TestServer {
    pub async fn spawn(backend: Backend) -> TestServer {
        Self::spawn_with(backend, orgstore_api::router).await
    }

    /// A server whose router `make_router` builds from the service (another configuration,
    /// or extra surfaces mounted for a test).
    pub async fn spawn_with(
        backend: Backend,
        make_router: impl FnOnce(Service) -> axum::Router,
    ) -> TestServer {
        let FreshDatabase {
            url: database_url,
            dir,
        } = fresh_database(backend).await;
        let store = orgstore_store::open(&database_url)
            .await
            .unwrap_or_else(|e| panic!("orgstore_store::open({database_url}) failed: {e}"));
        let service = Service::new(store);
        let admin_token = service
            .bootstrap()
            .await
            .expect("bootstrap a fresh store")
            .expect("a fresh store is bootstrapped")
            .admin_token;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        let router = make_router(service.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        TestServer {
            base_url: format!("http://{addr}"),
            admin_token,
            service,
            database_url,
            backend,
            client: reqwest::Client::new(),
            server,
            _dir: dir,
        }
    }

    /// A new token for the default workspace's owner with this scope.
    pub async fn token(&self, scope: Scope) -> String {
        self.service
            .create_token("default", scope)
            .await
            .expect("create a token")
    }

    /// An admin token for a new workspace named `slug`.
    pub async fn second_workspace_token(&self, slug: &str) -> String {
        self.service
            .create_workspace(slug)
            .await
            .expect("create a second workspace");
        self.service
            .create_token(slug, Scope::Admin)
            .await
            .expect("create a token for the second workspace")
    }

    /// The id of the default workspace's owner user.
    pub async fn owner_id(&self) -> String {
        let store = self.service.store();
        let ws = store
            .workspace_by_slug("default")
            .await
            .expect("read workspace")
            .expect("default workspace exists");
        store.owner_user(&ws.id).await.expect("owner user").id
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// Sends a request with optional bearer token, extra headers and raw body.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Response {
        let mut req = self.client.request(method, self.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        if let Some(body) = body {
            req = req.body(body);
        }
        let resp = req.send().await.expect("send request");
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.expect("read body");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        (status, headers, body)
    }

    async fn send_json(
        &self,
        method: Method,
        path: &str,
        token: &str,
        headers: &[(&str, &str)],
        body: &Value,
    ) -> Response {
        let mut all = vec![("content-type", "application/json")];
        all.extend_from_slice(headers);
        let bytes = serde_json::to_vec(body).expect("serialize body");
        self.send(method, path, Some(token), &all, Some(bytes))
            .await
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.send(Method::GET, path, Some(token), &[], None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Response {
        self.send_json(Method::POST, path, token, &[], body).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: &Value) -> Response {
        self.send_json(Method::PATCH, path, token, &[], body).await
    }

    /// A PATCH with `If-Match: "<version>"`.
    pub async fn patch_if_match(
        &self,
        path: &str,
        token: &str,
        version: i64,
        body: &Value,
    ) -> Response {
        let etag = format!("\"{version}\"");
        self.send_json(Method::PATCH, path, token, &[("if-match", &etag)], body)
            .await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Response {
        self.send(Method::DELETE, path, Some(token), &[], None)
            .await
    }

    /// Creates an account with the admin token, asserting a 201, and returns it.
    pub async fn create_account(&self, body: Value) -> Value {
        let (status, _, account) = self.post("/v1/accounts", &self.admin_token, &body).await;
        assert_eq!(status, StatusCode::CREATED, "create {body}: {account}");
        account
    }

    /// Every account of the default workspace, following cursors, in default order.
    pub async fn all_accounts(&self, token: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/v1/accounts?limit=1000&cursor={}", encode(c)),
                None => "/v1/accounts?limit=1000".to_string(),
            };
            let (status, _, page) = self.get(&path, token).await;
            assert_eq!(status, StatusCode::OK, "list: {page}");
            out.extend(page["data"].as_array().expect("data array").iter().cloned());
            match page["next_cursor"].as_str() {
                Some(c) if page["has_more"] == Value::Bool(true) => cursor = Some(c.to_string()),
                _ => return out,
            }
        }
    }
}

/// Percent-encodes a query parameter value.
pub fn encode(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The value of a response header as text.
pub fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v: &HeaderValue| v.to_str().ok())
}

/// Whether the response is JSON.
pub fn is_json(headers: &HeaderMap) -> bool {
    header(headers, CONTENT_TYPE.as_str()).is_some_and(|ct| ct.starts_with("application/json"))
}

/// Spawns a server on `backend` and runs `body` against it.
pub async fn run<F, Fut>(backend: Backend, body: F)
where
    F: FnOnce(TestServer) -> Fut,
    Fut: Future<Output = ()>,
{
    let srv = TestServer::spawn(backend).await;
    body(srv).await;
}

/// One test body, run once against SQLite and once against PostgreSQL:
/// `both_backends!(name, |srv| async move { ... });` defines `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[$crate::tokio::test(
                flavor = "multi_thread",
                worker_threads = 2,
                crate = "orgstore_testkit::tokio"
            )]
            async fn sqlite() {
                $crate::run($crate::Backend::Sqlite, $body).await;
            }

            #[$crate::tokio::test(
                flavor = "multi_thread",
                worker_threads = 2,
                crate = "orgstore_testkit::tokio"
            )]
            async fn postgres() {
                $crate::run($crate::Backend::Postgres, $body).await;
            }
        }
    };
}

// Custom fields: tests define the fields they write before writing them.

/// Defines a custom field of `object` (`accounts`, `contacts`) with the admin token and returns
/// the definition; panics unless the server answers 201.
pub async fn define_field(
    srv: &TestServer,
    object: &str,
    api_name: &str,
    field_type: &str,
) -> Value {
    define_field_with(
        srv,
        object,
        serde_json::json!({"api_name": api_name, "type": field_type}),
    )
    .await
}

/// Defines a custom field from a full definition body (options, reference, required, unique).
pub async fn define_field_with(srv: &TestServer, object: &str, definition: Value) -> Value {
    let path = format!("/v1/schema/{object}/fields");
    let (status, _, body) = srv.post(&path, &srv.admin_token, &definition).await;
    assert_eq!(status, StatusCode::CREATED, "defining {definition}: {body}");
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_url_rewrite() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h:1", "x"), "postgres://h:1/x");
    }

    #[test]
    fn encodes_queries() {
        assert_eq!(encode("https://WWW.a.com/x"), "https%3A%2F%2FWWW.a.com%2Fx");
    }
}
