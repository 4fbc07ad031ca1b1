//! The native contacts API end to end: create, read, patch, delete, list with filters and
//! cursors, bad input (rejected with a precise error, changing nothing), auth and tenancy.

mod related_common;

use orgstore_core::auth::Scope;
use orgstore_testkit::reqwest::{Method, StatusCode};
use orgstore_testkit::serde_json::{Value, json};
use orgstore_testkit::{TestServer, both_backends, define_field, encode, header};
use related_common::{MISSING_ACCOUNT, MISSING_CONTACT, all, check, create, delete_if_match, id};

async fn all_contacts(srv: &TestServer) -> Vec<Value> {
    all(srv, &srv.admin_token, "/v1/contacts", 1000).await
}

both_backends!(contact_round_trips_and_patches, |srv| async move {
    for (api_name, kind) in [("linkedin", "text"), ("score", "integer"), ("team", "text")] {
        define_field(&srv, "contacts", api_name, kind).await;
    }
    let account = srv.create_account(json!({"name": "Acme"})).await;
    let body = json!({
        "first_name": " Jane ",
        "last_name": "Doe",
        "emails": [" Jane.Doe@Example.COM ", "jane@acme.io", "JANE@ACME.IO"],
        "phone_numbers": ["+1 415 555 2671", {"number": "020 7946 0958", "extension": "7", "type": "mobile"}],
        "title": "CTO",
        "stage": "customer",
        "account_id": account["id"],
        "custom_fields": {"linkedin": "jdoe", "score": 9}
    });
    let (status, headers, created) = srv.post("/v1/contacts", &srv.admin_token, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let cid = id(&created);
    assert!(cid.starts_with("con_"), "{cid}");
    assert_eq!(
        header(&headers, "location"),
        Some(format!("/v1/contacts/{cid}").as_str())
    );
    assert_eq!(header(&headers, "etag"), Some("\"1\""));
    assert_eq!(created["first_name"], "Jane");
    assert_eq!(
        created["emails"],
        json!(["jane.doe@example.com", "jane@acme.io"])
    );
    let phone = &created["phone_numbers"][0];
    assert!(phone["id"].as_str().is_some_and(|p| p.starts_with("phn_")));
    assert_eq!(phone["number"], "+1 415 555 2671");
    assert_eq!(phone["e164"], "+14155552671");
    assert_eq!(phone["type"], "work");
    assert_eq!(created["phone_numbers"][1]["type"], "mobile");
    assert_eq!(created["phone_numbers"][1]["extension"], "7");
    assert_eq!(created["stage"], "customer");
    assert_eq!(created["account_id"], account["id"]);
    assert_eq!(
        created["custom_fields"],
        json!({"linkedin": "jdoe", "score": 9})
    );
    assert_eq!(created["version"], 1);
    assert_eq!(created["created_by"], srv.owner_id().await);
    assert_eq!(created["created_at"], created["updated_at"]);

    let path = format!("/v1/contacts/{cid}");
    let (status, headers, got) = srv.get(&path, &srv.admin_token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, "etag"), Some("\"1\""));
    assert_eq!(got, created, "GET returns what POST returned");

    // Merge patch: absent unchanged, null clears, custom_fields merge key by key.
    let (status, headers, patched) = srv
        .patch_if_match(
            &path,
            &srv.admin_token,
            1,
            &json!({"title": null, "last_name": "Smith", "custom_fields": {"score": null, "team": "core"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(header(&headers, "etag"), Some("\"2\""));
    assert_eq!(patched["title"], Value::Null);
    assert_eq!(patched["last_name"], "Smith");
    assert_eq!(patched["first_name"], "Jane");
    assert_eq!(patched["emails"], created["emails"]);
    assert_eq!(
        patched["phone_numbers"], created["phone_numbers"],
        "ids kept"
    );
    assert_eq!(patched["account_id"], account["id"]);
    assert_eq!(
        patched["custom_fields"],
        json!({"linkedin": "jdoe", "team": "core"})
    );
    assert_eq!(patched["version"], 2);

    // A stale If-Match is a 412 carrying the current version, and changes nothing.
    let stale = srv
        .patch_if_match(&path, &srv.admin_token, 1, &json!({"title": "CEO"}))
        .await;
    check(
        &stale,
        StatusCode::PRECONDITION_FAILED,
        "precondition_failed",
        None,
        None,
        "stale patch",
    );
    assert_eq!(stale.2["error"]["current_version"], 2);
    let stale = delete_if_match(&srv, &path, 1).await;
    check(
        &stale,
        StatusCode::PRECONDITION_FAILED,
        "precondition_failed",
        None,
        None,
        "stale delete",
    );
    assert_eq!(stale.2["error"]["current_version"], 2);
    assert_eq!(srv.get(&path, &srv.admin_token).await.2, patched);

    let (status, _, body) = delete_if_match(&srv, &path, 2).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let gone = srv.get(&path, &srv.admin_token).await;
    check(
        &gone,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
        None,
        "deleted contact",
    );
    let again = srv.delete(&path, &srv.admin_token).await;
    check(
        &again,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
        None,
        "delete twice",
    );
    assert!(all_contacts(&srv).await.is_empty());
});

both_backends!(bad_contact_bodies_change_nothing, |srv| async move {
    let t = srv.admin_token.clone();
    let seeded = create(
        &srv,
        "/v1/contacts",
        json!({"first_name": "Seed", "emails": ["seed@x.com"]}),
    )
    .await;
    let before = all_contacts(&srv).await;
    let too_many: Vec<String> = (0..101).map(|i| format!("p{i}@x.com")).collect();
    let cases: Vec<(Value, &str, &str, Option<Value>)> = vec![
        (
            json!({"emails": ["a@x.com", "not-an-email"]}),
            "invalid_email",
            "emails[1]",
            Some(json!("not-an-email")),
        ),
        (
            json!({"emails": too_many}),
            "too_many_items",
            "emails",
            Some(json!(101)),
        ),
        (
            json!({"first_name": "A", "stage": "nirvana"}),
            "invalid_value",
            "stage",
            Some(json!("nirvana")),
        ),
        (
            json!({"first_name": "A", "account_id": MISSING_ACCOUNT}),
            "invalid_value",
            "account_id",
            Some(json!(MISSING_ACCOUNT)),
        ),
        (
            json!({"first_name": "A", "account_id": "acc_123"}),
            "invalid_id",
            "account_id",
            Some(json!("acc_123")),
        ),
        (
            json!({"first_name": "A", "nickname": "J"}),
            "unknown_field",
            "nickname",
            None,
        ),
        (
            json!({"first_name": "A", "id": "con_x"}),
            "field_not_updatable",
            "id",
            None,
        ),
        (
            json!({"first_name": "A", "created_at": "2024-01-01"}),
            "field_not_updatable",
            "created_at",
            None,
        ),
        (
            json!({"first_name": "A", "version": 3}),
            "field_not_updatable",
            "version",
            None,
        ),
        (
            json!({"first_name": "A", "phone_numbers": [{"number": "1", "type": "pager"}]}),
            "invalid_type",
            "phone_numbers[0]",
            None,
        ),
        (
            json!({"first_name": "A", "phone_numbers": [{"number": " "}]}),
            "invalid_value",
            "phone_numbers[0].number",
            None,
        ),
        (
            json!({"first_name": "A", "custom_fields": ["x"]}),
            "invalid_type",
            "custom_fields",
            None,
        ),
        (
            json!({"first_name": "x".repeat(300)}),
            "too_long",
            "first_name",
            None,
        ),
        (json!({"first_name": 5}), "invalid_type", "first_name", None),
        (json!({"title": "CEO"}), "missing_field", "first_name", None),
    ];
    for (body, kind, field, value) in cases {
        let what = format!("create {body}");
        let r = srv.post("/v1/contacts", &t, &body).await;
        check(
            &r,
            StatusCode::BAD_REQUEST,
            kind,
            Some(field),
            value.as_ref(),
            &what,
        );
        assert_eq!(
            all_contacts(&srv).await,
            before,
            "{what}: stored data changed"
        );
    }

    let path = format!("/v1/contacts/{}", id(&seeded));
    let patches: Vec<(Value, &str, &str)> = vec![
        (
            json!({"account_id": MISSING_ACCOUNT}),
            "invalid_value",
            "account_id",
        ),
        (json!({"emails": ["bad"]}), "invalid_email", "emails[0]"),
        (json!({"stage": "nope"}), "invalid_value", "stage"),
        (
            json!({"updated_at": "2024-01-01"}),
            "field_not_updatable",
            "updated_at",
        ),
        (
            json!({"first_name": null, "emails": null}),
            "missing_field",
            "first_name",
        ),
    ];
    for (body, kind, field) in patches {
        let what = format!("patch {body}");
        let r = srv.patch(&path, &t, &body).await;
        check(&r, StatusCode::BAD_REQUEST, kind, Some(field), None, &what);
        assert_eq!(
            all_contacts(&srv).await,
            before,
            "{what}: stored data changed"
        );
    }

    let r = srv.get("/v1/contacts/con_nope", &t).await;
    check(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_id",
        Some("id"),
        Some(&json!("con_nope")),
        "bad id",
    );
    let r = srv
        .get(&format!("/v1/contacts/{MISSING_CONTACT}"), &t)
        .await;
    check(
        &r,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
        None,
        "unknown id",
    );
    let r = srv
        .patch(
            &format!("/v1/contacts/{MISSING_CONTACT}"),
            &t,
            &json!({"title": "x"}),
        )
        .await;
    check(
        &r,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
        None,
        "patch unknown id",
    );
    let r = srv
        .send(
            Method::POST,
            "/v1/contacts",
            Some(&t),
            &[("content-type", "application/json")],
            Some(b"{\"first_name\": ".to_vec()),
        )
        .await;
    check(
        &r,
        StatusCode::BAD_REQUEST,
        "malformed_json",
        None,
        None,
        "malformed json",
    );

    let lists: Vec<(String, &str, &str)> = vec![
        ("limit=0".into(), "invalid_value", "limit"),
        ("limit=1001".into(), "invalid_value", "limit"),
        ("cursor=garbage".into(), "invalid_cursor", "cursor"),
        ("email=nope".into(), "invalid_email", "email"),
        ("account_id=acc_1".into(), "invalid_id", "account_id"),
        (
            "updated_after=soon".into(),
            "invalid_value",
            "updated_after",
        ),
        ("status=open".into(), "unknown_parameter", "status"),
        (format!("q={}", "x".repeat(201)), "too_long", "q"),
        (
            format!("cursor={}", encode("opp_01jd5y0v4w8k9m2n3p4q5r6s7t")),
            "invalid_cursor",
            "cursor",
        ),
    ];
    for (query, kind, field) in lists {
        let r = srv.get(&format!("/v1/contacts?{query}"), &t).await;
        check(&r, StatusCode::BAD_REQUEST, kind, Some(field), None, &query);
    }
    assert_eq!(all_contacts(&srv).await, before);
});

both_backends!(contact_filters_and_pages, |srv| async move {
    let a = srv.create_account(json!({"name": "A"})).await;
    let b = srv.create_account(json!({"name": "B"})).await;
    let specs = [
        (json!({"first_name": "Ada", "last_name": "Lovelace", "emails": ["ada@engine.org"], "stage": "customer", "account_id": a["id"]})),
        (json!({"first_name": "Alan", "last_name": "Turing", "emails": ["alan@bletchley.uk"], "account_id": a["id"]})),
        (json!({"first_name": "Grace", "last_name": "Hopper", "emails": ["grace@navy.mil", "g_h@cobol.dev"], "stage": "customer", "account_id": b["id"]})),
        (json!({"first_name": "Edsger", "emails": ["ewd@utexas.edu"], "stage": "prospect"})),
        (json!({"last_name": "100% Real"})),
        (json!({"emails": ["only@mail.com"]})),
        (json!({"first_name": "Barbara", "last_name": "Liskov", "account_id": b["id"]})),
    ];
    let mut created = Vec::new();
    for spec in specs {
        created.push(create(&srv, "/v1/contacts", spec).await);
    }
    let ids = |list: &[Value]| list.iter().map(id).collect::<Vec<_>>();
    let t = srv.admin_token.clone();

    // Pages of 3 walk every contact once, in id order (creation order to the millisecond).
    let mut in_id_order = ids(&created);
    in_id_order.sort();
    let walked = all(&srv, &t, "/v1/contacts", 3).await;
    assert_eq!(ids(&walked), in_id_order);
    let (_, _, first) = srv.get("/v1/contacts?limit=3", &t).await;
    assert_eq!(first["has_more"], true);
    assert_eq!(first["data"].as_array().map(Vec::len), Some(3));

    let pick = |is: &[usize]| {
        let mut picked = is.iter().map(|i| id(&created[*i])).collect::<Vec<_>>();
        picked.sort();
        picked
    };
    let filtered = |query: String| {
        let srv = &srv;
        let t = t.clone();
        async move { ids(&all(srv, &t, &format!("/v1/contacts?{query}"), 2).await) }
    };
    let aid = a["id"].as_str().expect("id").to_string();
    assert_eq!(filtered(format!("account_id={aid}")).await, pick(&[0, 1]));
    assert_eq!(
        filtered(format!("email={}", encode(" G_H@Cobol.DEV "))).await,
        pick(&[2])
    );
    assert_eq!(
        filtered("email=nobody%40x.com".into()).await,
        Vec::<String>::new()
    );
    assert_eq!(filtered("stage=customer".into()).await, pick(&[0, 2]));
    assert_eq!(
        filtered(format!("stage=customer&account_id={aid}")).await,
        pick(&[0])
    );
    assert_eq!(
        filtered("q=AL".into()).await,
        pick(&[1, 4]),
        "alan, 100% real"
    );
    assert_eq!(filtered("q=navy".into()).await, pick(&[2]));
    assert_eq!(filtered("q=g_h".into()).await, pick(&[2]), "_ is literal");
    assert_eq!(
        filtered("q=100%25".into()).await,
        pick(&[4]),
        "% is literal"
    );
    assert_eq!(
        filtered("q=lovelace%20".into()).await,
        pick(&[0]),
        "q is trimmed"
    );
    assert_eq!(filtered("q=zzz".into()).await, Vec::<String>::new());

    // updated_after: only what changed after the mark.
    let mark = created[6]["updated_at"].as_str().expect("time").to_string();
    tokio_sleep().await;
    let path = format!("/v1/contacts/{}", id(&created[3]));
    let (status, _, _) = srv.patch(&path, &t, &json!({"title": "Professor"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        filtered(format!("updated_after={}", encode(&mark))).await,
        pick(&[3])
    );
});

async fn tokio_sleep() {
    orgstore_testkit::tokio::time::sleep(std::time::Duration::from_millis(5)).await;
}

both_backends!(contact_auth_and_tenancy, |srv| async move {
    let account = srv.create_account(json!({"name": "Acme"})).await;
    let contact = create(
        &srv,
        "/v1/contacts",
        json!({"first_name": "Jo", "account_id": account["id"]}),
    )
    .await;
    let path = format!("/v1/contacts/{}", id(&contact));

    let r = srv.send(Method::GET, &path, None, &[], None).await;
    check(
        &r,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        None,
        None,
        "no token",
    );
    let r = srv.get(&path, "osk_not-a-token").await;
    check(
        &r,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        None,
        None,
        "bad token",
    );

    let read = srv.token(Scope::Read).await;
    let (status, _, got) = srv.get(&path, &read).await;
    assert_eq!((status, &got), (StatusCode::OK, &contact));
    let r = srv
        .post("/v1/contacts", &read, &json!({"first_name": "No"}))
        .await;
    check(
        &r,
        StatusCode::FORBIDDEN,
        "forbidden",
        None,
        None,
        "read token creates",
    );
    let r = srv.patch(&path, &read, &json!({"title": "x"})).await;
    check(
        &r,
        StatusCode::FORBIDDEN,
        "forbidden",
        None,
        None,
        "read token patches",
    );
    let r = srv.delete(&path, &read).await;
    check(
        &r,
        StatusCode::FORBIDDEN,
        "forbidden",
        None,
        None,
        "read token deletes",
    );

    // Another workspace sees none of it, and cannot link to this workspace's account.
    let other = srv.second_workspace_token("other").await;
    for r in [
        srv.get(&path, &other).await,
        srv.patch(&path, &other, &json!({"title": "x"})).await,
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
    let (status, _, page) = srv.get("/v1/contacts", &other).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["data"], json!([]));
    let r = srv
        .post(
            "/v1/contacts",
            &other,
            &json!({"first_name": "X", "account_id": account["id"]}),
        )
        .await;
    check(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        Some("account_id"),
        Some(&account["id"]),
        "foreign account",
    );
    assert_eq!(
        srv.get(&path, &srv.admin_token).await.2,
        contact,
        "unchanged"
    );
});

both_backends!(idempotency_key_replays_a_contact_create, |srv| async move {
    let body = orgstore_testkit::serde_json::to_vec(&json!({"first_name": "Once"})).expect("body");
    let send = || {
        srv.send(
            Method::POST,
            "/v1/contacts",
            Some(&srv.admin_token),
            &[
                ("content-type", "application/json"),
                ("idempotency-key", "contact-1"),
            ],
            Some(body.clone()),
        )
    };
    let (status, _, first) = send().await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, headers, second) = send().await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(header(&headers, "idempotent-replayed"), Some("true"));
    assert_eq!(second, first);
    assert_eq!(all_contacts(&srv).await, vec![first]);
});
