//! The native accounts API end to end: create, read, patch, delete, list, dedupe conflicts.

use orgstore_testkit::reqwest::StatusCode;
use orgstore_testkit::serde_json::{Value, json};
use orgstore_testkit::{both_backends, define_field, encode, header};

fn is_rfc3339(v: &Value) -> bool {
    v.as_str().is_some_and(|s| {
        s.len() >= 20
            && s.as_bytes()[4] == b'-'
            && s.as_bytes()[10] == b'T'
            && (s.ends_with('Z') || s.contains('+') || s[19..].contains('-'))
    })
}

both_backends!(every_field_round_trips, |srv| async move {
    // Custom fields are defined before they are written.
    define_field(&srv, "accounts", "region", "text").await;
    define_field(&srv, "accounts", "score", "integer").await;
    let owner = srv.owner_id().await;
    let body = json!({
        "name": "Acme Corporation",
        "description": "Makers of everything.\nSecond line.",
        "domains": ["https://www.Acme.COM/about", "acme.io"],
        "websites": [{"url": "https://www.acme.com", "type": "primary"}, {"url": "https://blog.acme.com", "type": "blog"}],
        "industry": "Manufacturing",
        "tier": "enterprise",
        "company_size": "51-200",
        "number_of_employees": 180,
        "annual_revenue": 12500000.5,
        "stage": "customer",
        "owners": [owner],
        "phone_numbers": [{"number": "+1 (415) 555-0100", "extension": "12", "type": "work"}],
        "addresses": [{"type": "billing", "street_1": "1 Main St", "street_2": "Suite 5", "city": "Springfield", "state": "IL", "postal_code": "62701", "country": "US"}],
        "tags": ["vip", {"name": "tier", "value": "gold"}],
        "external_refs": ["sf:001ABC"],
        "custom_fields": {"region": "emea", "score": 7},
        "artifacts": ["art_1", "art_2"],
        "remote_data": {"nested": {"a": [1, 2, {"b": null}]}, "flag": true}
    });
    let (status, headers, created) = srv.post("/v1/accounts", &srv.admin_token, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().expect("id").to_string();
    assert!(id.starts_with("acc_"), "{id}");
    assert_eq!(
        header(&headers, "location"),
        Some(format!("/v1/accounts/{id}").as_str())
    );
    assert_eq!(header(&headers, "etag"), Some("\"1\""));

    let (status, headers, got) = srv
        .get(&format!("/v1/accounts/{id}"), &srv.admin_token)
        .await;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_eq!(header(&headers, "etag"), Some("\"1\""));
    assert_eq!(got, created, "GET returns what POST returned");

    assert_eq!(got["name"], "Acme Corporation");
    assert_eq!(got["description"], "Makers of everything.\nSecond line.");
    assert_eq!(got["domains"], json!(["acme.com", "acme.io"]));
    assert_eq!(
        got["websites"],
        json!([{"url": "https://www.acme.com", "type": "primary"}, {"url": "https://blog.acme.com", "type": "blog"}])
    );
    assert_eq!(got["industry"], "Manufacturing");
    assert_eq!(got["tier"], "enterprise");
    assert_eq!(got["company_size"], "51-200");
    assert_eq!(got["number_of_employees"], 180);
    assert_eq!(
        got["annual_revenue"].as_f64(),
        Some(12500000.5),
        "{}",
        got["annual_revenue"]
    );
    assert_eq!(got["stage"], "customer");
    assert_eq!(got["owners"], json!([owner]));
    let phone = &got["phone_numbers"][0];
    assert!(
        phone["id"].as_str().is_some_and(|s| s.starts_with("phn_")),
        "{phone}"
    );
    assert_eq!(phone["number"], "+1 (415) 555-0100");
    assert_eq!(phone["extension"], "12");
    assert_eq!(phone["type"], "work");
    assert_eq!(phone["e164"], "+14155550100");
    let addr = &got["addresses"][0];
    assert!(addr["id"].as_str().is_some_and(|s| !s.is_empty()), "{addr}");
    for (k, v) in [
        ("type", "billing"),
        ("street_1", "1 Main St"),
        ("street_2", "Suite 5"),
        ("city", "Springfield"),
        ("state", "IL"),
        ("postal_code", "62701"),
        ("country", "US"),
    ] {
        assert_eq!(addr[k], v, "address.{k}");
    }
    let tags = got["tags"].as_array().expect("tags");
    assert_eq!(tags.len(), 2, "{tags:?}");
    let vip = tags.iter().find(|t| t["name"] == "vip").expect("vip tag");
    assert!(
        vip["id"].as_str().is_some_and(|s| !s.is_empty()) && vip["value"].is_null(),
        "{vip}"
    );
    let tier = tags.iter().find(|t| t["name"] == "tier").expect("tier tag");
    assert_eq!(tier["value"], "gold");
    assert_eq!(got["external_refs"], json!(["sf:001ABC"]));
    assert_eq!(got["custom_fields"], json!({"region": "emea", "score": 7}));
    assert_eq!(got["artifacts"], json!(["art_1", "art_2"]));
    assert_eq!(
        got["remote_data"],
        json!({"nested": {"a": [1, 2, {"b": null}]}, "flag": true})
    );
    assert_eq!(got["display_id"], "ACC-1");
    assert!(is_rfc3339(&got["created_at"]), "{}", got["created_at"]);
    assert!(is_rfc3339(&got["updated_at"]), "{}", got["updated_at"]);
    assert_eq!(got["created_by"], json!(owner));
    assert_eq!(got["version"], 1);

    // A second account gets the next display id.
    let second = srv.create_account(json!({"name": "Beta"})).await;
    assert_eq!(second["display_id"], "ACC-2");
    assert_eq!(second["domains"], json!([]));
    assert_eq!(second["version"], 1);
});

both_backends!(patch_is_a_merge_patch, |srv| async move {
    // Custom fields are defined before they are written.
    define_field(&srv, "accounts", "a", "integer").await;
    define_field(&srv, "accounts", "b", "text").await;
    define_field(&srv, "accounts", "c", "boolean").await;
    let t = &srv.admin_token;
    let acc = srv
        .create_account(json!({
            "name": "Acme", "description": "d", "industry": "Retail", "tier": "smb",
            "domains": ["acme.com"], "custom_fields": {"a": 1, "b": "x"}
        }))
        .await;
    let path = format!("/v1/accounts/{}", acc["id"].as_str().expect("id"));

    let (status, headers, patched) = srv
        .patch(&path, t, &json!({"industry": "Software", "description": null, "custom_fields": {"b": "y", "c": true}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(header(&headers, "etag"), Some("\"2\""));
    assert_eq!(patched["version"], 2);
    assert_eq!(patched["name"], "Acme", "absent fields are untouched");
    assert_eq!(patched["tier"], "smb");
    assert_eq!(patched["domains"], json!(["acme.com"]));
    assert_eq!(patched["industry"], "Software");
    assert!(patched["description"].is_null(), "null clears: {patched}");
    assert_eq!(
        patched["custom_fields"],
        json!({"a": 1, "b": "y", "c": true})
    );
    assert_eq!(patched["created_at"], acc["created_at"]);
    assert_eq!(patched["id"], acc["id"]);

    let (_, _, got) = srv.get(&path, t).await;
    assert_eq!(got, patched);

    // A stale If-Match is a 412 and changes nothing.
    let (status, _, err) = srv
        .patch_if_match(&path, t, 1, &json!({"name": "Stale"}))
        .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{err}");
    assert_eq!(err["error"]["type"], "precondition_failed");
    let (_, _, after) = srv.get(&path, t).await;
    assert_eq!(after, got);

    // The current version is accepted.
    let (status, headers, ok) = srv
        .patch_if_match(&path, t, 2, &json!({"name": "Fresh"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{ok}");
    assert_eq!(ok["name"], "Fresh");
    assert_eq!(ok["version"], 3);
    assert_eq!(header(&headers, "etag"), Some("\"3\""));
});

both_backends!(delete_then_not_found, |srv| async move {
    let t = &srv.admin_token;
    let acc = srv
        .create_account(json!({"name": "Gone", "domains": ["gone.com"]}))
        .await;
    let keep = srv.create_account(json!({"name": "Kept"})).await;
    let path = format!("/v1/accounts/{}", acc["id"].as_str().expect("id"));
    let (status, _, body) = srv.delete(&path, t).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert!(body.is_null(), "{body}");
    let (status, _, body) = srv.get(&path, t).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["type"], "not_found");
    let (status, _, body) = srv.delete(&path, t).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let all = srv.all_accounts(t).await;
    assert_eq!(all, vec![keep]);
    // The domain is free again once the holder is deleted.
    srv.create_account(json!({"name": "Gone again", "domains": ["gone.com"]}))
        .await;
});

both_backends!(domain_and_external_ref_conflicts, |srv| async move {
    let t = &srv.admin_token;
    let first = srv
        .create_account(
            json!({"name": "Acme", "domains": ["acme.com"], "external_refs": ["crm-1"]}),
        )
        .await;
    let (status, _, err) = srv
        .post(
            "/v1/accounts",
            t,
            &json!({"name": "Acme 2", "domains": ["WWW.ACME.com"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert_eq!(err["error"]["type"], "domain_conflict", "{err}");
    assert_eq!(err["error"]["value"], "acme.com", "{err}");
    assert_eq!(err["error"]["existing_id"], first["id"], "{err}");

    let (status, _, err) = srv
        .post(
            "/v1/accounts",
            t,
            &json!({"name": "Acme 3", "external_refs": ["crm-1"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert!(err["error"]["type"].is_string(), "{err}");
    assert_eq!(
        srv.all_accounts(t).await,
        vec![first.clone()],
        "nothing half-written"
    );

    // A PATCH that takes another account's domain is a conflict too, and changes nothing.
    let other = srv
        .create_account(json!({"name": "Other", "domains": ["other.com"]}))
        .await;
    let path = format!("/v1/accounts/{}", other["id"].as_str().expect("id"));
    let (status, _, err) = srv.patch(&path, t, &json!({"domains": ["acme.com"]})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert_eq!(err["error"]["type"], "domain_conflict", "{err}");
    let (_, _, after) = srv.get(&path, t).await;
    assert_eq!(after, other);
});

both_backends!(list_pages_filters_and_sorts, |srv| async move {
    let t = &srv.admin_token;
    let owner = srv.owner_id().await;
    let mut created = Vec::new();
    for i in 0..7 {
        let stage = if i % 2 == 0 { "customer" } else { "prospect" };
        let mut body = json!({
            "name": format!("Company {}", (b'G' - i as u8) as char),
            "domains": [format!("c{i}.example.com")],
            "stage": stage,
            "industry": if i < 3 { "Retail" } else { "Software" },
        });
        if i == 4 {
            body["owners"] = json!([owner]);
            body["tags"] = json!(["vip"]);
            body["domains"] = json!(["acme.com"]);
        }
        created.push(srv.create_account(body).await);
        // Distinct milliseconds, so that created order is unambiguous.
        orgstore_testkit::tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    }
    let ids: Vec<Value> = created.iter().map(|a| a["id"].clone()).collect();

    // Default list and its envelope.
    let (status, _, page) = srv.get("/v1/accounts", t).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["data"].as_array().map(Vec::len), Some(7), "{page}");
    assert_eq!(page["has_more"], false);
    assert!(page["next_cursor"].is_null(), "{page}");

    // Paging with limit=2 visits each account exactly once, in created order.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/accounts?limit=2&sort=created_at&cursor={}", encode(c)),
            None => "/v1/accounts?limit=2&sort=created_at".to_string(),
        };
        let (status, _, page) = srv.get(&path, t).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let data = page["data"].as_array().expect("data");
        assert!(data.len() <= 2);
        seen.extend(data.iter().map(|a| a["id"].clone()));
        pages += 1;
        assert!(pages < 10, "paging does not end");
        if page["has_more"] == true {
            cursor = Some(
                page["next_cursor"]
                    .as_str()
                    .expect("next_cursor when has_more")
                    .to_string(),
            );
        } else {
            break;
        }
    }
    assert_eq!(pages, 4);
    assert_eq!(seen, ids, "every account once, in created order");

    // Sort by name, both ways.
    let (_, _, page) = srv.get("/v1/accounts?sort=name", t).await;
    let names: Vec<&str> = page["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert_eq!(names.first(), Some(&"Company A"));
    let (_, _, page) = srv.get("/v1/accounts?sort=-name", t).await;
    let desc: Vec<&str> = page["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    sorted.reverse();
    assert_eq!(desc, sorted);

    // Name paging by cursor also visits each once.
    let (_, _, p1) = srv.get("/v1/accounts?sort=name&limit=4", t).await;
    let c = p1["next_cursor"].as_str().expect("cursor").to_string();
    let (_, _, p2) = srv
        .get(
            &format!("/v1/accounts?sort=name&limit=4&cursor={}", encode(&c)),
            t,
        )
        .await;
    let mut both: Vec<&str> = p1["data"]
        .as_array()
        .expect("d")
        .iter()
        .chain(p2["data"].as_array().expect("d"))
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert_eq!(both.len(), 7);
    both.dedup();
    assert_eq!(both, names);

    let count = |v: &Value| v["data"].as_array().map(Vec::len).unwrap_or(usize::MAX);
    let (_, _, p) = srv.get("/v1/accounts?stage=customer", t).await;
    assert_eq!(count(&p), 4, "{p}");
    assert!(
        p["data"]
            .as_array()
            .expect("d")
            .iter()
            .all(|a| a["stage"] == "customer")
    );
    let (_, _, p) = srv.get("/v1/accounts?industry=Retail", t).await;
    assert_eq!(count(&p), 3, "{p}");
    let (_, _, p) = srv.get(&format!("/v1/accounts?owner={owner}"), t).await;
    assert_eq!(count(&p), 1, "{p}");
    assert_eq!(p["data"][0]["id"], ids[4]);
    let (_, _, p) = srv.get("/v1/accounts?tag=vip", t).await;
    assert_eq!(count(&p), 1, "{p}");
    assert_eq!(p["data"][0]["id"], ids[4]);
    let (status, _, p) = srv
        .get(
            &format!("/v1/accounts?domain={}", encode("https://WWW.Acme.com/x")),
            t,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(count(&p), 1, "{p}");
    assert_eq!(p["data"][0]["id"], ids[4]);
    let (_, _, p) = srv.get("/v1/accounts?domain=nobody.com", t).await;
    assert_eq!(count(&p), 0, "{p}");

    // created_after / updated_after.
    let (status, _, p) = srv
        .get(
            &format!(
                "/v1/accounts?created_after={}",
                encode("2000-01-01T00:00:00Z")
            ),
            t,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(count(&p), 7, "{p}");
    let (_, _, p) = srv
        .get(
            &format!(
                "/v1/accounts?created_after={}",
                encode("2999-01-01T00:00:00Z")
            ),
            t,
        )
        .await;
    assert_eq!(count(&p), 0, "{p}");
    let (status, _, p) = srv
        .get(
            &format!(
                "/v1/accounts?updated_after={}",
                encode("2999-01-01T00:00:00+02:00")
            ),
            t,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(count(&p), 0, "{p}");

    // Sorting by -created_at is the reverse of created order.
    let (_, _, p) = srv.get("/v1/accounts?sort=-created_at", t).await;
    let rev: Vec<Value> = p["data"]
        .as_array()
        .expect("d")
        .iter()
        .map(|a| a["id"].clone())
        .collect();
    let mut expected = ids.clone();
    expected.reverse();
    assert_eq!(rev, expected);

    // Bad limits name the field.
    for bad in ["0", "1001", "abc", "-1"] {
        let (status, _, err) = srv.get(&format!("/v1/accounts?limit={bad}"), t).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "limit={bad}: {err}");
        assert_eq!(err["error"]["field"], "limit", "limit={bad}: {err}");
    }
    let (status, _, p) = srv.get("/v1/accounts?limit=1000", t).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    let (status, _, p) = srv.get("/v1/accounts?limit=1", t).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(count(&p), 1);
    assert_eq!(p["has_more"], true);
});

both_backends!(default_limit_is_50, |srv| async move {
    for i in 0..51 {
        srv.create_account(json!({"name": format!("N{i:02}")}))
            .await;
    }
    let (status, _, page) = srv.get("/v1/accounts", &srv.admin_token).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["data"].as_array().map(Vec::len), Some(50));
    assert_eq!(page["has_more"], true);
    assert!(page["next_cursor"].is_string());
    assert_eq!(srv.all_accounts(&srv.admin_token).await.len(), 51);
});
