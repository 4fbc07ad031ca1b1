//! Bad input on the native API: each is rejected with a precise error and changes nothing.

use orgstore_testkit::reqwest::{Method, StatusCode};
use orgstore_testkit::serde_json::{Value, json};
use orgstore_testkit::{TestServer, both_backends, define_field, is_json};

/// Creates one account and returns it with its path.
async fn seed(srv: &TestServer) -> (Value, String) {
    // Custom fields are defined before they are written.
    define_field(srv, "accounts", "k", "text").await;
    let acc = srv
        .create_account(
            json!({"name": "Acme", "domains": ["acme.com"], "custom_fields": {"k": "v"}}),
        )
        .await;
    let path = format!("/v1/accounts/{}", acc["id"].as_str().expect("id"));
    (acc, path)
}

/// Asserts a native error body: status, type, and (when given) field.
fn check(
    resp: &(
        StatusCode,
        orgstore_testkit::reqwest::header::HeaderMap,
        Value,
    ),
    status: StatusCode,
    kind: &str,
    field: Option<&str>,
    what: &str,
) {
    let (got, headers, body) = resp;
    assert_eq!(*got, status, "{what}: status; body {body}");
    assert!(
        is_json(headers),
        "{what}: error body is not JSON: {headers:?}"
    );
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
}

async fn unchanged(srv: &TestServer, before: &[Value], what: &str) {
    assert_eq!(
        srv.all_accounts(&srv.admin_token).await,
        before,
        "{what}: stored data changed"
    );
}

both_backends!(bad_create_bodies, |srv| async move {
    let t = srv.admin_token.clone();
    let (acc, _) = seed(&srv).await;
    let before = vec![acc];
    let json_ct = [("content-type", "application/json")];

    let r = srv
        .send(
            Method::POST,
            "/v1/accounts",
            Some(&t),
            &json_ct,
            Some(br#"{"name": "x",,}"#.to_vec()),
        )
        .await;
    check(
        &r,
        StatusCode::BAD_REQUEST,
        "malformed_json",
        None,
        "malformed JSON",
    );
    unchanged(&srv, &before, "malformed JSON").await;

    let r = srv.post("/v1/accounts", &t, &json!({"name": 5})).await;
    check(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_type",
        Some("name"),
        "name: 5",
    );
    unchanged(&srv, &before, "name: 5").await;

    let r = srv
        .post("/v1/accounts", &t, &json!({"description": "no name"}))
        .await;
    check(
        &r,
        StatusCode::BAD_REQUEST,
        "missing_field",
        Some("name"),
        "missing name",
    );
    unchanged(&srv, &before, "missing name").await;

    let r = srv
        .post("/v1/accounts", &t, &json!({"name": "x".repeat(256)}))
        .await;
    check(
        &r,
        StatusCode::BAD_REQUEST,
        "too_long",
        Some("name"),
        "long name",
    );
    unchanged(&srv, &before, "long name").await;
    let ok = srv
        .post("/v1/accounts", &t, &json!({"name": "y".repeat(255)}))
        .await;
    assert_eq!(ok.0, StatusCode::CREATED, "255 chars is allowed: {}", ok.2);
    let path255 = format!("/v1/accounts/{}", ok.2["id"].as_str().expect("id"));
    assert_eq!(srv.delete(&path255, &t).await.0, StatusCode::NO_CONTENT);

    let r = srv
        .post("/v1/accounts", &t, &json!({"name": "x", "colour": "red"}))
        .await;
    check(
        &r,
        StatusCode::BAD_REQUEST,
        "unknown_field",
        Some("colour"),
        "unknown field",
    );
    unchanged(&srv, &before, "unknown field").await;

    for system in ["id", "created_at", "version", "display_id", "workspace_id"] {
        let mut body = json!({"name": "x"});
        body[system] = json!("acc_01jd5y0v4w8k9m2n3p4q5r6s7t");
        let r = srv.post("/v1/accounts", &t, &body).await;
        check(
            &r,
            StatusCode::BAD_REQUEST,
            "field_not_updatable",
            Some(system),
            system,
        );
        unchanged(&srv, &before, system).await;
    }

    let r = srv
        .post(
            "/v1/accounts",
            &t,
            &json!({"name": "x", "domains": ["not a domain!"]}),
        )
        .await;
    check(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_domain",
        Some("domains[0]"),
        "invalid domain",
    );
    assert_eq!(
        r.2["error"]["value"], "not a domain!",
        "value echoed: {}",
        r.2
    );
    unchanged(&srv, &before, "invalid domain").await;

    let r = srv
        .post(
            "/v1/accounts",
            &t,
            &json!({"name": "x", "domains": ["fine.com", "bad domain"]}),
        )
        .await;
    check(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_domain",
        Some("domains[1]"),
        "second domain invalid",
    );
    unchanged(&srv, &before, "second domain invalid").await;

    let r = srv
        .post(
            "/v1/accounts",
            &t,
            &json!({"name": "x", "stage": "nirvana"}),
        )
        .await;
    assert_eq!(r.0, StatusCode::BAD_REQUEST, "unknown stage: {}", r.2);
    assert_eq!(r.2["error"]["field"], "stage", "unknown stage: {}", r.2);
    unchanged(&srv, &before, "unknown stage").await;

    let r = srv
        .post(
            "/v1/accounts",
            &t,
            &json!({"name": "x", "owners": ["usr_01jd5y0v4w8k9m2n3p4q5r6s7t"]}),
        )
        .await;
    assert_eq!(r.0, StatusCode::BAD_REQUEST, "unknown owner: {}", r.2);
    unchanged(&srv, &before, "unknown owner").await;

    let big = format!(
        r#"{{"name": "big", "description": "{}"}}"#,
        "a".repeat(1024 * 1024 + 16)
    );
    let r = srv
        .send(
            Method::POST,
            "/v1/accounts",
            Some(&t),
            &json_ct,
            Some(big.into_bytes()),
        )
        .await;
    check(
        &r,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        None,
        "1 MiB body",
    );
    unchanged(&srv, &before, "1 MiB body").await;

    let r = srv
        .send(
            Method::POST,
            "/v1/accounts",
            Some(&t),
            &[("content-type", "text/plain")],
            Some(br#"{"name": "x"}"#.to_vec()),
        )
        .await;
    check(
        &r,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        None,
        "text/plain",
    );
    unchanged(&srv, &before, "text/plain").await;

    let r = srv
        .send(
            Method::POST,
            "/v1/accounts",
            Some(&t),
            &json_ct,
            Some(b"[1,2]".to_vec()),
        )
        .await;
    assert_eq!(r.0, StatusCode::BAD_REQUEST, "array body: {}", r.2);
    unchanged(&srv, &before, "array body").await;
});

both_backends!(bad_patches_and_ids, |srv| async move {
    let t = srv.admin_token.clone();
    let (acc, path) = seed(&srv).await;
    let before = vec![acc.clone()];

    let r = srv.patch(&path, &t, &json!({"name": null})).await;
    assert_eq!(r.0, StatusCode::BAD_REQUEST, "name: null: {}", r.2);
    assert_eq!(r.2["error"]["field"], "name", "name: null: {}", r.2);
    unchanged(&srv, &before, "name: null").await;

    let r = srv.patch(&path, &t, &json!({"name": 5})).await;
    check(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_type",
        Some("name"),
        "patch name: 5",
    );
    let r = srv.patch(&path, &t, &json!({"colour": "red"})).await;
    check(
        &r,
        StatusCode::BAD_REQUEST,
        "unknown_field",
        Some("colour"),
        "patch unknown field",
    );
    let r = srv
        .patch(&path, &t, &json!({"id": "acc_01jd5y0v4w8k9m2n3p4q5r6s7t"}))
        .await;
    check(
        &r,
        StatusCode::BAD_REQUEST,
        "field_not_updatable",
        Some("id"),
        "patch id",
    );
    let r = srv
        .patch(&path, &t, &json!({"domains": ["ok.com", "bad domain"]}))
        .await;
    check(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_domain",
        Some("domains[1]"),
        "patch invalid domain",
    );
    let r = srv.patch(&path, &t, &json!({"stage": "nirvana"})).await;
    assert_eq!(r.0, StatusCode::BAD_REQUEST, "patch unknown stage: {}", r.2);
    assert_eq!(r.2["error"]["field"], "stage", "{}", r.2);
    let r = srv
        .patch(&path, &t, &json!({"name": "z".repeat(256)}))
        .await;
    check(
        &r,
        StatusCode::BAD_REQUEST,
        "too_long",
        Some("name"),
        "patch long name",
    );
    let r = srv
        .send(
            Method::PATCH,
            &path,
            Some(&t),
            &[("content-type", "application/json")],
            Some(b"{nope".to_vec()),
        )
        .await;
    check(
        &r,
        StatusCode::BAD_REQUEST,
        "malformed_json",
        None,
        "patch malformed JSON",
    );
    let r = srv
        .send(
            Method::PATCH,
            &path,
            Some(&t),
            &[("content-type", "text/plain")],
            Some(br#"{"name":"q"}"#.to_vec()),
        )
        .await;
    check(
        &r,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        None,
        "patch text/plain",
    );
    unchanged(&srv, &before, "bad patches").await;
    let (_, headers, got) = srv.get(&path, &t).await;
    assert_eq!(got["version"], 1, "no bad patch bumped the version: {got}");
    assert_eq!(orgstore_testkit::header(&headers, "etag"), Some("\"1\""));

    let r = srv.get("/v1/accounts/nope", &t).await;
    check(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_id",
        None,
        "GET /v1/accounts/nope",
    );
    let r = srv
        .patch("/v1/accounts/nope", &t, &json!({"name": "x"}))
        .await;
    check(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_id",
        None,
        "PATCH /v1/accounts/nope",
    );
    let r = srv.delete("/v1/accounts/nope", &t).await;
    check(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_id",
        None,
        "DELETE /v1/accounts/nope",
    );

    let missing = "/v1/accounts/acc_01jd5y0v4w8k9m2n3p4q5r6s7t";
    let r = srv.get(missing, &t).await;
    check(&r, StatusCode::NOT_FOUND, "not_found", None, "GET missing");
    let r = srv.patch(missing, &t, &json!({"name": "x"})).await;
    check(
        &r,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
        "PATCH missing",
    );

    for (q, field) in [
        ("sort=colour", "sort"),
        ("created_after=yesterday", "created_after"),
        ("updated_after=2024-13-45T00:00:00Z", "updated_after"),
        ("cursor=garbage!!", "cursor"),
    ] {
        let r = srv.get(&format!("/v1/accounts?{q}"), &t).await;
        check(
            &r,
            StatusCode::BAD_REQUEST,
            r.2["error"]["type"].as_str().unwrap_or("?"),
            Some(field),
            q,
        );
    }
    unchanged(&srv, &before, "bad ids").await;
});
