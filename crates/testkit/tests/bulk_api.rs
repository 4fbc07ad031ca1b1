//! `POST /v1/accounts/bulk` end to end: per-row results in input order, dedupe within and
//! across requests, per-row errors, dedupe off, atomic, append_tags, limits and volume.

use std::collections::HashSet;
use std::time::Instant;

use orgstore_core::auth::Scope;
use orgstore_testkit::reqwest::{Method, StatusCode};
use orgstore_testkit::serde_json::{Value, json};
use orgstore_testkit::{TestServer, both_backends};

/// A user id of the right shape that no workspace has.
const UNKNOWN_USER: &str = "usr_01jd5y0v4w8k9m2n3p4q5r6s7t";

/// Posts a bulk body with the admin token.
async fn bulk(srv: &TestServer, body: Value) -> (StatusCode, Value) {
    let (status, _, response) = srv.post("/v1/accounts/bulk", &srv.admin_token, &body).await;
    (status, response)
}

/// Posts a bulk body that must succeed and returns its results.
async fn bulk_ok(srv: &TestServer, body: Value) -> Vec<Value> {
    let (status, response) = bulk(srv, body).await;
    assert_eq!(status, StatusCode::OK, "{response}");
    let results = response["results"].as_array().expect("results").clone();
    for (i, row) in results.iter().enumerate() {
        assert_eq!(row["index"], i, "results are in input order: {row}");
    }
    results
}

fn statuses(results: &[Value]) -> Vec<&str> {
    results
        .iter()
        .map(|r| r["status"].as_str().expect("status"))
        .collect()
}

fn id_of(row: &Value) -> &str {
    row["account"]["id"].as_str().expect("account id")
}

fn error_of(row: &Value) -> (&str, &str) {
    let err = &row["error"];
    (
        err["type"].as_str().expect("error type"),
        err["field"].as_str().unwrap_or(""),
    )
}

fn tag_names(account: &Value) -> Vec<&str> {
    account["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .map(|t| t["name"].as_str().expect("tag name"))
        .collect()
}

both_backends!(results_follow_input_order, |srv| async move {
    let results = bulk_ok(
        &srv,
        json!({"accounts": [
            {"name": "Acme", "domains": ["acme.com"]},
            {"domains": ["nameless.com"]},
            {"name": "Acme again", "domains": ["acme.com"]},
            {"name": "Beta", "domains": ["beta.com"], "industry": "Retail"},
        ]}),
    )
    .await;
    assert_eq!(
        statuses(&results),
        vec!["created", "error", "existing", "created"]
    );
    assert_eq!(results[0]["account"]["name"], "Acme");
    assert_eq!(results[0]["account"]["domains"], json!(["acme.com"]));
    assert!(results[0].get("error").is_none(), "{}", results[0]);
    assert!(results[1].get("account").is_none(), "{}", results[1]);
    assert_eq!(error_of(&results[1]), ("missing_field", "accounts[1].name"));
    assert!(results[1]["error"]["message"].is_string());
    assert_eq!(id_of(&results[2]), id_of(&results[0]));
    assert_eq!(
        results[2]["account"]["name"], "Acme",
        "the first row is written"
    );
    assert_eq!(results[3]["account"]["industry"], "Retail");
    assert_eq!(results[3]["account"]["version"], 1);

    let stored = srv.all_accounts(&srv.admin_token).await;
    assert_eq!(stored.len(), 2);
    let (_, _, got) = srv
        .get(
            &format!("/v1/accounts/{}", id_of(&results[3])),
            &srv.admin_token,
        )
        .await;
    assert_eq!(
        got, results[3]["account"],
        "the result is the stored account"
    );

    // An empty list is fine.
    assert!(bulk_ok(&srv, json!({"accounts": []})).await.is_empty());
});

both_backends!(domain_spellings_collapse, |srv| async move {
    let results = bulk_ok(
        &srv,
        json!({"accounts": [
            {"name": "Acme", "domains": ["https://www.Acme.com/x"]},
            {"name": "Acme Inc", "domains": ["ACME.COM."]},
            {"name": "acme", "domains": ["acme.com"]},
        ]}),
    )
    .await;
    assert_eq!(statuses(&results), vec!["created", "existing", "existing"]);
    let id = id_of(&results[0]).to_string();
    assert!(results.iter().all(|r| id_of(r) == id), "{results:?}");
    assert_eq!(results[0]["account"]["domains"], json!(["acme.com"]));

    // Across requests: another spelling matches the stored account.
    let results = bulk_ok(
        &srv,
        json!({"accounts": [
            {"name": "Other", "domains": ["http://WWW.ACME.COM:8080/about?x=1"]},
            {"name": "New", "domains": ["new.io", "www.acme.com"]},
        ]}),
    )
    .await;
    assert_eq!(statuses(&results), vec!["existing", "existing"]);
    assert_eq!(id_of(&results[0]), id);
    assert_eq!(id_of(&results[1]), id);
    assert_eq!(srv.all_accounts(&srv.admin_token).await.len(), 1);
});

both_backends!(external_refs_match_first, |srv| async move {
    let held = srv
        .create_account(json!({"name": "Held", "external_refs": ["sf-1"], "domains": ["held.com"]}))
        .await;
    let other = srv
        .create_account(
            json!({"name": "Other", "domains": ["other.com"], "external_refs": ["sf-9"]}),
        )
        .await;
    let results = bulk_ok(
        &srv,
        json!({"accounts": [
            {"name": "By ref", "external_refs": ["sf-1"], "domains": ["fresh.com"]},
            {"name": "Ref beats domain", "external_refs": ["sf-1"], "domains": ["other.com"]},
            {"name": "New ref", "external_refs": ["sf-2"]},
            {"name": "Same new ref", "external_refs": ["sf-2"]},
            {"name": "Domain only", "domains": ["held.com"]},
        ]}),
    )
    .await;
    assert_eq!(
        statuses(&results),
        vec!["existing", "existing", "created", "existing", "existing"]
    );
    assert_eq!(id_of(&results[0]), held["id"]);
    assert_eq!(id_of(&results[1]), held["id"]);
    assert_eq!(id_of(&results[2]), id_of(&results[3]));
    assert_eq!(results[2]["account"]["external_refs"], json!(["sf-2"]));
    assert_eq!(id_of(&results[4]), held["id"]);

    // Refs held by two accounts are ambiguous.
    let results = bulk_ok(
        &srv,
        json!({"accounts": [{"name": "Two", "external_refs": ["sf-9", "sf-1"]}]}),
    )
    .await;
    let err = &results[0]["error"];
    assert_eq!(
        error_of(&results[0]),
        ("ambiguous_match", "accounts[0].external_refs")
    );
    let mut candidates: Vec<&str> = err["value"]
        .as_array()
        .expect("candidates")
        .iter()
        .map(|v| v.as_str().expect("id"))
        .collect();
    candidates.sort_unstable();
    let mut want = vec![
        held["id"].as_str().expect("id"),
        other["id"].as_str().expect("id"),
    ];
    want.sort_unstable();
    assert_eq!(candidates, want);
});

both_backends!(matching_by_ref_then_domain, |srv| async move {
    let by_ref = srv
        .create_account(json!({"name": "Ref", "external_refs": ["crm-1"]}))
        .await;
    let by_domain = srv
        .create_account(json!({"name": "Dom", "domains": ["dom.com"]}))
        .await;
    srv.create_account(json!({"name": "Third", "domains": ["third.com"]}))
        .await;
    let results = bulk_ok(
        &srv,
        json!({"accounts": [
            {"name": "x", "external_refs": ["crm-1"], "domains": ["unrelated.com"]},
            {"name": "y", "domains": ["dom.com"]},
            {"name": "z", "external_refs": ["crm-1"], "domains": ["dom2.com"]},
            {"name": "w", "external_refs": ["crm-404"], "domains": ["dom.com", "dom3.com"]},
        ]}),
    )
    .await;
    assert_eq!(
        statuses(&results),
        vec!["existing", "existing", "existing", "existing"]
    );
    assert_eq!(id_of(&results[0]), by_ref["id"]);
    assert_eq!(id_of(&results[2]), by_ref["id"]);
    assert_eq!(id_of(&results[1]), by_domain["id"]);
    assert_eq!(id_of(&results[3]), by_domain["id"]);
    // A group matching two accounts through its domains is ambiguous.
    let results = bulk_ok(
        &srv,
        json!({"accounts": [{"name": "both", "domains": ["dom.com"], "external_refs": []},
                            {"name": "both2", "domains": ["dom.com", "x.org"]},
                            {"name": "Ref owner", "external_refs": ["crm-1"], "domains": ["x.org"]}]}),
    )
    .await;
    assert_eq!(statuses(&results), vec!["existing", "existing", "existing"]);
    assert_eq!(
        id_of(&results[0]),
        by_ref["id"],
        "the ref of the group wins"
    );
    let results = bulk_ok(
        &srv,
        json!({"accounts": [{"name": "amb", "domains": ["dom.com", "third.com"]}]}),
    )
    .await;
    assert_eq!(statuses(&results), vec!["error"], "{results:?}");
    let err = &results[0]["error"];
    assert_eq!(err["type"], "ambiguous_match");
    assert_eq!(err["field"], "accounts[0].domains");
    assert_eq!(err["value"].as_array().map(Vec::len), Some(2), "{err}");
});

both_backends!(row_errors_name_their_fields, |srv| async move {
    let owner = srv.owner_id().await;
    let results = bulk_ok(
        &srv,
        json!({"accounts": [
            {"name": "Bad domain", "domains": ["ok.com", "not a domain"]},
            {"name": "Bad stage", "stage": "nope"},
            {"domains": ["noname.com"]},
            {"name": "Bad owner", "owners": [owner, UNKNOWN_USER]},
            {"name": "Bad tag", "tags": [{"id": "tag_01jd5y0v4w8k9m2n3p4q5r6s7t"}]},
            {"name": "Unknown field", "colour": "red"},
            "not an object",
            {"name": "Good", "domains": ["good.com"], "stage": "customer", "owners": [owner], "tags": ["vip"]},
        ]}),
    )
    .await;
    let expected = [
        ("invalid_domain", "accounts[0].domains[1]"),
        ("invalid_value", "accounts[1].stage"),
        ("missing_field", "accounts[2].name"),
        ("invalid_value", "accounts[3].owners[1]"),
        ("invalid_value", "accounts[4].tags[0].id"),
        ("unknown_field", "accounts[5].colour"),
        ("invalid_type", "accounts[6]"),
    ];
    for (i, want) in expected.iter().enumerate() {
        assert_eq!(results[i]["status"], "error", "{}", results[i]);
        assert_eq!(error_of(&results[i]), *want, "{}", results[i]);
    }
    assert_eq!(results[0]["error"]["value"], "not a domain");
    assert_eq!(results[1]["error"]["value"], "nope");
    assert_eq!(results[7]["status"], "created");
    assert_eq!(results[7]["account"]["stage"], "customer");
    assert_eq!(results[7]["account"]["owners"], json!([owner]));
    assert_eq!(tag_names(&results[7]["account"]), vec!["vip"]);
    let stored = srv.all_accounts(&srv.admin_token).await;
    assert_eq!(stored.len(), 1, "only the valid row is stored");
});

both_backends!(without_dedupe_taken_domains_conflict, |srv| async move {
    let holder = srv
        .create_account(
            json!({"name": "Holder", "domains": ["taken.com"], "external_refs": ["r-1"]}),
        )
        .await;
    let results = bulk_ok(
        &srv,
        json!({"dedupe": false, "accounts": [
            {"name": "A", "domains": ["free.com", "https://taken.com"]},
            {"name": "B", "domains": ["b.com"]},
            {"name": "C", "domains": ["B.com"]},
            {"name": "D", "external_refs": ["r-1"]},
            {"name": "E", "domains": ["e.com"]},
            {"name": "F", "stage": "nope", "domains": ["f.com"]},
            {"name": "G", "domains": ["f.com"]},
        ]}),
    )
    .await;
    assert_eq!(
        statuses(&results),
        vec![
            "error", "created", "error", "error", "created", "error", "created"
        ]
    );
    assert_eq!(
        error_of(&results[0]),
        ("domain_conflict", "accounts[0].domains[1]")
    );
    assert_eq!(results[0]["error"]["existing_id"], holder["id"]);
    assert_eq!(results[0]["error"]["value"], "taken.com");
    assert_eq!(
        error_of(&results[2]),
        ("domain_conflict", "accounts[2].domains[0]")
    );
    assert_eq!(results[2]["error"]["existing_id"], id_of(&results[1]));
    assert_eq!(
        error_of(&results[3]),
        ("external_ref_conflict", "accounts[3].external_refs[0]")
    );
    assert_eq!(
        error_of(&results[5]),
        ("invalid_value", "accounts[5].stage")
    );
    assert_eq!(srv.all_accounts(&srv.admin_token).await.len(), 4);
});

both_backends!(atomic_is_all_or_nothing, |srv| async move {
    srv.create_account(json!({"name": "Holder", "domains": ["taken.com"]}))
        .await;
    let cases = [
        (
            json!([{"name": "ok", "domains": ["a1.com"]}, {"name": "bad", "domains": ["bad domain"]}]),
            true,
            StatusCode::BAD_REQUEST,
            "invalid_domain",
            "accounts[1].domains[0]",
        ),
        (
            json!([{"name": "ok", "domains": ["a1.com"]}, {"name": "ok2"}, {"name": "bad", "stage": "nope"}]),
            true,
            StatusCode::BAD_REQUEST,
            "invalid_value",
            "accounts[2].stage",
        ),
        (
            json!([{"name": "ok", "domains": ["a1.com"]}, {"name": "bad", "domains": ["www.taken.com"]}]),
            false,
            StatusCode::CONFLICT,
            "domain_conflict",
            "accounts[1].domains[0]",
        ),
    ];
    for (accounts, dedupe, status, kind, field) in cases {
        let (got, body) = bulk(
            &srv,
            json!({"atomic": true, "dedupe": dedupe, "accounts": accounts}),
        )
        .await;
        assert_eq!(got, status, "{body}");
        assert_eq!(body["error"]["type"], kind, "{body}");
        assert_eq!(body["error"]["field"], field, "{body}");
        assert_eq!(
            srv.all_accounts(&srv.admin_token).await.len(),
            1,
            "nothing was written"
        );
    }
    let results = bulk_ok(
        &srv,
        json!({"atomic": true, "accounts": [{"name": "a", "domains": ["a1.com"]}, {"name": "t", "domains": ["taken.com"]}]}),
    )
    .await;
    assert_eq!(statuses(&results), vec!["created", "existing"]);
    assert_eq!(
        results[0]["account"]["display_id"], "ACC-2",
        "failed attempts took no numbers"
    );
});

both_backends!(append_tags_reach_created_and_existing, |srv| async move {
    let old = srv
        .create_account(json!({"name": "Old", "domains": ["old.com"], "tags": ["legacy"]}))
        .await;
    let body = json!({"append_tags": ["imported", " LEGACY ", "Q3"], "accounts": [
        {"name": "Old again", "domains": ["old.com"]},
        {"name": "New", "domains": ["new.com"], "tags": [{"name": "tier", "value": "gold"}, "q3"]},
    ]});
    let results = bulk_ok(&srv, body.clone()).await;
    assert_eq!(statuses(&results), vec!["existing", "created"]);
    let existing = &results[0]["account"];
    assert_eq!(existing["id"], old["id"]);
    // "Q3" names the tag the row "New" creates as "q3".
    assert_eq!(tag_names(existing), vec!["legacy", "imported", "q3"]);
    assert_eq!(existing["version"], 2, "gaining tags is a change");
    assert_ne!(existing["updated_at"], old["updated_at"]);
    let created = &results[1]["account"];
    assert_eq!(tag_names(created), vec!["tier", "q3", "imported", "legacy"]);
    assert_eq!(created["tags"][0]["value"], "gold");
    assert_eq!(created["version"], 1);

    // Again: every tag is there already, so nothing changes.
    let results = bulk_ok(&srv, body).await;
    assert_eq!(statuses(&results), vec!["existing", "existing"]);
    assert_eq!(results[0]["account"]["version"], 2);
    assert_eq!(results[1]["account"]["version"], 1);

    let (status, body) = bulk(
        &srv,
        json!({"append_tags": ["ok", "  "], "accounts": [{"name": "x"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["field"], "append_tags[1]");
});

both_backends!(limits_and_bad_bodies, |srv| async move {
    let rows: Vec<Value> = (0..10_001)
        .map(|i| json!({"name": format!("n{i}")}))
        .collect();
    let (status, body) = bulk(&srv, json!({"accounts": rows})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["type"], "too_many_items");
    assert_eq!(body["error"]["field"], "accounts");

    let (status, body) = bulk(&srv, json!({"accounts": [], "dedup": true})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["type"], "unknown_field");
    assert_eq!(body["error"]["field"], "dedup");

    let (status, body) = bulk(&srv, json!({"dedupe": true})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["field"], "accounts");

    let token = srv.admin_token.clone();
    let (status, _, body) = srv
        .send(
            Method::POST,
            "/v1/accounts/bulk",
            Some(&token),
            &[("content-type", "text/plain")],
            Some(b"{}".to_vec()),
        )
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    let (status, _, body) = srv
        .send(
            Method::POST,
            "/v1/accounts/bulk",
            Some(&token),
            &[("content-type", "application/json")],
            Some(b"{\"accounts\": [".to_vec()),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["type"], "malformed_json");

    // Larger than the 1 MiB of other routes is fine; larger than 64 MiB is a 413.
    let big = vec![b' '; 65 * 1024 * 1024];
    let (status, _, body) = srv
        .send(
            Method::POST,
            "/v1/accounts/bulk",
            Some(&token),
            &[("content-type", "application/json")],
            Some(big),
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["error"]["type"], "payload_too_large");
});

both_backends!(read_token_is_forbidden, |srv| async move {
    let read = srv.token(Scope::Read).await;
    let (status, _, body) = srv
        .post(
            "/v1/accounts/bulk",
            &read,
            &json!({"accounts": [{"name": "x"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["type"], "forbidden");
    let (status, _, _) = srv
        .send(Method::POST, "/v1/accounts/bulk", None, &[], None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(srv.all_accounts(&srv.admin_token).await.is_empty());
});

/// `count` rows, every tenth repeating an earlier row's domain in another spelling.
fn volume_rows(count: usize, offset: usize) -> Vec<Value> {
    (0..count)
        .map(|i| {
            let n = i + offset;
            let domain = if i % 10 == 9 {
                format!("https://WWW.Company{}.example/about", n - 5)
            } else {
                format!("company{n}.example")
            };
            json!({
                "name": format!("Company {n}"),
                "domains": [domain],
                "industry": "Software",
                "number_of_employees": n % 500,
                "tags": ["bulk"],
                "external_refs": [format!("ext-{n}")],
            })
        })
        .collect()
}

both_backends!(thousands_of_rows, |srv| async move {
    let started = Instant::now();
    let results = bulk_ok(&srv, json!({"accounts": volume_rows(3_000, 0)})).await;
    let created: Vec<&Value> = results
        .iter()
        .filter(|r| r["status"] == "created")
        .collect();
    let existing = results.iter().filter(|r| r["status"] == "existing").count();
    assert_eq!((created.len(), existing), (2_700, 300));
    // Display ids are unique and increase in input order.
    let numbers: Vec<i64> = created
        .iter()
        .map(|r| {
            let id = r["account"]["display_id"].as_str().expect("display id");
            id.trim_start_matches("ACC-").parse().expect("number")
        })
        .collect();
    assert!(numbers.windows(2).all(|w| w[0] < w[1]), "increasing");
    assert_eq!(numbers.first(), Some(&1));
    let stored = srv.all_accounts(&srv.admin_token).await;
    assert_eq!(stored.len(), 2_700);
    let display: HashSet<&str> = stored
        .iter()
        .map(|a| a["display_id"].as_str().expect("display id"))
        .collect();
    assert_eq!(display.len(), 2_700, "display ids are unique");
    println!(
        "bulk of 3,000 rows on {:?}: {:?}",
        srv.backend,
        started.elapsed()
    );
});

both_backends!(ten_thousand_rows, |srv| async move {
    let body = json!({"accounts": volume_rows(10_000, 0), "append_tags": ["import-1"]});
    let started = Instant::now();
    let results = bulk_ok(&srv, body).await;
    let first = started.elapsed();
    assert_eq!(
        results.iter().filter(|r| r["status"] == "created").count(),
        9_000
    );
    // The same rows again all match.
    let body = json!({"accounts": volume_rows(10_000, 0), "append_tags": ["import-2"]});
    let started = Instant::now();
    let results = bulk_ok(&srv, body).await;
    let second = started.elapsed();
    assert!(results.iter().all(|r| r["status"] == "existing"));
    assert_eq!(
        tag_names(&results[0]["account"]),
        vec!["bulk", "import-1", "import-2"]
    );
    assert_eq!(srv.all_accounts(&srv.admin_token).await.len(), 9_000);
    println!(
        "bulk of 10,000 rows on {:?}: {first:?} creating, {second:?} matching",
        srv.backend
    );
});

both_backends!(openapi_documents_the_route, |srv| async move {
    let (status, _, doc) = srv
        .send(Method::GET, "/v1/openapi.json", None, &[], None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let op = &doc["paths"]["/v1/accounts/bulk"]["post"];
    let request = &op["requestBody"]["content"]["application/json"]["schema"]["$ref"];
    assert_eq!(request, "#/components/schemas/BulkRequest", "{op}");
    let response = &op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"];
    assert_eq!(response, "#/components/schemas/BulkResponseBody", "{op}");
    let schemas = &doc["components"]["schemas"];
    for name in [
        "BulkRequest",
        "BulkResponseBody",
        "BulkResultBody",
        "BulkStatus",
    ] {
        assert!(schemas[name].is_object(), "{name} is documented");
    }
    assert_eq!(
        schemas["BulkRequest"]["properties"]["dedupe"]["default"],
        true
    );
});

both_backends!(
    concurrent_bulks_make_one_account_per_domain,
    |srv| async move {
        // Both requests may look the domains up before either commits; the loser's claims miss,
        // and its retry matches the winner's accounts.
        let body = json!({"accounts": volume_rows(500, 0)});
        let (a, b) = orgstore_testkit::tokio::join!(bulk(&srv, body.clone()), bulk(&srv, body));
        assert_eq!(a.0, StatusCode::OK, "{}", a.1);
        assert_eq!(b.0, StatusCode::OK, "{}", b.1);
        let (a, b) = (
            a.1["results"].as_array().expect("results").clone(),
            b.1["results"].as_array().expect("results").clone(),
        );
        for (x, y) in a.iter().zip(&b) {
            assert_ne!(x["status"], "error", "{x}");
            assert_ne!(y["status"], "error", "{y}");
            assert_eq!(id_of(x), id_of(y), "both name the same account");
        }
        assert_eq!(srv.all_accounts(&srv.admin_token).await.len(), 450);
    }
);
