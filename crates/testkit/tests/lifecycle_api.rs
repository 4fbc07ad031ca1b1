//! Assert (upsert), archive and restore, merge and If-Match on them, end to end on both stores.

use orgstore_core::auth::Scope;
use orgstore_testkit::reqwest::{Method, StatusCode};
use orgstore_testkit::serde_json::{Value, json};
use orgstore_testkit::{TestServer, both_backends, define_field, header};

fn id_of(account: &Value) -> String {
    account["id"].as_str().expect("account id").to_string()
}

async fn post_if_match(
    srv: &TestServer,
    path: &str,
    version: i64,
    body: &Value,
) -> (StatusCode, Value) {
    let etag = format!("\"{version}\"");
    let bytes = orgstore_testkit::serde_json::to_vec(body).expect("body");
    let (status, _, body) = srv
        .send(
            Method::POST,
            path,
            Some(&srv.admin_token),
            &[("content-type", "application/json"), ("if-match", &etag)],
            Some(bytes),
        )
        .await;
    (status, body)
}

both_backends!(assert_creates_then_updates, |srv| async move {
    // Custom fields are defined before they are written.
    define_field(&srv, "accounts", "score", "integer").await;
    let body = json!({
        "match": {"domain": "https://www.Acme.COM/about"},
        "account": {"name": "Acme", "industry": "Software"}
    });
    let (status, headers, created) = srv
        .post("/v1/accounts/assert", &srv.admin_token, &body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(
        created["domains"],
        json!(["acme.com"]),
        "carries the match domain"
    );
    let id = id_of(&created);
    assert_eq!(
        header(&headers, "location"),
        Some(format!("/v1/accounts/{id}").as_str())
    );

    // Another spelling of the domain matches the same account and patches it.
    let body = json!({
        "match": {"domain": "ACME.com."},
        "account": {"industry": "Manufacturing", "custom_fields": {"score": 3}}
    });
    let (status, headers, updated) = srv
        .post("/v1/accounts/assert", &srv.admin_token, &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(id_of(&updated), id);
    assert_eq!(updated["industry"], "Manufacturing");
    assert_eq!(
        updated["name"], "Acme",
        "a patch keeps what it does not name"
    );
    assert_eq!(updated["version"], 2);
    assert_eq!(header(&headers, "etag"), Some("\"2\""));
    assert_eq!(srv.all_accounts(&srv.admin_token).await.len(), 1);

    // By external ref: created carrying the ref, then matched by it.
    let body = json!({"match": {"external_ref": "sf:42"}, "account": {"name": "Globex"}});
    let (status, _, globex) = srv
        .post("/v1/accounts/assert", &srv.admin_token, &body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{globex}");
    assert_eq!(globex["external_refs"], json!(["sf:42"]));
    let body = json!({"match": {"external_ref": "sf:42"}, "account": {"tier": "gold"}});
    let (status, _, again) = srv
        .post("/v1/accounts/assert", &srv.admin_token, &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(
        (id_of(&again), &again["tier"]),
        (id_of(&globex), &json!("gold"))
    );

    // By id: updates; an unknown id is a 404, never a creation.
    let body = json!({"match": {"id": id}, "account": {"tier": "silver"}});
    let (status, _, by_id) = srv
        .post("/v1/accounts/assert", &srv.admin_token, &body)
        .await;
    assert_eq!((status, &by_id["tier"]), (StatusCode::OK, &json!("silver")));
    let body = json!({"match": {"id": "acc_01hzzzzzzzzzzzzzzzzzzzzzzz"}, "account": {"name": "X"}});
    let (status, _, err) = srv
        .post("/v1/accounts/assert", &srv.admin_token, &body)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{err}");
});

both_backends!(assert_ambiguous_match_names_candidates, |srv| async move {
    let a = srv
        .create_account(json!({"name": "A", "domains": ["a.com"]}))
        .await;
    let b = srv
        .create_account(json!({"name": "B", "external_refs": ["crm:b"]}))
        .await;
    let body = json!({
        "match": {"domain": "a.com", "external_ref": "crm:b"},
        "account": {"name": "Either"}
    });
    let (status, _, err) = srv
        .post("/v1/accounts/assert", &srv.admin_token, &body)
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert_eq!(err["error"]["type"], "ambiguous_match");
    assert_eq!(err["error"]["field"], "match");
    let mut expected = vec![id_of(&a), id_of(&b)];
    expected.sort();
    assert_eq!(err["error"]["value"], json!(expected));
    for id in &expected {
        assert!(
            err["error"]["message"]
                .as_str()
                .unwrap_or("")
                .contains(id.as_str()),
            "{err}"
        );
    }
    let all = srv.all_accounts(&srv.admin_token).await;
    assert_eq!(all.len(), 2, "nothing written");
    assert!(all.iter().all(|acc| acc["version"] == 1));
});

both_backends!(assert_bad_bodies_name_the_problem, |srv| async move {
    let cases = [
        (json!({"account": {"name": "x"}}), "missing_field", "match"),
        (
            json!({"match": {}, "account": {"name": "x"}}),
            "missing_field",
            "match",
        ),
        (
            json!({"match": {"domain": "not a domain"}, "account": {"name": "x"}}),
            "invalid_domain",
            "match.domain",
        ),
        (
            json!({"match": {"email": "a@b.c"}, "account": {"name": "x"}}),
            "unknown_field",
            "match.email",
        ),
        (
            json!({"match": {"id": "nope"}, "account": {"name": "x"}}),
            "invalid_id",
            "match.id",
        ),
        (
            json!({"match": {"domain": "new.com"}, "account": {}}),
            "missing_field",
            "account.name",
        ),
        (
            json!({"match": {"domain": "new.com"}, "account": {"name": "x", "colour": "red"}}),
            "unknown_field",
            "account.colour",
        ),
        (
            json!({"match": {"domain": "new.com"}, "account": {"name": "x", "version": 3}}),
            "field_not_updatable",
            "account.version",
        ),
        (
            json!({"match": {"domain": "new.com"}, "account": {"name": "x", "domains": ["bad domain"]}}),
            "invalid_domain",
            "account.domains[0]",
        ),
        (
            json!({"match": {"domain": "new.com"}, "account": []}),
            "invalid_type",
            "account",
        ),
    ];
    for (body, code, field) in cases {
        let (status, _, err) = srv
            .post("/v1/accounts/assert", &srv.admin_token, &body)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {err}");
        assert_eq!(
            (
                err["error"]["type"].as_str(),
                err["error"]["field"].as_str()
            ),
            (Some(code), Some(field)),
            "{body}: {err}"
        );
    }
    assert!(
        srv.all_accounts(&srv.admin_token).await.is_empty(),
        "nothing written"
    );
    let read = srv.token(Scope::Read).await;
    let body = json!({"match": {"domain": "x.com"}, "account": {"name": "x"}});
    let (status, _, _) = srv.post("/v1/accounts/assert", &read, &body).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
});

both_backends!(concurrent_asserts_make_one_account, |srv| async move {
    let srv = std::sync::Arc::new(srv);
    let spellings = [
        "race.io",
        "https://www.RACE.io/",
        "race.io.",
        "http://race.io:8080/x",
        "RACE.IO",
    ];
    let mut tasks = Vec::new();
    for round in 0..4 {
        for (i, spelling) in spellings.iter().enumerate() {
            let srv = srv.clone();
            let body = json!({
                "match": {"domain": spelling},
                "account": {"name": format!("Race {round}-{i}")}
            });
            tasks.push(orgstore_testkit::tokio::spawn(async move {
                srv.post("/v1/accounts/assert", &srv.admin_token, &body)
                    .await
            }));
        }
    }
    let mut created = 0;
    for task in tasks {
        let (status, _, body) = task.await.expect("task");
        match status {
            StatusCode::CREATED => created += 1,
            StatusCode::OK => {}
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(created, 1, "exactly one assert created");
    let all = srv.all_accounts(&srv.admin_token).await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["domains"], json!(["race.io"]));
});

both_backends!(archive_hides_and_frees_restore_reclaims, |srv| async move {
    let acme = srv
        .create_account(json!({"name": "Acme", "domains": ["acme.com"], "external_refs": ["x:1"]}))
        .await;
    let id = id_of(&acme);
    let (status, _, archived) = srv
        .post(
            &format!("/v1/accounts/{id}/archive"),
            &srv.admin_token,
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{archived}");
    assert!(archived["archived_at"].is_string(), "{archived}");
    assert_eq!(archived["version"], 2);
    assert_eq!(
        archived["domains"],
        json!(["acme.com"]),
        "an archived account keeps its domains"
    );

    assert!(
        srv.all_accounts(&srv.admin_token).await.is_empty(),
        "hidden from lists"
    );
    let (_, _, page) = srv
        .get("/v1/accounts?include_archived=true", &srv.admin_token)
        .await;
    assert_eq!(page["data"].as_array().map(Vec::len), Some(1), "{page}");
    let (status, _, got) = srv
        .get(&format!("/v1/accounts/{id}"), &srv.admin_token)
        .await;
    assert_eq!(
        (status, got["archived_at"].is_string()),
        (StatusCode::OK, true),
        "readable by id"
    );

    // Its domain is free: assert creates a new account instead of matching the archived one.
    let body = json!({"match": {"domain": "acme.com"}, "account": {"name": "Acme 2"}});
    let (status, _, second) = srv
        .post("/v1/accounts/assert", &srv.admin_token, &body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{second}");

    // Restoring now collides with the live holder.
    let (status, _, err) = srv
        .post(
            &format!("/v1/accounts/{id}/restore"),
            &srv.admin_token,
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert_eq!(err["error"]["type"], "domain_conflict");
    assert_eq!(err["error"]["value"], "acme.com");
    assert_eq!(err["error"]["existing_id"], second["id"]);
    let (_, _, still) = srv
        .get(&format!("/v1/accounts/{id}"), &srv.admin_token)
        .await;
    assert!(
        still["archived_at"].is_string(),
        "a failed restore changes nothing"
    );

    let (status, _, _) = srv
        .delete(
            &format!("/v1/accounts/{}", id_of(&second)),
            &srv.admin_token,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, restored) = srv
        .post(
            &format!("/v1/accounts/{id}/restore"),
            &srv.admin_token,
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{restored}");
    assert!(restored["archived_at"].is_null());
    assert_eq!(restored["version"], 3);
    let dup = json!({"name": "Dup", "domains": ["acme.com"]});
    let (status, _, err) = srv.post("/v1/accounts", &srv.admin_token, &dup).await;
    assert_eq!(
        (status, &err["error"]["existing_id"]),
        (StatusCode::CONFLICT, &json!(id))
    );

    // Archiving twice is harmless; unknown ids are 404.
    let (status, _, _) = srv
        .post(
            "/v1/accounts/acc_01hzzzzzzzzzzzzzzzzzzzzzzz/archive",
            &srv.admin_token,
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
});

both_backends!(
    patching_an_archived_account_keeps_its_domains_free,
    |srv| async move {
        let old = srv
            .create_account(json!({"name": "Old", "domains": ["old.com"]}))
            .await;
        let id = id_of(&old);
        srv.post(
            &format!("/v1/accounts/{id}/archive"),
            &srv.admin_token,
            &json!({}),
        )
        .await;
        let (status, _, patched) = srv
            .patch(
                &format!("/v1/accounts/{id}"),
                &srv.admin_token,
                &json!({"domains": ["old.com", "older.com"]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{patched}");
        let fresh = srv
            .create_account(json!({"name": "New", "domains": ["older.com"]}))
            .await;
        assert_eq!(fresh["domains"], json!(["older.com"]));
    }
);

both_backends!(merge_moves_domains_and_fills_gaps, |srv| async move {
    // Custom fields are defined before they are written.
    define_field(&srv, "accounts", "score", "integer").await;
    define_field(&srv, "accounts", "region", "text").await;
    let owner = srv.owner_id().await;
    let primary = srv
        .create_account(json!({
            "name": "Acme", "domains": ["acme.com"], "industry": "Software",
            "tags": ["vip"], "custom_fields": {"score": 1}
        }))
        .await;
    let secondary = srv
        .create_account(json!({
            "name": "Acme Inc", "domains": ["acme.io", "acme.com.au"], "industry": "Hardware",
            "tier": "gold", "websites": ["https://acme.io"], "owners": [owner],
            "external_refs": ["sf:9"], "tags": ["vip", "partner"],
            "custom_fields": {"score": 9, "region": "apac"}
        }))
        .await;
    let (pid, sid) = (id_of(&primary), id_of(&secondary));
    let (status, _, merged) = srv
        .post(
            &format!("/v1/accounts/{pid}/merge"),
            &srv.admin_token,
            &json!({"secondary": sid}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{merged}");
    assert_eq!(merged["id"], json!(pid));
    assert_eq!(
        merged["domains"],
        json!(["acme.com", "acme.io", "acme.com.au"])
    );
    assert_eq!(
        merged["industry"], "Software",
        "the primary's own value wins"
    );
    assert_eq!(merged["tier"], "gold", "empty scalars are filled");
    assert_eq!(merged["owners"], json!([owner]));
    assert_eq!(merged["external_refs"], json!(["sf:9"]));
    assert_eq!(merged["websites"][0]["url"], "https://acme.io");
    assert_eq!(
        merged["custom_fields"],
        json!({"score": 1, "region": "apac"})
    );
    let tags: Vec<&str> = merged["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(tags, ["vip", "partner"]);
    assert_eq!(merged["version"], 2);

    let (status, _, _) = srv
        .get(&format!("/v1/accounts/{sid}"), &srv.admin_token)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the secondary is deleted");
    let (_, _, page) = srv
        .get("/v1/accounts?domain=acme.io", &srv.admin_token)
        .await;
    assert_eq!(
        page["data"][0]["id"],
        json!(pid),
        "its domains now resolve to the primary"
    );

    // Bad merges.
    let (status, _, err) = srv
        .post(
            &format!("/v1/accounts/{pid}/merge"),
            &srv.admin_token,
            &json!({"secondary": pid}),
        )
        .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("secondary")),
        "{err}"
    );
    let (status, _, err) = srv
        .post(
            &format!("/v1/accounts/{pid}/merge"),
            &srv.admin_token,
            &json!({"secondary": sid}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{err}");
    let (status, _, err) = srv
        .post(
            &format!("/v1/accounts/{pid}/merge"),
            &srv.admin_token,
            &json!({}),
        )
        .await;
    assert_eq!(
        (status, err["error"]["type"].as_str()),
        (StatusCode::BAD_REQUEST, Some("missing_field"))
    );
    let (status, _, err) = srv
        .post(
            &format!("/v1/accounts/{pid}/merge"),
            &srv.admin_token,
            &json!({"secondary": "x"}),
        )
        .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("secondary")),
        "{err}"
    );
});

both_backends!(if_match_guards_archive_and_merge, |srv| async move {
    let a = srv.create_account(json!({"name": "A"})).await;
    let b = srv
        .create_account(json!({"name": "B", "domains": ["b.com"]}))
        .await;
    let (aid, bid) = (id_of(&a), id_of(&b));
    srv.patch(
        &format!("/v1/accounts/{aid}"),
        &srv.admin_token,
        &json!({"tier": "x"}),
    )
    .await;

    let (status, err) =
        post_if_match(&srv, &format!("/v1/accounts/{aid}/archive"), 1, &json!({})).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{err}");
    assert_eq!(err["error"]["current_version"], 2);
    let (status, err) = post_if_match(
        &srv,
        &format!("/v1/accounts/{aid}/merge"),
        1,
        &json!({"secondary": bid}),
    )
    .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{err}");
    let (status, _, _) = srv
        .get(&format!("/v1/accounts/{bid}"), &srv.admin_token)
        .await;
    assert_eq!(status, StatusCode::OK, "a stale merge deletes nothing");

    let (status, merged) = post_if_match(
        &srv,
        &format!("/v1/accounts/{aid}/merge"),
        2,
        &json!({"secondary": bid}),
    )
    .await;
    assert_eq!(
        (status, &merged["domains"]),
        (StatusCode::OK, &json!(["b.com"])),
        "{merged}"
    );
    let (status, archived) =
        post_if_match(&srv, &format!("/v1/accounts/{aid}/archive"), 3, &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{archived}");

    // DELETE with a stale If-Match.
    let (status, _, err) = srv
        .send(
            Method::DELETE,
            &format!("/v1/accounts/{aid}"),
            Some(&srv.admin_token),
            &[("if-match", "\"1\"")],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{err}");
});
