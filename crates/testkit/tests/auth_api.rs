//! Authentication, scopes and workspace isolation on the native API.

use orgstore_core::auth::Scope;
use orgstore_testkit::both_backends;
use orgstore_testkit::reqwest::{Method, StatusCode};
use orgstore_testkit::serde_json::json;

both_backends!(missing_or_bad_tokens_are_401, |srv| async move {
    let acc = srv.create_account(json!({"name": "Acme"})).await;
    let path = format!("/v1/accounts/{}", acc["id"].as_str().expect("id"));
    for p in ["/v1/accounts", path.as_str()] {
        let (status, _, err) = srv.send(Method::GET, p, None, &[], None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "no header on {p}: {err}");
        assert_eq!(err["error"]["type"], "unauthorized", "{err}");
        let (status, _, err) = srv.get(p, "nonsense").await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "Bearer nonsense on {p}: {err}"
        );
        let (status, _, err) = srv
            .get(p, "osk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
            .await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "unknown token on {p}: {err}"
        );
    }
    let (status, _, err) = srv
        .send(
            Method::GET,
            "/v1/accounts",
            None,
            &[("authorization", "Basic dXNlcjpwYXNz")],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "Basic auth: {err}");
    let (status, _, err) = srv
        .send(
            Method::POST,
            "/v1/accounts",
            None,
            &[("content-type", "application/json")],
            Some(br#"{"name":"x"}"#.to_vec()),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{err}");
    assert_eq!(srv.all_accounts(&srv.admin_token).await.len(), 1);
});

both_backends!(scopes_are_enforced, |srv| async move {
    let read = srv.token(Scope::Read).await;
    let write = srv.token(Scope::Write).await;
    let acc = srv.create_account(json!({"name": "Acme"})).await;
    let path = format!("/v1/accounts/{}", acc["id"].as_str().expect("id"));

    let (status, _, got) = srv.get(&path, &read).await;
    assert_eq!(status, StatusCode::OK, "read token can read: {got}");
    let (status, _, _) = srv.get("/v1/accounts", &read).await;
    assert_eq!(status, StatusCode::OK);

    let (status, _, err) = srv
        .post("/v1/accounts", &read, &json!({"name": "Nope"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{err}");
    assert_eq!(err["error"]["type"], "forbidden", "{err}");
    let (status, _, err) = srv.patch(&path, &read, &json!({"name": "Nope"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{err}");
    let (status, _, err) = srv.delete(&path, &read).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{err}");
    let (_, _, after) = srv.get(&path, &read).await;
    assert_eq!(after, acc, "a refused write changes nothing");
    assert_eq!(srv.all_accounts(&read).await.len(), 1);

    let (status, _, created) = srv
        .post("/v1/accounts", &write, &json!({"name": "Written"}))
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "write token can write: {created}"
    );
});

both_backends!(other_workspaces_see_nothing, |srv| async move {
    let acc = srv
        .create_account(json!({"name": "Acme", "domains": ["acme.com"]}))
        .await;
    let id = acc["id"].as_str().expect("id").to_string();
    let path = format!("/v1/accounts/{id}");
    let other = srv.second_workspace_token("other").await;

    let (status, _, err) = srv.get(&path, &other).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{err}");
    assert_eq!(err["error"]["type"], "not_found", "{err}");
    let (status, _, err) = srv.patch(&path, &other, &json!({"name": "Stolen"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{err}");
    let (status, _, err) = srv.delete(&path, &other).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{err}");

    let (status, _, page) = srv.get("/v1/accounts", &other).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["data"], json!([]), "{page}");

    // Domains are unique per workspace, not globally.
    let (status, _, theirs) = srv
        .post(
            "/v1/accounts",
            &other,
            &json!({"name": "Acme elsewhere", "domains": ["acme.com"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{theirs}");
    assert_eq!(theirs["display_id"], "ACC-1", "sequence is per workspace");
    assert_ne!(theirs["workspace_id"], acc["workspace_id"]);

    let (_, _, mine) = srv.get(&path, &srv.admin_token).await;
    assert_eq!(mine, acc);
    assert_eq!(srv.all_accounts(&srv.admin_token).await, vec![acc]);
});
