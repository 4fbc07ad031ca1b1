//! Opportunities and cases end to end, links between accounts and contacts from both sides,
//! what deleting, merging and archiving an account does to its related records, and the
//! per-account counts.

mod related_common;

use orgstore_core::auth::Scope;
use orgstore_testkit::reqwest::{Method, StatusCode};
use orgstore_testkit::serde_json::{Value, json};
use orgstore_testkit::{TestServer, both_backends, header};
use related_common::{
    MISSING_ACCOUNT, MISSING_CONTACT, all, check, counts, create, delete_if_match, id,
};

async fn get(srv: &TestServer, path: &str) -> Value {
    let (status, _, body) = srv.get(path, &srv.admin_token).await;
    assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
    body
}

async fn contact(srv: &TestServer, first_name: &str, account: Option<&Value>) -> Value {
    let mut body = json!({"first_name": first_name});
    if let Some(account) = account {
        body["account_id"] = account["id"].clone();
    }
    create(srv, "/v1/contacts", body).await
}

both_backends!(link_and_unlink_from_both_sides, |srv| async move {
    let t = srv.admin_token.clone();
    let a = srv.create_account(json!({"name": "A"})).await;
    let b = srv.create_account(json!({"name": "B"})).await;
    let (aid, bid) = (id(&a), id(&b));
    let c = contact(&srv, "Cy", None).await;
    let cid = id(&c);
    assert_eq!(counts(&srv, &aid).await, (0, 0, 0));

    // From the account side: link, then link elsewhere (a move), then unlink.
    let link = |account: String| {
        let (srv, t, cid) = (&srv, t.clone(), cid.clone());
        async move {
            srv.post(
                &format!("/v1/accounts/{account}/contacts"),
                &t,
                &json!({"contact_id": cid}),
            )
            .await
        }
    };
    let (status, headers, linked) = link(aid.clone()).await;
    assert_eq!(status, StatusCode::OK, "{linked}");
    assert_eq!(linked["account_id"], a["id"]);
    assert_eq!(linked["version"], 2);
    assert_eq!(header(&headers, "etag"), Some("\"2\""));
    let (_, _, again) = link(aid.clone()).await;
    assert_eq!(again["version"], 2, "linking where it is changes nothing");
    let listed = all(&srv, &t, &format!("/v1/accounts/{aid}/contacts"), 10).await;
    assert_eq!(listed, vec![linked.clone()]);
    assert_eq!(counts(&srv, &aid).await, (1, 0, 0));

    let (status, _, moved) = link(bid.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(moved["account_id"], b["id"]);
    assert_eq!(counts(&srv, &aid).await, (0, 0, 0));
    assert_eq!(counts(&srv, &bid).await, (1, 0, 0));
    assert!(
        all(&srv, &t, &format!("/v1/accounts/{aid}/contacts"), 10)
            .await
            .is_empty()
    );

    let r = srv
        .delete(&format!("/v1/accounts/{aid}/contacts/{cid}"), &t)
        .await;
    check(
        &r,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
        None,
        "unlink where it is not linked",
    );
    assert_eq!(
        get(&srv, &format!("/v1/contacts/{cid}")).await,
        moved,
        "unchanged"
    );
    let (status, _, body) = srv
        .delete(&format!("/v1/accounts/{bid}/contacts/{cid}"), &t)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let unlinked = get(&srv, &format!("/v1/contacts/{cid}")).await;
    assert_eq!(unlinked["account_id"], Value::Null);
    assert_eq!(counts(&srv, &bid).await, (0, 0, 0));

    // From the contact side: PATCH account_id links, moves and (null) unlinks.
    let path = format!("/v1/contacts/{cid}");
    let (_, _, p) = srv.patch(&path, &t, &json!({"account_id": aid})).await;
    assert_eq!(p["account_id"], a["id"]);
    assert_eq!(
        all(&srv, &t, &format!("/v1/accounts/{aid}/contacts"), 10).await,
        vec![p]
    );
    let (_, _, p) = srv.patch(&path, &t, &json!({"account_id": bid})).await;
    assert_eq!(p["account_id"], b["id"]);
    assert_eq!(
        (counts(&srv, &aid).await.0, counts(&srv, &bid).await.0),
        (0, 1)
    );
    let (_, _, p) = srv.patch(&path, &t, &json!({"account_id": null})).await;
    assert_eq!(p["account_id"], Value::Null);
    assert_eq!(counts(&srv, &bid).await, (0, 0, 0));

    // Bad links name what is wrong and change nothing.
    let before = get(&srv, &path).await;
    let r = srv
        .post(
            &format!("/v1/accounts/{MISSING_ACCOUNT}/contacts"),
            &t,
            &json!({"contact_id": cid}),
        )
        .await;
    check(
        &r,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
        None,
        "link to unknown account",
    );
    let r = srv
        .post(
            &format!("/v1/accounts/{aid}/contacts"),
            &t,
            &json!({"contact_id": MISSING_CONTACT}),
        )
        .await;
    check(
        &r,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
        None,
        "link unknown contact",
    );
    let r = srv
        .post(
            &format!("/v1/accounts/{aid}/contacts"),
            &t,
            &json!({"contact_id": "con_1"}),
        )
        .await;
    check(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_id",
        Some("contact_id"),
        Some(&json!("con_1")),
        "bad contact id",
    );
    let r = srv
        .post(&format!("/v1/accounts/{aid}/contacts"), &t, &json!({}))
        .await;
    check(
        &r,
        StatusCode::BAD_REQUEST,
        "missing_field",
        Some("contact_id"),
        None,
        "no contact id",
    );
    let r = srv
        .post(
            &format!("/v1/accounts/{aid}/contacts"),
            &t,
            &json!({"contact_id": cid, "x": 1}),
        )
        .await;
    check(
        &r,
        StatusCode::BAD_REQUEST,
        "unknown_field",
        Some("x"),
        None,
        "unknown field",
    );
    let r = srv
        .post(
            "/v1/accounts/acc_1/contacts",
            &t,
            &json!({"contact_id": cid}),
        )
        .await;
    check(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_id",
        Some("id"),
        None,
        "bad account id",
    );
    let r = srv
        .get(&format!("/v1/accounts/{MISSING_ACCOUNT}/contacts"), &t)
        .await;
    check(
        &r,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
        None,
        "contacts of unknown account",
    );
    let r = srv
        .get(&format!("/v1/accounts/{aid}/contacts?email=x"), &t)
        .await;
    check(
        &r,
        StatusCode::BAD_REQUEST,
        "unknown_parameter",
        Some("email"),
        None,
        "filter on account contacts",
    );
    let r = srv
        .delete(&format!("/v1/accounts/{aid}/contacts/con_1"), &t)
        .await;
    check(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_id",
        Some("contact_id"),
        None,
        "unlink bad id",
    );
    assert_eq!(get(&srv, &path).await, before);

    // Read scope lists but cannot link; another workspace sees 404s.
    let read = srv.token(Scope::Read).await;
    let (status, _, _) = srv
        .get(&format!("/v1/accounts/{aid}/contacts"), &read)
        .await;
    assert_eq!(status, StatusCode::OK);
    let r = srv
        .post(
            &format!("/v1/accounts/{aid}/contacts"),
            &read,
            &json!({"contact_id": cid}),
        )
        .await;
    check(
        &r,
        StatusCode::FORBIDDEN,
        "forbidden",
        None,
        None,
        "read token links",
    );
    let other = srv.second_workspace_token("other").await;
    let r = srv
        .get(&format!("/v1/accounts/{aid}/contacts"), &other)
        .await;
    check(
        &r,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
        None,
        "other workspace lists",
    );
    let r = srv
        .post(
            &format!("/v1/accounts/{aid}/contacts"),
            &other,
            &json!({"contact_id": cid}),
        )
        .await;
    check(
        &r,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
        None,
        "other workspace links",
    );
    let theirs = srv
        .post("/v1/accounts", &other, &json!({"name": "Theirs"}))
        .await
        .2;
    let r = srv
        .post(
            &format!("/v1/accounts/{}/contacts", id(&theirs)),
            &other,
            &json!({"contact_id": cid}),
        )
        .await;
    check(
        &r,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
        None,
        "other workspace links our contact",
    );
    assert_eq!(get(&srv, &path).await, before);
});

both_backends!(account_contacts_paginate, |srv| async move {
    let a = srv.create_account(json!({"name": "A"})).await;
    let other = srv.create_account(json!({"name": "Other"})).await;
    let mut mine = Vec::new();
    for i in 0..5 {
        mine.push(id(&contact(&srv, &format!("Mine {i}"), Some(&a)).await));
        contact(&srv, &format!("Theirs {i}"), Some(&other)).await;
    }
    mine.sort();
    let listed = all(
        &srv,
        &srv.admin_token,
        &format!("/v1/accounts/{}/contacts", id(&a)),
        2,
    )
    .await;
    assert_eq!(listed.iter().map(id).collect::<Vec<_>>(), mine);
    assert_eq!(counts(&srv, &id(&a)).await, (5, 0, 0));
});

/// An account with two contacts, an open and a won opportunity, an open and a closed case.
async fn account_with_records(srv: &TestServer, name: &str) -> (Value, Vec<(String, String)>) {
    let account = srv.create_account(json!({"name": name})).await;
    let aid = &account["id"];
    let mut records = Vec::new();
    for first_name in ["One", "Two"] {
        let c = create(
            srv,
            "/v1/contacts",
            json!({"first_name": first_name, "account_id": aid}),
        )
        .await;
        records.push(("/v1/contacts".to_string(), id(&c)));
    }
    for status in ["open", "won"] {
        let o = create(
            srv,
            "/v1/opportunities",
            json!({"name": format!("{name} {status}"), "status": status, "account_id": aid}),
        )
        .await;
        records.push(("/v1/opportunities".to_string(), id(&o)));
    }
    for status in ["open", "closed"] {
        let c = create(
            srv,
            "/v1/cases",
            json!({"title": format!("{name} {status}"), "status": status, "account_id": aid}),
        )
        .await;
        records.push(("/v1/cases".to_string(), id(&c)));
    }
    (account, records)
}

both_backends!(deleting_an_account_keeps_its_records, |srv| async move {
    let (account, records) = account_with_records(&srv, "Doomed").await;
    let (keep, kept_records) = account_with_records(&srv, "Kept").await;
    let aid = id(&account);
    assert_eq!(counts(&srv, &aid).await, (2, 1, 1));

    let (status, _, body) = srv
        .delete(&format!("/v1/accounts/{aid}"), &srv.admin_token)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    for (collection, rid) in &records {
        let record = get(&srv, &format!("{collection}/{rid}")).await;
        assert_eq!(record["account_id"], Value::Null, "{record}");
        assert_eq!(record["version"], 2, "the unlink is a change: {record}");
    }
    for (collection, rid) in &kept_records {
        let record = get(&srv, &format!("{collection}/{rid}")).await;
        assert_eq!(
            record["account_id"], keep["id"],
            "other accounts keep theirs"
        );
    }
    assert_eq!(counts(&srv, &id(&keep)).await, (2, 1, 1));
    let r = srv
        .get(&format!("/v1/accounts/{aid}/contacts"), &srv.admin_token)
        .await;
    check(
        &r,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
        None,
        "contacts of a deleted account",
    );
    let (_, _, page) = srv
        .get(
            &format!("/v1/opportunities?account_id={aid}"),
            &srv.admin_token,
        )
        .await;
    assert_eq!(page["data"], json!([]));
});

both_backends!(
    merging_moves_records_and_archiving_keeps_them,
    |srv| async move {
        let (primary, primary_records) = account_with_records(&srv, "Primary").await;
        let (secondary, secondary_records) = account_with_records(&srv, "Secondary").await;
        let (pid, sid) = (id(&primary), id(&secondary));
        let (status, _, merged) = srv
            .post(
                &format!("/v1/accounts/{pid}/merge"),
                &srv.admin_token,
                &json!({"secondary": sid}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{merged}");
        assert_eq!(
            (
                merged["contact_count"].as_i64(),
                merged["open_opportunity_count"].as_i64(),
                merged["open_case_count"].as_i64()
            ),
            (Some(4), Some(2), Some(2)),
            "the merged account counts both: {merged}"
        );
        for (collection, rid) in primary_records.iter().chain(&secondary_records) {
            let record = get(&srv, &format!("{collection}/{rid}")).await;
            assert_eq!(record["account_id"], primary["id"], "{record}");
        }
        let contacts = all(
            &srv,
            &srv.admin_token,
            &format!("/v1/accounts/{pid}/contacts"),
            3,
        )
        .await;
        assert_eq!(contacts.len(), 4);

        // Archiving keeps the links and the counts; so does restoring.
        let (status, _, archived) = srv
            .post(
                &format!("/v1/accounts/{pid}/archive"),
                &srv.admin_token,
                &json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{archived}");
        assert_eq!(counts(&srv, &pid).await, (4, 2, 2));
        for (collection, rid) in &secondary_records {
            assert_eq!(
                get(&srv, &format!("{collection}/{rid}")).await["account_id"],
                primary["id"]
            );
        }
        // Records may still be linked to an archived account.
        let c = create(
            &srv,
            "/v1/contacts",
            json!({"first_name": "Late", "account_id": pid}),
        )
        .await;
        assert_eq!(c["account_id"], primary["id"]);
        assert_eq!(counts(&srv, &pid).await, (5, 2, 2));
    }
);

both_backends!(counts_follow_status_changes, |srv| async move {
    let t = srv.admin_token.clone();
    let a = srv.create_account(json!({"name": "A"})).await;
    let b = srv.create_account(json!({"name": "B"})).await;
    let (aid, bid) = (id(&a), id(&b));
    let opp = create(
        &srv,
        "/v1/opportunities",
        json!({"name": "Deal", "account_id": aid}),
    )
    .await;
    let case = create(
        &srv,
        "/v1/cases",
        json!({"title": "Help", "account_id": aid}),
    )
    .await;
    let c = contact(&srv, "Cat", Some(&a)).await;
    assert_eq!(counts(&srv, &aid).await, (1, 1, 1));

    let opp_path = format!("/v1/opportunities/{}", id(&opp));
    let case_path = format!("/v1/cases/{}", id(&case));
    for (status, open) in [("won", 0), ("lost", 0), ("open", 1)] {
        let (code, _, body) = srv.patch(&opp_path, &t, &json!({"status": status})).await;
        assert_eq!(code, StatusCode::OK, "{body}");
        assert_eq!(counts(&srv, &aid).await.1, open, "opportunity {status}");
    }
    srv.patch(&case_path, &t, &json!({"status": "closed"}))
        .await;
    assert_eq!(counts(&srv, &aid).await, (1, 1, 0));
    srv.patch(
        &case_path,
        &t,
        &json!({"status": "open", "account_id": bid}),
    )
    .await;
    srv.patch(&opp_path, &t, &json!({"account_id": bid})).await;
    assert_eq!(counts(&srv, &aid).await, (1, 0, 0));
    assert_eq!(counts(&srv, &bid).await, (0, 1, 1));
    srv.delete(&format!("/v1/contacts/{}", id(&c)), &t).await;
    srv.delete(&opp_path, &t).await;
    assert_eq!(counts(&srv, &aid).await, (0, 0, 0));
    assert_eq!(counts(&srv, &bid).await, (0, 0, 1));

    // Lists of accounts carry the counts too.
    let (_, _, page) = srv.get("/v1/accounts?limit=10", &t).await;
    let mut listed: Vec<(i64, i64, i64)> = page["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|x| {
            (
                x["contact_count"].as_i64().unwrap_or(-1),
                x["open_opportunity_count"].as_i64().unwrap_or(-1),
                x["open_case_count"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    // Both accounts may share a creation millisecond, so their list order is not asserted.
    listed.sort_unstable();
    assert_eq!(listed, vec![(0, 0, 0), (0, 0, 1)]);
});

both_backends!(counts_are_not_writable, |srv| async move {
    let t = srv.admin_token.clone();
    let a = srv.create_account(json!({"name": "A"})).await;
    let path = format!("/v1/accounts/{}", id(&a));
    for field in ["contact_count", "open_opportunity_count", "open_case_count"] {
        let r = srv
            .post("/v1/accounts", &t, &json!({"name": "B", field: 3}))
            .await;
        check(
            &r,
            StatusCode::BAD_REQUEST,
            "field_not_updatable",
            Some(field),
            None,
            field,
        );
        let r = srv.patch(&path, &t, &json!({field: 3})).await;
        check(
            &r,
            StatusCode::BAD_REQUEST,
            "field_not_updatable",
            Some(field),
            None,
            field,
        );
    }
    assert_eq!(srv.all_accounts(&t).await, vec![a]);
});

both_backends!(opportunity_crud_and_errors, |srv| async move {
    let t = srv.admin_token.clone();
    let a = srv.create_account(json!({"name": "A"})).await;
    let (status, headers, opp) = srv
        .post(
            "/v1/opportunities",
            &t,
            &json!({"name": "  Big deal ", "amount": 12500.75, "account_id": a["id"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{opp}");
    let oid = id(&opp);
    assert!(oid.starts_with("opp_"));
    let path = format!("/v1/opportunities/{oid}");
    assert_eq!(header(&headers, "location"), Some(path.as_str()));
    assert_eq!(header(&headers, "etag"), Some("\"1\""));
    assert_eq!(
        (opp["name"].as_str(), opp["status"].as_str()),
        (Some("Big deal"), Some("open"))
    );
    assert_eq!(opp["amount"].as_f64(), Some(12500.75));
    assert_eq!(get(&srv, &path).await, opp);

    let (status, _, patched) = srv
        .patch_if_match(&path, &t, 1, &json!({"status": "won", "amount": null}))
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(
        (patched["status"].as_str(), &patched["amount"]),
        (Some("won"), &Value::Null)
    );
    assert_eq!(patched["name"], "Big deal");
    let stale = srv
        .patch_if_match(&path, &t, 1, &json!({"status": "lost"}))
        .await;
    check(
        &stale,
        StatusCode::PRECONDITION_FAILED,
        "precondition_failed",
        None,
        None,
        "stale",
    );
    assert_eq!(stale.2["error"]["current_version"], 2);

    let before = all(&srv, &t, "/v1/opportunities", 100).await;
    let bad: Vec<(Value, &str, &str, Option<Value>)> = vec![
        (json!({}), "missing_field", "name", None),
        (json!({"name": "  "}), "invalid_value", "name", None),
        (
            json!({"name": "x", "status": "pending"}),
            "invalid_value",
            "status",
            Some(json!("pending")),
        ),
        (
            json!({"name": "x", "amount": -5}),
            "invalid_value",
            "amount",
            Some(json!("-5")),
        ),
        (
            json!({"name": "x", "amount": "lots"}),
            "invalid_value",
            "amount",
            Some(json!("lots")),
        ),
        (
            json!({"name": "x", "account_id": MISSING_ACCOUNT}),
            "invalid_value",
            "account_id",
            Some(json!(MISSING_ACCOUNT)),
        ),
        (
            json!({"name": "x", "account_id": "nope"}),
            "invalid_id",
            "account_id",
            Some(json!("nope")),
        ),
        (
            json!({"name": "x", "stage": "customer"}),
            "unknown_field",
            "stage",
            None,
        ),
        (
            json!({"name": "x", "created_by": "usr_1"}),
            "field_not_updatable",
            "created_by",
            None,
        ),
    ];
    for (body, kind, field, value) in bad {
        let what = format!("create {body}");
        let r = srv.post("/v1/opportunities", &t, &body).await;
        check(
            &r,
            StatusCode::BAD_REQUEST,
            kind,
            Some(field),
            value.as_ref(),
            &what,
        );
        assert_eq!(
            all(&srv, &t, "/v1/opportunities", 100).await,
            before,
            "{what}: changed"
        );
    }
    for (body, kind, field) in [
        (json!({"name": null}), "invalid_value", "name"),
        (json!({"status": "closed"}), "invalid_value", "status"),
        (
            json!({"account_id": MISSING_ACCOUNT}),
            "invalid_value",
            "account_id",
        ),
    ] {
        let r = srv.patch(&path, &t, &body).await;
        check(
            &r,
            StatusCode::BAD_REQUEST,
            kind,
            Some(field),
            None,
            &format!("patch {body}"),
        );
    }
    assert_eq!(all(&srv, &t, "/v1/opportunities", 100).await, before);

    // Filters and pages.
    let mut made = vec![oid.clone()];
    for (i, status) in ["open", "lost", "open", "won", "open"].iter().enumerate() {
        let mut body = json!({"name": format!("D{i}"), "status": status});
        if i % 2 == 0 {
            body["account_id"] = a["id"].clone();
        }
        made.push(id(&create(&srv, "/v1/opportunities", body).await));
    }
    made.sort();
    let walked = all(&srv, &t, "/v1/opportunities", 2).await;
    assert_eq!(walked.iter().map(id).collect::<Vec<_>>(), made);
    let open = all(&srv, &t, "/v1/opportunities?status=open", 2).await;
    assert_eq!(open.len(), 3);
    assert!(open.iter().all(|o| o["status"] == "open"));
    let of_a = all(
        &srv,
        &t,
        &format!("/v1/opportunities?account_id={}&status=open", id(&a)),
        1,
    )
    .await;
    assert_eq!(of_a.len(), 3, "D0, D2, D4 are open on A");
    let won = all(&srv, &t, "/v1/opportunities?status=won", 10).await;
    assert_eq!(won.len(), 2);
    assert_eq!(counts(&srv, &id(&a)).await.1, 3);
    for (query, kind, field) in [
        ("status=closed", "invalid_value", "status"),
        ("account_id=x", "invalid_id", "account_id"),
        ("email=a%40b.co", "unknown_parameter", "email"),
        ("limit=abc", "invalid_value", "limit"),
    ] {
        let r = srv.get(&format!("/v1/opportunities?{query}"), &t).await;
        check(&r, StatusCode::BAD_REQUEST, kind, Some(field), None, query);
    }

    let (status, _, _) = delete_if_match(&srv, &path, 2).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let r = srv.get(&path, &t).await;
    check(
        &r,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
        None,
        "deleted",
    );
    let r = srv
        .get("/v1/opportunities/cas_01jd5y0v4w8k9m2n3p4q5r6s7t", &t)
        .await;
    check(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_id",
        Some("id"),
        None,
        "a case id",
    );
});

both_backends!(case_crud_and_errors, |srv| async move {
    let t = srv.admin_token.clone();
    let a = srv.create_account(json!({"name": "A"})).await;
    let (status, headers, case) = srv
        .post(
            "/v1/cases",
            &t,
            &json!({"title": "Login broken", "account_id": a["id"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let path = format!("/v1/cases/{}", id(&case));
    assert!(id(&case).starts_with("cas_"));
    assert_eq!(header(&headers, "location"), Some(path.as_str()));
    assert_eq!(case["status"], "open");
    assert_eq!(get(&srv, &path).await, case);
    let (_, headers, closed) = srv
        .patch(&path, &t, &json!({"status": "closed", "account_id": null}))
        .await;
    assert_eq!(header(&headers, "etag"), Some("\"2\""));
    assert_eq!(
        (closed["status"].as_str(), &closed["account_id"]),
        (Some("closed"), &Value::Null)
    );

    let before = all(&srv, &t, "/v1/cases", 100).await;
    for (body, kind, field) in [
        (json!({"status": "open"}), "missing_field", "title"),
        (
            json!({"title": "x", "status": "won"}),
            "invalid_value",
            "status",
        ),
        (
            json!({"title": "x", "account_id": MISSING_ACCOUNT}),
            "invalid_value",
            "account_id",
        ),
        (
            json!({"title": "x", "amount": 1}),
            "unknown_field",
            "amount",
        ),
        (
            json!({"title": "x", "id": "cas_x"}),
            "field_not_updatable",
            "id",
        ),
    ] {
        let r = srv.post("/v1/cases", &t, &body).await;
        check(
            &r,
            StatusCode::BAD_REQUEST,
            kind,
            Some(field),
            None,
            &format!("{body}"),
        );
    }
    let r = srv.patch(&path, &t, &json!({"title": null})).await;
    check(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        Some("title"),
        None,
        "clear title",
    );
    assert_eq!(all(&srv, &t, "/v1/cases", 100).await, before);

    create(
        &srv,
        "/v1/cases",
        json!({"title": "Second", "account_id": a["id"]}),
    )
    .await;
    let open = all(&srv, &t, "/v1/cases?status=open", 10).await;
    assert_eq!(open.len(), 1);
    let of_a = all(&srv, &t, &format!("/v1/cases?account_id={}", id(&a)), 10).await;
    assert_eq!(of_a, open);
    let r = srv.get("/v1/cases?status=lost", &t).await;
    check(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        Some("status"),
        Some(&json!("lost")),
        "bad status",
    );

    let stale = delete_if_match(&srv, &path, 1).await;
    check(
        &stale,
        StatusCode::PRECONDITION_FAILED,
        "precondition_failed",
        None,
        None,
        "stale delete",
    );
    let (status, _, _) = srv.delete(&path, &t).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
});

both_backends!(opportunity_and_case_auth, |srv| async move {
    let opp = create(&srv, "/v1/opportunities", json!({"name": "Deal"})).await;
    let case = create(&srv, "/v1/cases", json!({"title": "Ticket"})).await;
    let read = srv.token(Scope::Read).await;
    let other = srv.second_workspace_token("other").await;
    for (collection, record, body) in [
        ("/v1/opportunities", &opp, json!({"name": "x"})),
        ("/v1/cases", &case, json!({"title": "x"})),
    ] {
        let path = format!("{collection}/{}", id(record));
        let r = srv.send(Method::GET, &path, None, &[], None).await;
        check(
            &r,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            None,
            None,
            "no token",
        );
        let r = srv.send(Method::GET, collection, None, &[], None).await;
        check(
            &r,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            None,
            None,
            "no token list",
        );
        let (status, _, got) = srv.get(&path, &read).await;
        assert_eq!((status, &got), (StatusCode::OK, record));
        for r in [
            srv.post(collection, &read, &body).await,
            srv.patch(&path, &read, &body).await,
            srv.delete(&path, &read).await,
        ] {
            check(
                &r,
                StatusCode::FORBIDDEN,
                "forbidden",
                None,
                None,
                "read token writes",
            );
        }
        for r in [
            srv.get(&path, &other).await,
            srv.patch(&path, &other, &body).await,
            srv.delete(&path, &other).await,
        ] {
            check(
                &r,
                StatusCode::NOT_FOUND,
                "not_found",
                None,
                None,
                "other workspace",
            );
        }
        let (_, _, page) = srv.get(collection, &other).await;
        assert_eq!(page["data"], json!([]), "other workspace lists nothing");
        assert_eq!(get(&srv, &path).await, *record, "unchanged");
    }
});

both_backends!(openapi_documents_related_routes, |srv| async move {
    let (status, _, doc) = srv
        .send(Method::GET, "/v1/openapi.json", None, &[], None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let paths = &doc["paths"];
    for (path, methods) in [
        ("/v1/contacts", &["get", "post"][..]),
        ("/v1/contacts/{id}", &["get", "patch", "delete"][..]),
        ("/v1/accounts/{id}/contacts", &["get", "post"][..]),
        ("/v1/accounts/{id}/contacts/{contact_id}", &["delete"][..]),
        ("/v1/opportunities", &["get", "post"][..]),
        ("/v1/opportunities/{id}", &["get", "patch", "delete"][..]),
        ("/v1/cases", &["get", "post"][..]),
        ("/v1/cases/{id}", &["get", "patch", "delete"][..]),
    ] {
        for method in methods {
            assert!(
                paths[path][method].is_object(),
                "{method} {path} is documented"
            );
        }
    }
    let schemas = &doc["components"]["schemas"];
    for field in ["contact_count", "open_opportunity_count", "open_case_count"] {
        assert!(
            schemas["Account"]["properties"][field].is_object(),
            "Account.{field} is documented"
        );
    }
    for schema in [
        "Contact",
        "ContactInput",
        "ContactPatch",
        "Opportunity",
        "Case",
        "CaseStatus",
    ] {
        assert!(schemas[schema].is_object(), "{schema} is documented");
    }
});

both_backends!(
    links_and_patches_racing_a_delete_never_dangle,
    |srv| async move {
        let t = srv.admin_token.clone();
        for round in 0..3 {
            let account = srv
                .create_account(json!({"name": format!("Racy {round}")}))
                .await;
            let aid = id(&account);
            let mut unlinked = Vec::new();
            let mut linked = Vec::new();
            for i in 0..8 {
                unlinked.push(id(&contact(&srv, &format!("U{round}-{i}"), None).await));
                linked.push(id(
                    &contact(&srv, &format!("L{round}-{i}"), Some(&account)).await
                ));
            }
            // Links of the unlinked, patches of the linked and the delete run at once.
            let spawn = |request: orgstore_testkit::reqwest::RequestBuilder| {
                orgstore_testkit::tokio::spawn(async move {
                    request.send().await.map(|r| r.status()).ok()
                })
            };
            let links: Vec<_> = unlinked
                .iter()
                .map(|cid| {
                    spawn(
                        srv.client
                            .post(srv.url(&format!("/v1/accounts/{aid}/contacts")))
                            .bearer_auth(&t)
                            .json(&json!({"contact_id": cid})),
                    )
                })
                .collect();
            let patches: Vec<_> = linked
                .iter()
                .map(|cid| {
                    spawn(
                        srv.client
                            .patch(srv.url(&format!("/v1/contacts/{cid}")))
                            .bearer_auth(&t)
                            .json(&json!({"title": "Patched"})),
                    )
                })
                .collect();
            let deleted = srv
                .client
                .delete(srv.url(&format!("/v1/accounts/{aid}")))
                .bearer_auth(&t)
                .send()
                .await
                .map(|r| r.status())
                .ok();
            assert_eq!(deleted, Some(StatusCode::NO_CONTENT));
            for task in links {
                let status = task.await.ok().flatten();
                assert!(
                    matches!(status, Some(StatusCode::OK | StatusCode::NOT_FOUND)),
                    "link during delete: {status:?}"
                );
            }
            for task in patches {
                let status = task.await.ok().flatten();
                assert_eq!(status, Some(StatusCode::OK), "patch during delete");
            }
            for cid in unlinked.iter().chain(&linked) {
                let c = get(&srv, &format!("/v1/contacts/{cid}")).await;
                assert_eq!(
                    c["account_id"],
                    Value::Null,
                    "no contact points at a deleted account"
                );
            }
            for cid in &linked {
                let c = get(&srv, &format!("/v1/contacts/{cid}")).await;
                assert_eq!(c["title"], "Patched", "no patch lost");
            }
        }
    }
);
