//! Users, stages and tags on the native API, end to end on both stores: each route's success,
//! bad input (with the error body and a check that nothing changed), scopes, other
//! workspaces, the in-use rules, token users and pagination.

use orgstore_core::auth::Scope;
use orgstore_testkit::reqwest::StatusCode;
use orgstore_testkit::reqwest::header::HeaderMap;
use orgstore_testkit::serde_json::{Value, json};
use orgstore_testkit::{TestServer, both_backends, encode, header};

type Resp = (StatusCode, HeaderMap, Value);

/// Asserts an error response: status, type, field and (when given) value.
fn check_error(
    resp: &Resp,
    status: StatusCode,
    kind: &str,
    field: &str,
    value: Option<Value>,
    what: &str,
) {
    let (got, _, body) = resp;
    assert_eq!(*got, status, "{what}: status; body {body}");
    let error = &body["error"];
    assert_eq!(error["type"], kind, "{what}: type; body {body}");
    assert_eq!(error["field"], field, "{what}: field; body {body}");
    if let Some(value) = value {
        assert_eq!(error["value"], value, "{what}: value; body {body}");
    }
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{what}: message; body {body}"
    );
}

/// Every row of a list route, following cursors, with pages of `limit`.
async fn all_pages(srv: &TestServer, path: &str, limit: usize, token: &str) -> Vec<Value> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..1000 {
        let url = match &cursor {
            Some(c) => format!("{path}{sep}limit={limit}&cursor={}", encode(c)),
            None => format!("{path}{sep}limit={limit}"),
        };
        let (status, _, page) = srv.get(&url, token).await;
        assert_eq!(status, StatusCode::OK, "{url}: {page}");
        let rows = page["data"].as_array().expect("data array");
        assert!(rows.len() <= limit, "{url}: page longer than {limit}");
        out.extend(rows.iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => {
                assert_eq!(page["has_more"], true, "{url}: {page}");
                cursor = Some(c.to_string());
            }
            None => {
                assert_eq!(page["has_more"], false, "{url}: {page}");
                return out;
            }
        }
    }
    panic!("{path}: cursors never ended");
}

async fn users(srv: &TestServer) -> Vec<Value> {
    all_pages(srv, "/v1/users", 1000, &srv.admin_token).await
}

async fn stages(srv: &TestServer) -> Vec<Value> {
    let (status, _, page) = srv.get("/v1/stages", &srv.admin_token).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["data"].as_array().expect("data").clone()
}

async fn tags(srv: &TestServer) -> Vec<Value> {
    all_pages(srv, "/v1/tags", 1000, &srv.admin_token).await
}

fn keys(stages: &[Value]) -> Vec<String> {
    stages
        .iter()
        .map(|s| s["key"].as_str().expect("key").to_string())
        .collect()
}

/// Positions are 0..n in list order.
fn assert_dense(stages: &[Value]) {
    let positions: Vec<i64> = stages
        .iter()
        .map(|s| s["position"].as_i64().expect("position"))
        .collect();
    let expected: Vec<i64> = (0..stages.len() as i64).collect();
    assert_eq!(positions, expected, "{stages:?}");
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

async fn create(srv: &TestServer, path: &str, body: Value) -> Value {
    let (status, headers, created) = srv.post(path, &srv.admin_token, &body).await;
    assert_eq!(status, StatusCode::CREATED, "POST {path} {body}: {created}");
    let id = id_of(&created);
    assert_eq!(
        header(&headers, "location"),
        Some(format!("{path}/{id}").as_str())
    );
    created
}

// ---- users ----

both_backends!(users_crud, |srv| async move {
    let owner = srv.owner_id().await;
    let before = users(&srv).await;
    assert_eq!(before.len(), 1, "{before:?}");
    assert_eq!(before[0]["id"], json!(owner));

    let ada = create(
        &srv,
        "/v1/users",
        json!({"name": "  Ada Lovelace ", "email": "  Ada@Example.COM "}),
    )
    .await;
    let id = id_of(&ada);
    assert!(id.starts_with("usr_"), "{id}");
    assert_eq!(ada["name"], "Ada Lovelace");
    assert_eq!(ada["email"], "ada@example.com");
    assert!(ada["created_at"].is_string(), "{ada}");

    let path = format!("/v1/users/{id}");
    let (status, _, got) = srv.get(&path, &srv.admin_token).await;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_eq!(got, ada);

    let (status, _, patched) = srv
        .patch(&path, &srv.admin_token, &json!({"name": "Ada King"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["name"], "Ada King");
    assert_eq!(patched["email"], "ada@example.com", "absent fields stay");

    let (status, _, patched) = srv
        .patch(&path, &srv.admin_token, &json!({"email": null}))
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["email"], Value::Null);
    assert_eq!(patched["name"], "Ada King");

    // A user without an email, and a blank email meaning none.
    let bob = create(&srv, "/v1/users", json!({"name": "Bob", "email": " "})).await;
    assert_eq!(bob["email"], Value::Null);

    let listed = users(&srv).await;
    let ids: Vec<String> = listed.iter().map(id_of).collect();
    let mut expected = vec![owner.clone(), id.clone(), id_of(&bob)];
    expected.sort();
    assert_eq!(ids, expected, "listed in id order");

    let (status, _, body) = srv.delete(&path, &srv.admin_token).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, _, body) = srv.get(&path, &srv.admin_token).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, _, body) = srv.delete(&path, &srv.admin_token).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "deleting twice: {body}");
    assert_eq!(users(&srv).await.len(), 2);
});

both_backends!(user_bad_input_changes_nothing, |srv| async move {
    let t = srv.admin_token.clone();
    let ada = create(
        &srv,
        "/v1/users",
        json!({"name": "Ada", "email": "ada@example.com"}),
    )
    .await;
    let path = format!("/v1/users/{}", id_of(&ada));
    let before = users(&srv).await;

    let cases: Vec<(Value, &str, &str, Option<Value>)> = vec![
        (
            json!({"name": "X", "email": "not-an-email"}),
            "invalid_value",
            "email",
            Some(json!("not-an-email")),
        ),
        (
            json!({"name": "X", "email": "a@b"}),
            "invalid_value",
            "email",
            Some(json!("a@b")),
        ),
        (
            json!({"email": "x@example.com"}),
            "missing_field",
            "name",
            None,
        ),
        (
            json!({"name": "  "}),
            "invalid_value",
            "name",
            Some(json!("  ")),
        ),
        (
            json!({"name": "n".repeat(256)}),
            "invalid_value",
            "name",
            None,
        ),
        (json!({"name": 7}), "invalid_type", "name", Some(json!(7))),
        (
            json!({"name": "X", "role": "boss"}),
            "unknown_field",
            "role",
            Some(json!("role")),
        ),
        (
            json!({"name": "X", "id": "usr_01jd5x00000000000000000000"}),
            "field_not_updatable",
            "id",
            Some(json!("id")),
        ),
    ];
    for (body, kind, field, value) in cases {
        let r = srv.post("/v1/users", &t, &body).await;
        check_error(
            &r,
            StatusCode::BAD_REQUEST,
            kind,
            field,
            value,
            &format!("POST {body}"),
        );
    }

    // The same email in another spelling is taken, by Ada.
    let r = srv
        .post(
            "/v1/users",
            &t,
            &json!({"name": "Imposter", "email": " ADA@example.com"}),
        )
        .await;
    check_error(
        &r,
        StatusCode::CONFLICT,
        "email_taken",
        "email",
        Some(json!("ada@example.com")),
        "duplicate email",
    );
    assert_eq!(r.2["error"]["existing_id"], ada["id"], "{}", r.2);

    let bob = create(&srv, "/v1/users", json!({"name": "Bob"})).await;
    let bob_path = format!("/v1/users/{}", id_of(&bob));
    let before_bob = users(&srv).await;
    let r = srv
        .patch(&bob_path, &t, &json!({"email": "Ada@Example.com"}))
        .await;
    check_error(
        &r,
        StatusCode::CONFLICT,
        "email_taken",
        "email",
        Some(json!("ada@example.com")),
        "patch to a taken email",
    );
    assert_eq!(r.2["error"]["existing_id"], ada["id"], "{}", r.2);
    let patches: Vec<(Value, &str, &str, Option<Value>)> = vec![
        (
            json!({"name": null}),
            "invalid_value",
            "name",
            Some(Value::Null),
        ),
        (
            json!({"name": ""}),
            "invalid_value",
            "name",
            Some(json!("")),
        ),
        (
            json!({"email": "nope@"}),
            "invalid_value",
            "email",
            Some(json!("nope@")),
        ),
        (
            json!({"created_at": "2020-01-01T00:00:00Z"}),
            "field_not_updatable",
            "created_at",
            None,
        ),
    ];
    for (body, kind, field, value) in patches {
        let r = srv.patch(&path, &t, &body).await;
        check_error(
            &r,
            StatusCode::BAD_REQUEST,
            kind,
            field,
            value,
            &format!("PATCH {body}"),
        );
    }
    assert_eq!(users(&srv).await, before_bob, "bad writes changed users");

    for bad in ["usr_123", "acc_01jd5x00000000000000000000", "nope"] {
        let p = format!("/v1/users/{bad}");
        let r = srv.get(&p, &t).await;
        check_error(
            &r,
            StatusCode::BAD_REQUEST,
            "invalid_id",
            "id",
            Some(json!(bad)),
            "GET bad id",
        );
        let r = srv.patch(&p, &t, &json!({"name": "x"})).await;
        check_error(
            &r,
            StatusCode::BAD_REQUEST,
            "invalid_id",
            "id",
            Some(json!(bad)),
            "PATCH bad id",
        );
        let r = srv.delete(&p, &t).await;
        check_error(
            &r,
            StatusCode::BAD_REQUEST,
            "invalid_id",
            "id",
            Some(json!(bad)),
            "DELETE bad id",
        );
    }
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("cursor=zzz", "cursor"),
    ] {
        let r = srv.get(&format!("/v1/users?{query}"), &t).await;
        let kind = if field == "cursor" {
            "invalid_cursor"
        } else {
            "invalid_value"
        };
        check_error(&r, StatusCode::BAD_REQUEST, kind, field, None, query);
    }
    assert_eq!(users(&srv).await, before_bob, "bad requests changed users");
    assert_eq!(before.len() + 1, before_bob.len());
});

both_backends!(user_delete_rules, |srv| async move {
    let t = srv.admin_token.clone();
    let owner = srv.owner_id().await;
    let r = srv.delete(&format!("/v1/users/{owner}"), &t).await;
    check_error(
        &r,
        StatusCode::CONFLICT,
        "owner_not_deletable",
        "id",
        Some(json!(owner)),
        "delete owner",
    );

    let carol = create(&srv, "/v1/users", json!({"name": "Carol"})).await;
    let carol_id = id_of(&carol);
    let a = srv
        .create_account(json!({"name": "A", "owners": [carol_id]}))
        .await;
    let b = srv
        .create_account(json!({"name": "B", "owners": [owner, carol_id]}))
        .await;
    let carol_token = srv
        .service
        .create_user_token("default", Scope::Read, Some(&carol_id))
        .await
        .expect("token for carol");
    let (status, _, _) = srv.get("/v1/accounts", &carol_token).await;
    assert_eq!(status, StatusCode::OK);

    let path = format!("/v1/users/{carol_id}");
    let r = srv.delete(&path, &t).await;
    check_error(
        &r,
        StatusCode::CONFLICT,
        "user_in_use",
        "id",
        Some(json!(carol_id)),
        "delete an owner of accounts",
    );
    let message = r.2["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("2 accounts"), "{message}");
    assert_eq!(srv.get(&path, &t).await.0, StatusCode::OK, "still there");
    assert_eq!(
        srv.get("/v1/accounts", &carol_token).await.0,
        StatusCode::OK
    );

    for acc in [&a, &b] {
        let p = format!("/v1/accounts/{}", id_of(acc));
        let (status, _, body) = srv.patch(&p, &t, &json!({"owners": [owner]})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, _, body) = srv.delete(&path, &t).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, _, body) = srv.get("/v1/accounts", &carol_token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "revoked token: {body}");
    assert!(
        srv.service
            .create_user_token("default", Scope::Read, Some(&carol_id))
            .await
            .is_err(),
        "no token for a deleted user"
    );
});

both_backends!(tokens_act_as_their_user, |srv| async move {
    let owner = srv.owner_id().await;
    let dana = create(
        &srv,
        "/v1/users",
        json!({"name": "Dana", "email": "dana@example.com"}),
    )
    .await;
    let dana_id = id_of(&dana);
    let by_id = srv
        .service
        .create_user_token("default", Scope::Write, Some(&dana_id))
        .await
        .expect("token by id");
    let by_email = srv
        .service
        .create_user_token("default", Scope::Write, Some(" Dana@Example.com "))
        .await
        .expect("token by email");

    // The owner creates, Dana modifies: the account records both.
    let acc = srv.create_account(json!({"name": "Acme"})).await;
    assert_eq!(acc["created_by"], json!(owner));
    let path = format!("/v1/accounts/{}", id_of(&acc));
    let (status, _, patched) = srv
        .patch(&path, &by_id, &json!({"industry": "Retail"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["modified_by"], json!(dana_id));
    assert_eq!(patched["created_by"], json!(owner));
    let (_, _, got) = srv.get(&path, &srv.admin_token).await;
    assert_eq!(got["modified_by"], json!(dana_id), "stored: {got}");

    let (status, _, made) = srv
        .post("/v1/accounts", &by_email, &json!({"name": "Dana's"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(made["created_by"], json!(dana_id));
    assert_eq!(made["modified_by"], json!(dana_id));

    // Naming no user is the owner; unknown or malformed users are errors.
    let owner_token = srv
        .service
        .create_user_token("default", Scope::Write, None)
        .await
        .expect("owner token");
    let (_, _, mine) = srv
        .post("/v1/accounts", &owner_token, &json!({"name": "Owner's"}))
        .await;
    assert_eq!(mine["created_by"], json!(owner));
    for bad in [
        "nobody@example.com",
        "usr_01jd5x00000000000000000000",
        "usr_1",
        "???",
    ] {
        let err = srv
            .service
            .create_user_token("default", Scope::Read, Some(bad))
            .await
            .expect_err(bad);
        assert!(matches!(err.status(), 400 | 404), "{bad}: {err}");
    }
});

both_backends!(users_paginate, |srv| async move {
    let mut made = vec![srv.owner_id().await];
    for i in 0..6 {
        let u = create(&srv, "/v1/users", json!({"name": format!("User {i}")})).await;
        made.push(id_of(&u));
    }
    // Ids are ULIDs: time-ordered across milliseconds, in id order within one.
    made.sort();
    for limit in [1, 2, 3, 7] {
        let listed: Vec<String> = all_pages(&srv, "/v1/users", limit, &srv.admin_token)
            .await
            .iter()
            .map(id_of)
            .collect();
        assert_eq!(listed, made, "limit {limit}");
    }
    // A tags cursor is not a users cursor.
    for i in 0..3 {
        create(&srv, "/v1/tags", json!({"name": format!("t{i}")})).await;
    }
    let (_, _, page) = srv.get("/v1/tags?limit=1", &srv.admin_token).await;
    let cursor = page["next_cursor"].as_str().expect("tags cursor");
    let r = srv
        .get(
            &format!("/v1/users?cursor={}", encode(cursor)),
            &srv.admin_token,
        )
        .await;
    check_error(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_cursor",
        "cursor",
        None,
        "foreign cursor",
    );
});

// ---- stages ----

both_backends!(stages_crud_and_order, |srv| async move {
    let t = srv.admin_token.clone();
    let start = stages(&srv).await;
    assert_eq!(
        keys(&start),
        ["prospect", "active", "customer", "partner", "churned"]
    );
    assert_dense(&start);
    assert_eq!(start[0]["label"], "Prospect");
    assert!(
        start
            .iter()
            .all(|s| s["id"].as_str().is_some_and(|i| i.starts_with("stg_")))
    );

    let won = create(&srv, "/v1/stages", json!({"key": "won", "label": " Won "})).await;
    assert_eq!(won["position"], 5, "default is last: {won}");
    assert_eq!(won["label"], "Won");
    let lead = create(
        &srv,
        "/v1/stages",
        json!({"key": "lead", "label": "Lead", "position": 0}),
    )
    .await;
    assert_eq!(lead["position"], 0);
    let mid = create(
        &srv,
        "/v1/stages",
        json!({"key": "mid_2", "label": "Mid", "position": 3}),
    )
    .await;
    let far = create(
        &srv,
        "/v1/stages",
        json!({"key": "far-away", "label": "Far", "position": 100}),
    )
    .await;
    assert_eq!(far["position"], 8, "past the end is last: {far}");
    let now = stages(&srv).await;
    assert_eq!(
        keys(&now),
        [
            "lead", "prospect", "active", "mid_2", "customer", "partner", "churned", "won",
            "far-away"
        ]
    );
    assert_dense(&now);

    let path = format!("/v1/stages/{}", id_of(&mid));
    let (status, _, got) = srv.get(&path, &t).await;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_eq!(got["key"], "mid_2");

    // Move up, move down, relabel.
    let (status, _, moved) = srv.patch(&path, &t, &json!({"position": 1})).await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["position"], 1);
    let (status, _, moved) = srv
        .patch(
            &format!("/v1/stages/{}", id_of(&lead)),
            &t,
            &json!({"position": 99, "label": "Leads"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(
        (moved["position"].clone(), moved["label"].clone()),
        (json!(8), json!("Leads"))
    );
    let now = stages(&srv).await;
    assert_eq!(
        keys(&now),
        [
            "mid_2", "prospect", "active", "customer", "partner", "churned", "won", "far-away",
            "lead"
        ]
    );
    assert_dense(&now);

    // Accounts can use a new stage; deleting an unused one closes the gap.
    let acc = srv
        .create_account(json!({"name": "Acme", "stage": "won"}))
        .await;
    assert_eq!(acc["stage"], "won");
    let (status, _, body) = srv.delete(&path, &t).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(srv.get(&path, &t).await.0, StatusCode::NOT_FOUND);
    let now = stages(&srv).await;
    assert_eq!(keys(&now)[0], "prospect");
    assert_dense(&now);
    assert_eq!(now.len(), 8);
});

both_backends!(stage_bad_input_changes_nothing, |srv| async move {
    let t = srv.admin_token.clone();
    let before = stages(&srv).await;
    let customer = before
        .iter()
        .find(|s| s["key"] == "customer")
        .expect("customer")
        .clone();
    let path = format!("/v1/stages/{}", id_of(&customer));
    let long = "k".repeat(65);
    let cases: Vec<(Value, &str, &str, Option<Value>)> = vec![
        (
            json!({"key": "Won", "label": "W"}),
            "invalid_value",
            "key",
            Some(json!("Won")),
        ),
        (
            json!({"key": "closed won", "label": "W"}),
            "invalid_value",
            "key",
            Some(json!("closed won")),
        ),
        (
            json!({"key": "", "label": "W"}),
            "invalid_value",
            "key",
            Some(json!("")),
        ),
        (
            json!({"key": long, "label": "W"}),
            "invalid_value",
            "key",
            Some(json!(long)),
        ),
        (
            json!({"key": "ok", "label": " "}),
            "invalid_value",
            "label",
            Some(json!(" ")),
        ),
        (json!({"key": "ok"}), "missing_field", "label", None),
        (
            json!({"key": "ok", "label": "W", "position": -1}),
            "invalid_value",
            "position",
            Some(json!(-1)),
        ),
        (
            json!({"key": "ok", "label": "W", "position": "first"}),
            "invalid_type",
            "position",
            Some(json!("first")),
        ),
        (
            json!({"key": "ok", "label": "W", "color": "red"}),
            "unknown_field",
            "color",
            None,
        ),
    ];
    for (body, kind, field, value) in cases {
        let r = srv.post("/v1/stages", &t, &body).await;
        check_error(
            &r,
            StatusCode::BAD_REQUEST,
            kind,
            field,
            value,
            &format!("POST {body}"),
        );
    }
    let r = srv
        .post(
            "/v1/stages",
            &t,
            &json!({"key": "customer", "label": "Again", "position": 0}),
        )
        .await;
    check_error(
        &r,
        StatusCode::CONFLICT,
        "stage_key_taken",
        "key",
        Some(json!("customer")),
        "dup key",
    );
    assert_eq!(r.2["error"]["existing_id"], customer["id"], "{}", r.2);

    let patches: Vec<(Value, &str, &str, Option<Value>)> = vec![
        (
            json!({"key": "client"}),
            "field_not_updatable",
            "key",
            Some(json!("client")),
        ),
        (
            json!({"label": "Client", "key": "client"}),
            "field_not_updatable",
            "key",
            Some(json!("client")),
        ),
        (
            json!({"label": null}),
            "invalid_value",
            "label",
            Some(Value::Null),
        ),
        (
            json!({"label": ""}),
            "invalid_value",
            "label",
            Some(json!("")),
        ),
        (
            json!({"position": -3}),
            "invalid_value",
            "position",
            Some(json!(-3)),
        ),
        (json!({"id": "stg_x"}), "field_not_updatable", "id", None),
    ];
    for (body, kind, field, value) in patches {
        let r = srv.patch(&path, &t, &body).await;
        check_error(
            &r,
            StatusCode::BAD_REQUEST,
            kind,
            field,
            value,
            &format!("PATCH {body}"),
        );
    }
    for bad in ["stg_1", "usr_01jd5x00000000000000000000"] {
        let r = srv.get(&format!("/v1/stages/{bad}"), &t).await;
        check_error(
            &r,
            StatusCode::BAD_REQUEST,
            "invalid_id",
            "id",
            Some(json!(bad)),
            "bad id",
        );
        let r = srv.delete(&format!("/v1/stages/{bad}"), &t).await;
        check_error(
            &r,
            StatusCode::BAD_REQUEST,
            "invalid_id",
            "id",
            Some(json!(bad)),
            "bad id",
        );
    }
    let missing = "/v1/stages/stg_01jd5x00000000000000000000";
    assert_eq!(srv.get(missing, &t).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        srv.patch(missing, &t, &json!({"label": "x"})).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(srv.delete(missing, &t).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        stages(&srv).await,
        before,
        "bad stage writes changed stages"
    );
});

both_backends!(stage_in_use_cannot_be_deleted, |srv| async move {
    let t = srv.admin_token.clone();
    let all = stages(&srv).await;
    let by_key = |k: &str| {
        all.iter()
            .find(|s| s["key"] == k)
            .map(id_of)
            .expect("stage")
    };
    srv.create_account(json!({"name": "A", "stage": "customer"}))
        .await;
    srv.create_account(json!({"name": "B", "stage": "customer"}))
        .await;
    // An archived account still holds its stage: restoring it must find the stage.
    let c = srv
        .create_account(json!({"name": "C", "stage": "partner"}))
        .await;
    let (status, _, body) = srv
        .post(
            &format!("/v1/accounts/{}/archive", id_of(&c)),
            &t,
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "archive: {body}");

    let r = srv
        .delete(&format!("/v1/stages/{}", by_key("customer")), &t)
        .await;
    check_error(
        &r,
        StatusCode::CONFLICT,
        "stage_in_use",
        "key",
        Some(json!("customer")),
        "customer in use",
    );
    let message = r.2["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("customer") && message.contains("2 accounts"),
        "{message}"
    );
    let r = srv
        .delete(&format!("/v1/stages/{}", by_key("partner")), &t)
        .await;
    check_error(
        &r,
        StatusCode::CONFLICT,
        "stage_in_use",
        "key",
        Some(json!("partner")),
        "archived use",
    );
    assert!(
        r.2["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("1 account"),
        "{}",
        r.2
    );
    // A stage only a contact holds is in use too.
    let (status, _, body) = srv
        .post(
            "/v1/contacts",
            &t,
            &json!({"first_name": "Dana", "stage": "active"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "contact: {body}");
    let r = srv
        .delete(&format!("/v1/stages/{}", by_key("active")), &t)
        .await;
    check_error(
        &r,
        StatusCode::CONFLICT,
        "stage_in_use",
        "key",
        Some(json!("active")),
        "contact use",
    );
    assert!(
        r.2["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("1 contact"),
        "{}",
        r.2
    );
    assert_eq!(stages(&srv).await, all, "nothing deleted");

    // An unused default stage goes.
    let (status, _, body) = srv
        .delete(&format!("/v1/stages/{}", by_key("churned")), &t)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    // An account naming a stage the workspace lacks is a 400 naming the field and the value.
    let accounts_before = srv.all_accounts(&t).await;
    for stage in ["nirvana", "churned"] {
        let r = srv
            .post("/v1/accounts", &t, &json!({"name": "X", "stage": stage}))
            .await;
        check_error(
            &r,
            StatusCode::BAD_REQUEST,
            "invalid_value",
            "stage",
            Some(json!(stage)),
            stage,
        );
    }
    let a = &accounts_before[0];
    let r = srv
        .patch(
            &format!("/v1/accounts/{}", id_of(a)),
            &t,
            &json!({"stage": "nirvana"}),
        )
        .await;
    check_error(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "stage",
        Some(json!("nirvana")),
        "patch",
    );
    assert_eq!(
        srv.all_accounts(&t).await,
        accounts_before,
        "accounts changed"
    );
});

// ---- tags ----

both_backends!(tags_crud, |srv| async move {
    let t = srv.token(Scope::Write).await;
    let (status, headers, vip) = srv
        .post(
            "/v1/tags",
            &t,
            &json!({"name": " VIP ", "color": "#FF00aa"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{vip}");
    let id = id_of(&vip);
    assert!(id.starts_with("tag_"), "{id}");
    assert_eq!(
        header(&headers, "location"),
        Some(format!("/v1/tags/{id}").as_str())
    );
    assert_eq!(vip["name"], "VIP");
    assert_eq!(vip["color"], "#ff00aa");
    assert!(vip["created_at"].is_string());
    let mut fields: Vec<&String> = vip.as_object().expect("object").keys().collect();
    fields.sort();
    assert_eq!(fields, ["color", "created_at", "id", "name"]);

    let plain = create(&srv, "/v1/tags", json!({"name": "plain"})).await;
    assert_eq!(plain["color"], Value::Null);

    let path = format!("/v1/tags/{id}");
    let (status, _, got) = srv.get(&path, &srv.token(Scope::Read).await).await;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_eq!(got, vip);

    let (status, _, patched) = srv.patch(&path, &t, &json!({"color": null})).await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["color"], Value::Null);
    assert_eq!(patched["name"], "VIP");
    let (status, _, patched) = srv
        .patch(&path, &t, &json!({"name": "vip", "color": "#000000"}))
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "renaming to another case of itself: {patched}"
    );
    assert_eq!(
        (patched["name"].clone(), patched["color"].clone()),
        (json!("vip"), json!("#000000"))
    );

    let listed: Vec<String> = tags(&srv)
        .await
        .iter()
        .map(|t| t["name"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(listed, ["plain", "vip"]);

    let (status, _, body) = srv.delete(&path, &t).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(srv.get(&path, &t).await.0, StatusCode::NOT_FOUND);
    assert_eq!(srv.delete(&path, &t).await.0, StatusCode::NOT_FOUND);
    assert_eq!(tags(&srv).await.len(), 1);
});

both_backends!(tag_bad_input_changes_nothing, |srv| async move {
    let t = srv.token(Scope::Write).await;
    let vip = create(&srv, "/v1/tags", json!({"name": "VIP", "color": "#123456"})).await;
    let other = create(&srv, "/v1/tags", json!({"name": "Other"})).await;
    let path = format!("/v1/tags/{}", id_of(&other));
    let before = tags(&srv).await;
    let long = "n".repeat(256);
    let cases: Vec<(Value, &str, &str, Option<Value>)> = vec![
        (
            json!({"name": "X", "color": "red"}),
            "invalid_value",
            "color",
            Some(json!("red")),
        ),
        (
            json!({"name": "X", "color": "#12345"}),
            "invalid_value",
            "color",
            Some(json!("#12345")),
        ),
        (
            json!({"name": "X", "color": "#12345g"}),
            "invalid_value",
            "color",
            Some(json!("#12345g")),
        ),
        (
            json!({"name": "X", "color": ""}),
            "invalid_value",
            "color",
            Some(json!("")),
        ),
        (
            json!({"name": ""}),
            "invalid_value",
            "name",
            Some(json!("")),
        ),
        (json!({"name": long}), "invalid_value", "name", None),
        (json!({"color": "#123456"}), "missing_field", "name", None),
        (
            json!({"name": "X", "value": "v"}),
            "unknown_field",
            "value",
            None,
        ),
    ];
    for (body, kind, field, value) in cases {
        let r = srv.post("/v1/tags", &t, &body).await;
        check_error(
            &r,
            StatusCode::BAD_REQUEST,
            kind,
            field,
            value,
            &format!("POST {body}"),
        );
    }
    let r = srv.post("/v1/tags", &t, &json!({"name": " vip"})).await;
    check_error(
        &r,
        StatusCode::CONFLICT,
        "tag_name_taken",
        "name",
        Some(json!("vip")),
        "dup name",
    );
    assert_eq!(r.2["error"]["existing_id"], vip["id"], "{}", r.2);
    let r = srv.patch(&path, &t, &json!({"name": "Vip"})).await;
    check_error(
        &r,
        StatusCode::CONFLICT,
        "tag_name_taken",
        "name",
        Some(json!("Vip")),
        "rename to taken",
    );
    assert_eq!(r.2["error"]["existing_id"], vip["id"], "{}", r.2);
    let patches: Vec<(Value, &str, &str, Option<Value>)> = vec![
        (
            json!({"name": null}),
            "invalid_value",
            "name",
            Some(Value::Null),
        ),
        (
            json!({"color": "blue"}),
            "invalid_value",
            "color",
            Some(json!("blue")),
        ),
        (
            json!({"created_at": "x"}),
            "field_not_updatable",
            "created_at",
            None,
        ),
    ];
    for (body, kind, field, value) in patches {
        let r = srv.patch(&path, &t, &body).await;
        check_error(
            &r,
            StatusCode::BAD_REQUEST,
            kind,
            field,
            value,
            &format!("PATCH {body}"),
        );
    }
    for bad in ["tag_1", "stg_01jd5x00000000000000000000"] {
        let r = srv.get(&format!("/v1/tags/{bad}"), &t).await;
        check_error(
            &r,
            StatusCode::BAD_REQUEST,
            "invalid_id",
            "id",
            Some(json!(bad)),
            "bad id",
        );
    }
    let r = srv.get("/v1/tags?limit=abc", &t).await;
    check_error(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "limit",
        Some(json!("abc")),
        "limit",
    );
    assert_eq!(tags(&srv).await, before, "bad tag writes changed tags");
});

both_backends!(tag_delete_untags_accounts, |srv| async move {
    let t = srv.token(Scope::Write).await;
    let a = srv
        .create_account(json!({"name": "A", "tags": [{"name": "vip", "value": "gold"}, "keep"]}))
        .await;
    let b = srv
        .create_account(json!({"name": "B", "tags": ["VIP"]}))
        .await;
    let c = srv
        .create_account(json!({"name": "C", "tags": ["keep"]}))
        .await;
    let vip = tags(&srv)
        .await
        .into_iter()
        .find(|t| t["name"] == "vip")
        .expect("vip tag");

    // A rename shows on the accounts, under a new ETag.
    let (status, _, renamed) = srv
        .patch(
            &format!("/v1/tags/{}", id_of(&vip)),
            &t,
            &json!({"name": "Very Important"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    let (_, headers, a1) = srv.get(&format!("/v1/accounts/{}", id_of(&a)), &t).await;
    assert_eq!(a1["version"], 2, "{a1}");
    assert_eq!(header(&headers, "etag"), Some("\"2\""));
    assert_eq!(a1["tags"][0]["name"], "Very Important");
    assert_eq!(a1["tags"][0]["value"], "gold");

    let (status, _, body) = srv.delete(&format!("/v1/tags/{}", id_of(&vip)), &t).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (_, headers, a2) = srv.get(&format!("/v1/accounts/{}", id_of(&a)), &t).await;
    assert_eq!(a2["version"], 3, "{a2}");
    assert_eq!(header(&headers, "etag"), Some("\"3\""));
    assert_ne!(a2["updated_at"], a["updated_at"]);
    let names: Vec<&Value> = a2["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .map(|t| &t["name"])
        .collect();
    assert_eq!(names, [&json!("keep")]);
    let (_, _, b2) = srv.get(&format!("/v1/accounts/{}", id_of(&b)), &t).await;
    assert_eq!(b2["tags"], json!([]));
    assert_eq!(b2["version"], 3);
    let (_, _, c2) = srv.get(&format!("/v1/accounts/{}", id_of(&c)), &t).await;
    assert_eq!(c2, c, "an account without the tag is untouched");

    // The tag filter no longer finds them, and the name is free again.
    let (_, _, page) = srv.get("/v1/accounts?tag=vip", &t).await;
    assert_eq!(page["data"], json!([]));
    create(&srv, "/v1/tags", json!({"name": "VIP"})).await;
    let (_, _, b3) = srv.get(&format!("/v1/accounts/{}", id_of(&b)), &t).await;
    assert_eq!(
        b3["tags"],
        json!([]),
        "a new tag of the same name is not the old one"
    );
});

both_backends!(
    account_writes_create_tags_with_write_scope,
    |srv| async move {
        let write = srv.token(Scope::Write).await;
        let read = srv.token(Scope::Read).await;
        let (status, _, acc) = srv
            .post(
                "/v1/accounts",
                &write,
                &json!({"name": "Acme", "tags": ["Fresh Lead"]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{acc}");
        let (_, _, page) = srv.get("/v1/tags?q=fresh", &read).await;
        let found = page["data"].as_array().expect("data");
        assert_eq!(found.len(), 1, "{page}");
        assert_eq!(found[0]["name"], "Fresh Lead");
        assert_eq!(found[0]["id"], acc["tags"][0]["id"]);
        assert_eq!(found[0]["color"], Value::Null);

        let before = tags(&srv).await;
        let (status, _, body) = srv
            .post(
                "/v1/accounts",
                &read,
                &json!({"name": "Nope", "tags": ["Sneaky"]}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["error"]["type"], "forbidden");
        let (status, _, body) = srv
            .post("/v1/tags", &read, &json!({"name": "Sneaky"}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(tags(&srv).await, before, "a read token created a tag");
    }
);

both_backends!(tags_paginate_and_filter_by_prefix, |srv| async move {
    let names = [
        "alpha", "Alpine", "beta", "Bravo", "al_x", "al%y", "gamma", "ALTO",
    ];
    for name in names {
        create(&srv, "/v1/tags", json!({"name": name})).await;
    }
    let mut sorted: Vec<&str> = names.to_vec();
    sorted.sort_by_key(|n| n.to_lowercase());
    for limit in [1, 3, 8] {
        let listed: Vec<String> = all_pages(&srv, "/v1/tags", limit, &srv.admin_token)
            .await
            .iter()
            .map(|t| t["name"].as_str().unwrap_or_default().to_string())
            .collect();
        assert_eq!(listed, sorted, "limit {limit}");
    }
    let prefixed = |q: &str| {
        let q = q.to_string();
        let srv = &srv;
        async move {
            all_pages(
                srv,
                &format!("/v1/tags?q={}", encode(&q)),
                2,
                &srv.admin_token,
            )
            .await
            .iter()
            .map(|t| t["name"].as_str().unwrap_or_default().to_string())
            .collect::<Vec<String>>()
        }
    };
    assert_eq!(
        prefixed("AL").await,
        ["al%y", "al_x", "alpha", "Alpine", "ALTO"]
    );
    assert_eq!(prefixed("alp").await, ["alpha", "Alpine"]);
    assert_eq!(prefixed("al_").await, ["al_x"], "_ is not a wildcard");
    assert_eq!(prefixed("al%").await, ["al%y"], "% is not a wildcard");
    assert_eq!(prefixed("zzz").await, Vec::<String>::new());
    assert_eq!(
        prefixed(" ").await.len(),
        names.len(),
        "blank q lists everything"
    );
});

// ---- scopes and workspaces ----

both_backends!(scopes_guard_every_route, |srv| async move {
    let read = srv.token(Scope::Read).await;
    let write = srv.token(Scope::Write).await;
    let user = create(&srv, "/v1/users", json!({"name": "U"})).await;
    let stage = create(&srv, "/v1/stages", json!({"key": "s", "label": "S"})).await;
    let tag = create(&srv, "/v1/tags", json!({"name": "T"})).await;
    let user_path = format!("/v1/users/{}", id_of(&user));
    let stage_path = format!("/v1/stages/{}", id_of(&stage));
    let tag_path = format!("/v1/tags/{}", id_of(&tag));

    for path in [
        "/v1/users",
        "/v1/stages",
        "/v1/tags",
        &user_path,
        &stage_path,
        &tag_path,
    ] {
        let (status, _, body) = srv.get(path, &read).await;
        assert_eq!(status, StatusCode::OK, "read GET {path}: {body}");
        let (status, _, body) = srv
            .send(
                orgstore_testkit::reqwest::Method::GET,
                path,
                None,
                &[],
                None,
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "no token GET {path}: {body}"
        );
        assert_eq!(body["error"]["type"], "unauthorized");
        let (status, _, _) = srv.get(path, "osk_not-a-real-token").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "bad token GET {path}");
    }

    // Users and stages need admin: write is not enough.
    let admin_only: Vec<(&str, Value)> = vec![
        ("/v1/users", json!({"name": "W"})),
        ("/v1/stages", json!({"key": "w", "label": "W"})),
    ];
    for token in [&read, &write] {
        for (path, body) in &admin_only {
            let (status, _, err) = srv.post(path, token, body).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "POST {path}: {err}");
            assert_eq!(err["error"]["type"], "forbidden");
        }
        for path in [&user_path, &stage_path] {
            let body = if path == &user_path {
                json!({"name": "Z"})
            } else {
                json!({"label": "Z"})
            };
            assert_eq!(
                srv.patch(path, token, &body).await.0,
                StatusCode::FORBIDDEN,
                "PATCH {path}"
            );
            assert_eq!(
                srv.delete(path, token).await.0,
                StatusCode::FORBIDDEN,
                "DELETE {path}"
            );
        }
    }
    // Tags need write.
    assert_eq!(
        srv.post("/v1/tags", &read, &json!({"name": "R"})).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        srv.patch(&tag_path, &read, &json!({"name": "R"})).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(srv.delete(&tag_path, &read).await.0, StatusCode::FORBIDDEN);
    assert_eq!(users(&srv).await.len(), 2);
    assert_eq!(stages(&srv).await.len(), 6);
    assert_eq!(tags(&srv).await, vec![tag.clone()]);

    let (status, _, _) = srv
        .patch(&tag_path, &write, &json!({"color": "#abcdef"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = srv.post("/v1/tags", &write, &json!({"name": "W"})).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        srv.delete(&tag_path, &write).await.0,
        StatusCode::NO_CONTENT
    );
});

both_backends!(other_workspaces_records_are_404, |srv| async move {
    let user = create(
        &srv,
        "/v1/users",
        json!({"name": "U", "email": "u@example.com"}),
    )
    .await;
    let stage = create(&srv, "/v1/stages", json!({"key": "s", "label": "S"})).await;
    let tag = create(&srv, "/v1/tags", json!({"name": "T"})).await;
    let (u0, s0, t0) = (users(&srv).await, stages(&srv).await, tags(&srv).await);

    let other = srv.second_workspace_token("other").await;
    for (path, body) in [
        (
            format!("/v1/users/{}", id_of(&user)),
            json!({"name": "Stolen"}),
        ),
        (
            format!("/v1/stages/{}", id_of(&stage)),
            json!({"label": "Stolen"}),
        ),
        (
            format!("/v1/tags/{}", id_of(&tag)),
            json!({"name": "Stolen"}),
        ),
    ] {
        let r = srv.get(&path, &other).await;
        check_error(
            &r,
            StatusCode::NOT_FOUND,
            "not_found",
            "id",
            None,
            &format!("GET {path}"),
        );
        let r = srv.patch(&path, &other, &body).await;
        check_error(
            &r,
            StatusCode::NOT_FOUND,
            "not_found",
            "id",
            None,
            &format!("PATCH {path}"),
        );
        let r = srv.delete(&path, &other).await;
        check_error(
            &r,
            StatusCode::NOT_FOUND,
            "not_found",
            "id",
            None,
            &format!("DELETE {path}"),
        );
    }
    // The other workspace has its own directory: its owner, the default stages, no tags, and
    // the same email and stage key are free there.
    let (_, _, page) = srv.get("/v1/users", &other).await;
    assert_eq!(page["data"].as_array().map(Vec::len), Some(1), "{page}");
    let (_, _, page) = srv.get("/v1/stages", &other).await;
    assert_eq!(page["data"].as_array().map(Vec::len), Some(5), "{page}");
    let (_, _, page) = srv.get("/v1/tags", &other).await;
    assert_eq!(page["data"], json!([]));
    let (status, _, body) = srv
        .post(
            "/v1/users",
            &other,
            &json!({"name": "U2", "email": "u@example.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _, body) = srv
        .post("/v1/stages", &other, &json!({"key": "s", "label": "S"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _, body) = srv.post("/v1/tags", &other, &json!({"name": "t"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        (users(&srv).await, stages(&srv).await, tags(&srv).await),
        (u0, s0, t0)
    );
});

both_backends!(openapi_documents_the_directory, |srv| async move {
    let (status, _, doc) = srv.get("/v1/openapi.json", &srv.admin_token).await;
    assert_eq!(status, StatusCode::OK);
    let paths = &doc["paths"];
    for (path, methods) in [
        ("/v1/users", &["get", "post"][..]),
        ("/v1/users/{id}", &["get", "patch", "delete"][..]),
        ("/v1/stages", &["get", "post"][..]),
        ("/v1/stages/{id}", &["get", "patch", "delete"][..]),
        ("/v1/tags", &["get", "post"][..]),
        ("/v1/tags/{id}", &["get", "patch", "delete"][..]),
    ] {
        for method in methods {
            assert!(
                paths[path][method].is_object(),
                "{method} {path} is not documented"
            );
        }
    }
    let schemas = &doc["components"]["schemas"];
    for name in [
        "User",
        "NewUser",
        "UserPatch",
        "Stage",
        "NewStage",
        "StagePatch",
        "Tag",
        "NewTag",
        "TagPatch",
        "TagPage",
    ] {
        assert!(schemas[name].is_object(), "schema {name} missing");
    }
    assert!(
        schemas["StagePatch"]["properties"]["key"].is_null(),
        "key is not writable"
    );
});

/// On PostgreSQL, an account write that has checked its stage holds the stage row (`FOR KEY
/// SHARE`); a stage delete waits for it and then counts the account, instead of deleting a
/// stage that a just-committed account uses. (SQLite has one writer: no interleaving.)
#[orgstore_testkit::tokio::test(
    flavor = "multi_thread",
    worker_threads = 2,
    crate = "orgstore_testkit::tokio"
)]
async fn stage_delete_waits_for_account_writes_postgres() {
    use std::time::Duration;
    let srv = TestServer::spawn(orgstore_testkit::Backend::Postgres).await;
    let won = create(&srv, "/v1/stages", json!({"key": "won", "label": "Won"})).await;
    let acc = srv.create_account(json!({"name": "Acme"})).await;

    // A second connection plays an account write caught between its stage check and commit.
    let (mut client, connection) =
        tokio_postgres::connect(&srv.database_url, tokio_postgres::NoTls)
            .await
            .expect("connect");
    orgstore_testkit::tokio::spawn(connection);
    let writer = client.transaction().await.expect("begin");
    writer
        .query(
            "SELECT key FROM stages WHERE key = 'won' FOR KEY SHARE",
            &[],
        )
        .await
        .expect("check stage");
    writer
        .execute(
            "UPDATE accounts SET stage = 'won' WHERE id = $1",
            &[&id_of(&acc)],
        )
        .await
        .expect("write account");

    let path = format!("/v1/stages/{}", id_of(&won));
    let deleting = {
        let (client, url, token) = (srv.client.clone(), srv.url(&path), srv.admin_token.clone());
        orgstore_testkit::tokio::spawn(async move {
            let resp = client
                .delete(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("send");
            let status = resp.status();
            let body: Value = resp.json().await.unwrap_or(Value::Null);
            (status, body)
        })
    };
    orgstore_testkit::tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !deleting.is_finished(),
        "the delete did not wait for the account write"
    );
    writer.commit().await.expect("commit");
    let (status, body) = deleting.await.expect("delete task");
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["type"], "stage_in_use", "{body}");
    assert_eq!(srv.get(&path, &srv.admin_token).await.0, StatusCode::OK);
}

// Patches check a unique value before writing it; when concurrent patches race past that
// check, the unique index refuses all but one, and the losers get a 409, never a 500.
both_backends!(
    racing_patches_for_one_email_get_one_winner,
    |srv| async move {
        let srv = std::sync::Arc::new(srv);
        let mut racers = Vec::new();
        for i in 0..12 {
            let user = create(&srv, "/v1/users", json!({"name": format!("Racer {i}")})).await;
            racers.push(id_of(&user));
        }
        let body = json!({"email": "race@example.com"});
        let mut tasks = Vec::new();
        for id in &racers {
            let (srv, body) = (srv.clone(), body.clone());
            let path = format!("/v1/users/{id}");
            tasks.push(orgstore_testkit::tokio::spawn(async move {
                srv.patch(&path, &srv.admin_token, &body).await
            }));
        }
        let mut winners = 0;
        for task in tasks {
            let (status, _, body) = task.await.expect("task");
            match status {
                StatusCode::OK => winners += 1,
                StatusCode::CONFLICT => {
                    let kind = body["error"]["type"].as_str().unwrap_or_default();
                    let known = ["email_taken", "concurrent_conflict"].contains(&kind);
                    assert!(known, "{body}");
                }
                other => panic!("unexpected {other}: {body}"),
            }
        }
        assert_eq!(winners, 1, "exactly one patch took the email");
        let holders = users(&srv).await;
        let holders = holders.iter().filter(|u| u["email"] == "race@example.com");
        assert_eq!(holders.count(), 1);
    }
);
