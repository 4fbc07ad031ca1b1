//! The domains sub-resource and Idempotency-Key, end to end on both stores.

use orgstore_testkit::reqwest::{Method, StatusCode};
use orgstore_testkit::serde_json::{Value, json};
use orgstore_testkit::{Response, TestServer, both_backends, header};

fn id_of(account: &Value) -> String {
    account["id"].as_str().expect("account id").to_string()
}

async fn post_keyed(srv: &TestServer, path: &str, key: &str, body: &Value) -> Response {
    let bytes = orgstore_testkit::serde_json::to_vec(body).expect("body");
    srv.send(
        Method::POST,
        path,
        Some(&srv.admin_token),
        &[
            ("content-type", "application/json"),
            ("idempotency-key", key),
        ],
        Some(bytes),
    )
    .await
}

both_backends!(domains_sub_resource, |srv| async move {
    let acme = srv
        .create_account(json!({"name": "Acme", "domains": ["acme.com"]}))
        .await;
    let id = id_of(&acme);
    let base = format!("/v1/accounts/{id}/domains");

    let (status, _, list) = srv.get(&base, &srv.admin_token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        list,
        json!({"data": [{"domain": "acme.com", "is_primary": true}]})
    );

    let (status, _, added) = srv
        .post(
            &base,
            &srv.admin_token,
            &json!({"domain": "https://www.Acme.IO/x"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added, json!({"domain": "acme.io", "is_primary": false}));
    let (status, _, again) = srv
        .post(&base, &srv.admin_token, &json!({"domain": "acme.io"}))
        .await;
    assert_eq!(
        (status, again),
        (
            StatusCode::OK,
            json!({"domain": "acme.io", "is_primary": false})
        )
    );

    let (status, _, primary) = srv
        .patch(
            &format!("{base}/ACME.io"),
            &srv.admin_token,
            &json!({"is_primary": true}),
        )
        .await;
    assert_eq!(
        (status, primary),
        (
            StatusCode::OK,
            json!({"domain": "acme.io", "is_primary": true})
        )
    );
    let (_, _, list) = srv.get(&base, &srv.admin_token).await;
    assert_eq!(
        list["data"],
        json!([{"domain": "acme.io", "is_primary": true}, {"domain": "acme.com", "is_primary": false}])
    );
    let (_, _, account) = srv
        .get(&format!("/v1/accounts/{id}"), &srv.admin_token)
        .await;
    assert_eq!(account["domains"], json!(["acme.io", "acme.com"]));

    // Removing the primary promotes the next; exactly one primary while any exist.
    let (status, _, _) = srv
        .delete(&format!("{base}/acme.io"), &srv.admin_token)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, _, list) = srv.get(&base, &srv.admin_token).await;
    assert_eq!(
        list["data"],
        json!([{"domain": "acme.com", "is_primary": true}])
    );

    // Another account cannot take a held domain; the freed one is available.
    let other = srv.create_account(json!({"name": "Other"})).await;
    let other_base = format!("/v1/accounts/{}/domains", id_of(&other));
    let (status, _, err) = srv
        .post(
            &other_base,
            &srv.admin_token,
            &json!({"domain": "www.acme.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert_eq!(
        (&err["error"]["value"], &err["error"]["existing_id"]),
        (&json!("acme.com"), &json!(id))
    );
    let (status, _, _) = srv
        .post(
            &other_base,
            &srv.admin_token,
            &json!({"domain": "acme.io", "is_primary": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    // Errors name the problem.
    let (status, _, err) = srv
        .post(&base, &srv.admin_token, &json!({"domain": "not a domain"}))
        .await;
    assert_eq!(
        (
            status,
            err["error"]["type"].as_str(),
            err["error"]["field"].as_str()
        ),
        (
            StatusCode::BAD_REQUEST,
            Some("invalid_domain"),
            Some("domain")
        )
    );
    let (status, _, err) = srv
        .post(&base, &srv.admin_token, &json!({"name": "x"}))
        .await;
    assert_eq!(
        (status, err["error"]["type"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unknown_field"))
    );
    let (status, _, err) = srv
        .patch(
            &format!("{base}/acme.com"),
            &srv.admin_token,
            &json!({"is_primary": false}),
        )
        .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("is_primary"))
    );
    let (status, _, _) = srv
        .patch(
            &format!("{base}/nothere.com"),
            &srv.admin_token,
            &json!({"is_primary": true}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = srv
        .delete(&format!("{base}/nothere.com"), &srv.admin_token)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = srv
        .get(
            "/v1/accounts/acc_01hzzzzzzzzzzzzzzzzzzzzzzz/domains",
            &srv.admin_token,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
});

both_backends!(
    idempotent_retry_returns_the_stored_response,
    |srv| async move {
        let body = json!({"name": "Once", "domains": ["once.com"]});
        let (status, headers, first) = post_keyed(&srv, "/v1/accounts", "key-1", &body).await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        assert_eq!(header(&headers, "idempotent-replayed"), None);

        let (status, headers, second) = post_keyed(&srv, "/v1/accounts", "key-1", &body).await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "replayed with the first status"
        );
        assert_eq!(second, first, "the stored body");
        assert_eq!(header(&headers, "idempotent-replayed"), Some("true"));
        assert_eq!(
            header(&headers, "location"),
            Some(format!("/v1/accounts/{}", id_of(&first)).as_str())
        );
        assert_eq!(header(&headers, "etag"), Some("\"1\""));
        assert_eq!(
            srv.all_accounts(&srv.admin_token).await.len(),
            1,
            "written once"
        );

        // The same key with another body is refused and writes nothing.
        let other = json!({"name": "Twice", "domains": ["twice.com"]});
        let (status, _, err) = post_keyed(&srv, "/v1/accounts", "key-1", &other).await;
        assert_eq!(status, StatusCode::CONFLICT, "{err}");
        assert_eq!(err["error"]["type"], "idempotency_key_reused");
        assert_eq!(
            (&err["error"]["field"], &err["error"]["value"]),
            (&json!("Idempotency-Key"), &json!("key-1"))
        );
        assert_eq!(srv.all_accounts(&srv.admin_token).await.len(), 1);

        // An error response is kept too: the retry gets the same 409, not a new attempt.
        let dup = json!({"name": "Dup", "domains": ["once.com"]});
        let (status, _, conflict) = post_keyed(&srv, "/v1/accounts", "key-2", &dup).await;
        assert_eq!(status, StatusCode::CONFLICT, "{conflict}");
        let (status, _, replayed) = post_keyed(&srv, "/v1/accounts", "key-2", &dup).await;
        assert_eq!((status, replayed), (StatusCode::CONFLICT, conflict));

        // Keys are per workspace.
        let other_ws = srv.second_workspace_token("other").await;
        let bytes = orgstore_testkit::serde_json::to_vec(&body).expect("body");
        let (status, headers, _) = srv
            .send(
                Method::POST,
                "/v1/accounts",
                Some(&other_ws),
                &[
                    ("content-type", "application/json"),
                    ("idempotency-key", "key-1"),
                ],
                Some(bytes),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(header(&headers, "idempotent-replayed"), None);

        // Works on the other POST routes: assert runs once.
        let assert = json!({"match": {"domain": "keyed.com"}, "account": {"name": "Keyed"}});
        let (s1, _, a1) = post_keyed(&srv, "/v1/accounts/assert", "key-3", &assert).await;
        let (s2, h2, a2) = post_keyed(&srv, "/v1/accounts/assert", "key-3", &assert).await;
        assert_eq!((s1, s2), (StatusCode::CREATED, StatusCode::CREATED));
        assert_eq!((a1["version"].clone(), a2), (json!(1), a1.clone()));
        assert_eq!(header(&h2, "idempotent-replayed"), Some("true"));

        // A bad key is a 400 naming the header; no token is a 401 before any key is kept.
        let long = "k".repeat(256);
        let (status, _, err) = post_keyed(&srv, "/v1/accounts", &long, &body).await;
        assert_eq!(
            (status, err["error"]["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("Idempotency-Key")),
            "{err}"
        );
        let bytes = orgstore_testkit::serde_json::to_vec(&body).expect("body");
        let (status, _, _) = srv
            .send(
                Method::POST,
                "/v1/accounts",
                None,
                &[
                    ("content-type", "application/json"),
                    ("idempotency-key", "key-9"),
                ],
                Some(bytes),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
);
