//! Capabilities of the account model that every surface shares, through the native API on
//! both stores: websites fill domains (create, PATCH, the domains sub-resource, assert, bulk),
//! `last_activity_at` follows the account and its contacts, opportunities and cases (and
//! sorts and filters), and `created_at` stays a field the native API refuses.

use std::time::Duration;

use orgstore_testkit::reqwest::StatusCode;
use orgstore_testkit::serde_json::{Value, json};
use orgstore_testkit::{TestServer, both_backends, header, tokio};

fn id(record: &Value) -> String {
    record["id"].as_str().expect("id").to_string()
}

async fn get(srv: &TestServer, path: &str) -> Value {
    let (status, _, body) = srv.get(path, &srv.admin_token).await;
    assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
    body
}

async fn account(srv: &TestServer, account_id: &str) -> Value {
    get(srv, &format!("/v1/accounts/{account_id}")).await
}

async fn patch(srv: &TestServer, path: &str, body: Value) -> Value {
    let (status, _, patched) = srv.patch(path, &srv.admin_token, &body).await;
    assert_eq!(status, StatusCode::OK, "PATCH {path} {body}: {patched}");
    patched
}

async fn post(srv: &TestServer, path: &str, body: Value, expected: StatusCode) -> Value {
    let (status, _, answer) = srv.post(path, &srv.admin_token, &body).await;
    assert_eq!(status, expected, "POST {path} {body}: {answer}");
    answer
}

/// Ids of the accounts a domain filter finds.
async fn by_domain(srv: &TestServer, domain: &str) -> Vec<String> {
    let page = get(
        srv,
        &format!("/v1/accounts?domain={}", orgstore_testkit::encode(domain)),
    )
    .await;
    page["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(id)
        .collect()
}

/// Lets the clock move on, so that the next write's timestamps are later than the last's.
async fn tick() {
    tokio::time::sleep(Duration::from_millis(5)).await;
}

fn at(record: &Value, field: &str) -> String {
    record[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} of {record}"))
        .to_string()
}

both_backends!(a_website_fills_the_domains, |srv| async move {
    let acme = srv
        .create_account(json!({"name": "Acme", "websites": ["https://www.Acme.com/about"]}))
        .await;
    assert_eq!(acme["domains"], json!(["acme.com"]));
    assert_eq!(by_domain(&srv, "https://ACME.com").await, vec![id(&acme)]);

    // Social profiles and link shorteners are nobody's domain.
    let beta = srv
        .create_account(json!({"name": "Beta", "websites": [
            "https://www.linkedin.com/company/beta", "https://bit.ly/beta",
            {"url": "https://m.facebook.com/beta", "type": "social"}, "https://beta.io/"
        ]}))
        .await;
    assert_eq!(beta["domains"], json!(["beta.io"]));
    assert!(by_domain(&srv, "linkedin.com").await.is_empty());

    // The account's own domains come first; a website under one of them adds nothing.
    let gamma = srv
        .create_account(json!({
            "name": "Gamma", "domains": ["gamma.com"],
            "websites": ["https://blog.gamma.com", "https://gamma.dev/en", "https://GAMMA.dev"]
        }))
        .await;
    assert_eq!(gamma["domains"], json!(["gamma.com", "gamma.dev"]));

    // A host another account holds is left out: the website never makes a create fail.
    let careers = srv
        .create_account(json!({"name": "Acme Careers", "websites": ["https://acme.com/careers"]}))
        .await;
    assert_eq!(careers["domains"], json!([]));
    assert_eq!(careers["websites"][0]["url"], "https://acme.com/careers");
    assert_eq!(by_domain(&srv, "acme.com").await, vec![id(&acme)]);
});

both_backends!(
    rewrites_add_the_hosts_of_new_websites_only,
    |srv| async move {
        let acme = srv
            .create_account(json!({"name": "Acme", "websites": ["https://acme.com"]}))
            .await;
        let path = format!("/v1/accounts/{}", id(&acme));

        // A new website adds its host; the domain an earlier website added stays.
        let patched = patch(&srv, &path, json!({"websites": ["https://acme.io"]})).await;
        assert_eq!(patched["domains"], json!(["acme.com", "acme.io"]));

        // A domain the user removes stays removed while its website stays.
        let patched = patch(&srv, &path, json!({"domains": ["acme.com"]})).await;
        assert_eq!(patched["domains"], json!(["acme.com"]));
        assert_eq!(
            patched["websites"],
            json!([{"url": "https://acme.io", "type": null}])
        );
        let patched = patch(&srv, &path, json!({"industry": "Software"})).await;
        assert_eq!(patched["domains"], json!(["acme.com"]));
        let patched = patch(
            &srv,
            &path,
            json!({"websites": ["https://www.acme.io/en", "https://acme.com"]}),
        )
        .await;
        assert_eq!(patched["domains"], json!(["acme.com"]), "no website is new");
        let (status, _, _) = srv
            .delete(&format!("{path}/domains/acme.com"), &srv.admin_token)
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(account(&srv, &id(&acme)).await["domains"], json!([]));

        // Websites going away take no domain with them.
        let patched = patch(&srv, &path, json!({"websites": ["https://shop.acme.net"]})).await;
        assert_eq!(patched["domains"], json!(["shop.acme.net"]));
        let patched = patch(&srv, &path, json!({"websites": null})).await;
        assert_eq!(patched["domains"], json!(["shop.acme.net"]));
        assert_eq!(patched["websites"], json!([]));
    }
);

both_backends!(assert_and_bulk_fill_domains_too, |srv| async move {
    let created = post(
        &srv,
        "/v1/accounts/assert",
        json!({"match": {"external_ref": "crm-1"},
               "account": {"name": "Initech", "websites": ["https://www.initech.com/"]}}),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created["domains"], json!(["initech.com"]));
    assert_eq!(created["external_refs"], json!(["crm-1"]));
    // Found again by the domain its website gave it.
    let updated = post(
        &srv,
        "/v1/accounts/assert",
        json!({"match": {"domain": "INITECH.com"},
               "account": {"websites": ["https://initech.com", "https://initech.io"]}}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(updated["id"], created["id"]);
    assert_eq!(updated["domains"], json!(["initech.com", "initech.io"]));

    let results = post(
        &srv,
        "/v1/accounts/bulk",
        json!({"accounts": [
            {"name": "Hooli", "websites": ["https://hooli.xyz/about"]},
            {"name": "Hooli Inc", "domains": ["www.HOOLI.xyz"]},
            {"name": "Initech again", "websites": ["https://initech.io/careers"]},
            {"name": "Profile only", "websites": ["https://twitter.com/someone"]},
        ]}),
        StatusCode::OK,
    )
    .await["results"]
        .clone();
    let status = |i: usize| results[i]["status"].as_str().expect("status").to_string();
    assert_eq!(
        (0..4).map(status).collect::<Vec<_>>(),
        vec!["created", "existing", "existing", "created"],
        "{results}"
    );
    assert_eq!(results[0]["account"]["domains"], json!(["hooli.xyz"]));
    assert_eq!(results[1]["account"]["id"], results[0]["account"]["id"]);
    assert_eq!(results[2]["account"]["id"], created["id"]);
    assert_eq!(results[3]["account"]["domains"], json!([]));
});

both_backends!(
    last_activity_follows_the_account_and_its_records,
    |srv| async move {
        let acme = srv.create_account(json!({"name": "Acme"})).await;
        let other = srv.create_account(json!({"name": "Other"})).await;
        let (aid, oid) = (id(&acme), id(&other));
        assert_eq!(at(&acme, "last_activity_at"), at(&acme, "created_at"));
        assert_eq!(at(&acme, "last_activity_at"), at(&acme, "updated_at"));

        tick().await;
        let patched = patch(
            &srv,
            &format!("/v1/accounts/{aid}"),
            json!({"tier": "gold"}),
        )
        .await;
        assert_eq!(patched["version"], 2);
        assert_eq!(at(&patched, "last_activity_at"), at(&patched, "updated_at"));
        assert!(at(&patched, "last_activity_at") > at(&acme, "last_activity_at"));

        // Each write of a linked record moves the account's last activity, and nothing else.
        let mut last = at(&patched, "last_activity_at");
        let updated_at = patched["updated_at"].clone();
        let mut moved = |now: &Value, what: &str| {
            assert_eq!(now["version"], 2, "{what}: the version stays");
            assert_eq!(now["updated_at"], updated_at, "{what}");
            let activity = at(now, "last_activity_at");
            assert!(activity > last, "{what}: {activity} after {last}");
            last = activity.clone();
            activity
        };
        tick().await;
        let contact = post(
            &srv,
            "/v1/contacts",
            json!({"first_name": "Cy", "account_id": aid}),
            StatusCode::CREATED,
        )
        .await;
        let (_, headers, now) = srv
            .get(&format!("/v1/accounts/{aid}"), &srv.admin_token)
            .await;
        assert_eq!(header(&headers, "etag"), Some("\"2\""));
        moved(&now, "contact created");
        tick().await;
        patch(
            &srv,
            &format!("/v1/contacts/{}", id(&contact)),
            json!({"title": "CTO"}),
        )
        .await;
        moved(&account(&srv, &aid).await, "contact updated");
        tick().await;
        let deal = post(
            &srv,
            "/v1/opportunities",
            json!({"name": "Deal", "account_id": aid}),
            StatusCode::CREATED,
        )
        .await;
        moved(&account(&srv, &aid).await, "opportunity created");
        tick().await;
        patch(
            &srv,
            &format!("/v1/opportunities/{}", id(&deal)),
            json!({"status": "won"}),
        )
        .await;
        moved(&account(&srv, &aid).await, "opportunity updated");
        tick().await;
        post(
            &srv,
            "/v1/cases",
            json!({"title": "Ticket", "account_id": aid}),
            StatusCode::CREATED,
        )
        .await;
        moved(&account(&srv, &aid).await, "case created");

        // Linking and unlinking from the account side.
        let loose = post(
            &srv,
            "/v1/contacts",
            json!({"first_name": "Lou"}),
            StatusCode::CREATED,
        )
        .await;
        tick().await;
        let link = json!({"contact_id": id(&loose)});
        post(
            &srv,
            &format!("/v1/accounts/{aid}/contacts"),
            link.clone(),
            StatusCode::OK,
        )
        .await;
        moved(&account(&srv, &aid).await, "contact linked");
        tick().await;
        let (status, _, _) = srv
            .delete(
                &format!("/v1/accounts/{aid}/contacts/{}", id(&loose)),
                &srv.admin_token,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let unlinked = moved(&account(&srv, &aid).await, "contact unlinked");

        // A failed link changes nothing.
        tick().await;
        let missing = "con_01jd5y0v4w8k9m2n3p4q5r6s7t";
        let (status, _, _) = srv
            .post(
                &format!("/v1/accounts/{aid}/contacts"),
                &srv.admin_token,
                &json!({"contact_id": missing}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(at(&account(&srv, &aid).await, "last_activity_at"), unlinked);

        // Moving a record moves both accounts' last activity.
        let before_other = at(&account(&srv, &oid).await, "last_activity_at");
        tick().await;
        patch(
            &srv,
            &format!("/v1/contacts/{}", id(&contact)),
            json!({"account_id": oid}),
        )
        .await;
        moved(&account(&srv, &aid).await, "contact moved away");
        let other_now = account(&srv, &oid).await;
        assert!(at(&other_now, "last_activity_at") > before_other);
        assert_eq!(other_now["version"], 1);
    }
);

both_backends!(last_activity_sorts_and_filters, |srv| async move {
    let mut accounts = Vec::new();
    for name in ["First", "Second", "Third"] {
        accounts.push(srv.create_account(json!({"name": name})).await);
        tick().await;
    }
    // The first account becomes the most recently active.
    post(
        &srv,
        "/v1/contacts",
        json!({"first_name": "Al", "account_id": accounts[0]["id"]}),
        StatusCode::CREATED,
    )
    .await;
    let names = |page: &Value| -> Vec<String> {
        page["data"]
            .as_array()
            .expect("data")
            .iter()
            .map(|a| a["name"].as_str().expect("name").to_string())
            .collect()
    };
    let sorted = post(
        &srv,
        "/v1/accounts/query",
        json!({"sort": [{"field": "last_activity_at", "direction": "desc"}]}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(names(&sorted), vec!["First", "Third", "Second"]);
    let second = account(&srv, &id(&accounts[1])).await;
    let filtered = post(
        &srv,
        "/v1/accounts/query",
        json!({
            "filter": {"field": "last_activity_at", "op": "gt", "value": second["last_activity_at"]},
            "sort": [{"field": "last_activity_at", "direction": "asc"}]
        }),
        StatusCode::OK,
    )
    .await;
    assert_eq!(names(&filtered), vec!["Third", "First"]);
    let paged = post(
        &srv,
        "/v1/accounts/query",
        json!({"sort": [{"field": "last_activity_at", "direction": "desc"}], "limit": 2}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(names(&paged), vec!["First", "Third"]);
    let rest = post(
        &srv,
        "/v1/accounts/query",
        json!({"sort": [{"field": "last_activity_at", "direction": "desc"}], "limit": 2,
               "cursor": paged["next_cursor"]}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(names(&rest), vec!["Second"]);
});

both_backends!(created_at_stays_server_owned_natively, |srv| async move {
    let err = post(
        &srv,
        "/v1/accounts",
        json!({"name": "Old", "created_at": "2019-01-01T00:00:00Z"}),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(err["error"]["type"], "field_not_updatable", "{err}");
    assert_eq!(err["error"]["field"], "created_at", "{err}");
    let results = post(
        &srv,
        "/v1/accounts/bulk",
        json!({"accounts": [{"name": "Old", "created_at": "2019-01-01T00:00:00Z"}]}),
        StatusCode::OK,
    )
    .await["results"]
        .clone();
    assert_eq!(results[0]["error"]["type"], "field_not_updatable");
    assert_eq!(results[0]["error"]["field"], "accounts[0].created_at");
});
