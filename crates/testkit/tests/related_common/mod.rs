//! Helpers shared by the contacts and related-records tests.
#![allow(dead_code)]

use orgstore_testkit::reqwest::{Method, StatusCode};
use orgstore_testkit::serde_json::Value;
use orgstore_testkit::{Response, TestServer, encode, is_json};

/// Well-formed ids that no workspace has.
pub const MISSING_ACCOUNT: &str = "acc_01jd5y0v4w8k9m2n3p4q5r6s7t";
pub const MISSING_CONTACT: &str = "con_01jd5y0v4w8k9m2n3p4q5r6s7t";

/// Asserts a native error body: status, type, and (when given) field and value.
pub fn check(
    resp: &Response,
    status: StatusCode,
    kind: &str,
    field: Option<&str>,
    value: Option<&Value>,
    what: &str,
) {
    let (got, headers, body) = resp;
    assert_eq!(*got, status, "{what}: status; body {body}");
    assert!(is_json(headers), "{what}: error body is not JSON");
    assert_eq!(body["error"]["type"], kind, "{what}: type; body {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{what}: message; body {body}"
    );
    if let Some(field) = field {
        assert_eq!(body["error"]["field"], field, "{what}: field; body {body}");
    }
    if let Some(value) = value {
        assert_eq!(&body["error"]["value"], value, "{what}: value; body {body}");
    }
}

/// POSTs `body` to a collection with the admin token, asserting a 201.
pub async fn create(srv: &TestServer, collection: &str, body: Value) -> Value {
    let (status, _, record) = srv.post(collection, &srv.admin_token, &body).await;
    assert_eq!(status, StatusCode::CREATED, "create {body}: {record}");
    record
}

pub fn id(record: &Value) -> String {
    record["id"].as_str().expect("record id").to_string()
}

/// Every record of a list, following cursors with pages of `limit`.
pub async fn all(srv: &TestServer, token: &str, path: &str, limit: usize) -> Vec<Value> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}{sep}limit={limit}&cursor={}", encode(c)),
            None => format!("{path}{sep}limit={limit}"),
        };
        let (status, _, page) = srv.get(&url, token).await;
        assert_eq!(status, StatusCode::OK, "list {url}: {page}");
        let data = page["data"].as_array().expect("data array");
        assert!(data.len() <= limit, "page larger than limit");
        out.extend(data.iter().cloned());
        if page["has_more"] == Value::Bool(true) {
            cursor = Some(
                page["next_cursor"]
                    .as_str()
                    .expect("next_cursor")
                    .to_string(),
            );
        } else {
            assert_eq!(page["next_cursor"], Value::Null, "last page has no cursor");
            return out;
        }
    }
}

/// A DELETE with `If-Match: "<version>"`.
pub async fn delete_if_match(srv: &TestServer, path: &str, version: i64) -> Response {
    let etag = format!("\"{version}\"");
    srv.send(
        Method::DELETE,
        path,
        Some(&srv.admin_token),
        &[("if-match", &etag)],
        None,
    )
    .await
}

/// The three related counts of an account, read back.
pub async fn counts(srv: &TestServer, account_id: &str) -> (i64, i64, i64) {
    let (status, _, account) = srv
        .get(&format!("/v1/accounts/{account_id}"), &srv.admin_token)
        .await;
    assert_eq!(status, StatusCode::OK, "{account}");
    let n = |k: &str| account[k].as_i64().unwrap_or(-1);
    (
        n("contact_count"),
        n("open_opportunity_count"),
        n("open_case_count"),
    )
}
