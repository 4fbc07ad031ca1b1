//! `POST /v1/accounts/query` end to end: every operator, custom fields, and/or/not, list fields,
//! sorts with keyset and offset pagination, cursor misuse and bad bodies.

use std::collections::HashSet;

use orgstore_core::auth::Scope;

use orgstore_testkit::reqwest::{Method, StatusCode};
use orgstore_testkit::serde_json::{Value, json};
use orgstore_testkit::{TestServer, both_backends, define_field};

const PATH: &str = "/v1/accounts/query";

/// Posts a query with the admin token, asserting a 200, and returns the page.
async fn query(srv: &TestServer, body: Value) -> Value {
    let (status, _, page) = srv.post(PATH, &srv.admin_token, &body).await;
    assert_eq!(status, StatusCode::OK, "{body}: {page}");
    page
}

fn names(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .expect("data array")
        .iter()
        .map(|a| a["name"].as_str().expect("name").to_string())
        .collect()
}

/// The names matching a filter, sorted, over one page of up to 1000.
async fn matching(srv: &TestServer, filter: Value) -> Vec<String> {
    let page = query(srv, json!({"filter": filter, "limit": 1000})).await;
    assert_eq!(page["has_more"], false);
    let mut out = names(&page);
    out.sort();
    out
}

fn sorted(list: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    out.sort();
    out
}

/// Every page of a query, following cursors; asserts each page but the last is full.
async fn all_pages(srv: &TestServer, mut body: Value) -> Vec<Value> {
    let limit = body["limit"].as_u64().expect("a limit") as usize;
    let mut out = Vec::new();
    for _ in 0..1000 {
        let page = query(srv, body.clone()).await;
        let data = page["data"].as_array().expect("data").clone();
        out.extend(data.iter().cloned());
        if page["has_more"] == false {
            assert!(page["next_cursor"].is_null(), "{page}");
            return out;
        }
        assert_eq!(data.len(), limit, "a full page before the last");
        body["cursor"] = page["next_cursor"].clone();
    }
    panic!("pagination does not end");
}

/// Asserts a 400 with this type, naming this field (and value, when given).
async fn bad(srv: &TestServer, body: Value, kind: &str, field: &str, value: Option<Value>) {
    let (status, _, err) = srv.post(PATH, &srv.admin_token, &body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {err}");
    assert_eq!(err["error"]["type"], kind, "{body}: {err}");
    assert_eq!(err["error"]["field"], field, "{body}: {err}");
    if let Some(value) = value {
        assert_eq!(err["error"]["value"], value, "{body}: {err}");
    }
    assert!(
        err["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
}

/// Three accounts with distinct values in every system field.
async fn seed_system(srv: &TestServer) -> Vec<Value> {
    let mut out = Vec::new();
    for body in [
        json!({"name": "Alpha Labs", "industry": "Software", "tier": "gold", "company_size": "11-50",
               "number_of_employees": 20, "annual_revenue": 1500.25, "stage": "customer",
               "description": "Builds 50% faster tools"}),
        json!({"name": "Beta Works", "industry": "Hardware", "tier": "silver",
               "number_of_employees": 300, "annual_revenue": 99999.5, "stage": "prospect",
               "description": "Makes boxes"}),
        json!({"name": "gamma co", "industry": "software"}),
    ] {
        out.push(srv.create_account(body).await);
        // Distinct creation times.
        tokio_sleep(5).await;
    }
    out
}

async fn tokio_sleep(ms: u64) {
    orgstore_testkit::tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
}

both_backends!(every_operator_on_system_fields, |srv| async move {
    let accounts = seed_system(&srv).await;
    let f = |field: &str, op: &str, value: Value| json!({"field": field, "op": op, "value": value});
    let all = sorted(&["Alpha Labs", "Beta Works", "gamma co"]);

    // Text: eq is exact, contains/starts_with case-insensitive, ordered bytewise.
    assert_eq!(
        matching(&srv, f("industry", "eq", json!("Software"))).await,
        sorted(&["Alpha Labs"])
    );
    assert_eq!(
        matching(&srv, f("industry", "ne", json!("Software"))).await,
        sorted(&["Beta Works", "gamma co"])
    );
    assert_eq!(
        matching(&srv, f("industry", "in", json!(["Software", "software"]))).await,
        sorted(&["Alpha Labs", "gamma co"])
    );
    assert_eq!(
        matching(&srv, f("industry", "not_in", json!(["Software"]))).await,
        sorted(&["Beta Works", "gamma co"])
    );
    assert_eq!(
        matching(&srv, f("industry", "contains", json!("WARE"))).await,
        all
    );
    assert_eq!(
        matching(&srv, f("industry", "starts_with", json!("soft"))).await,
        sorted(&["Alpha Labs", "gamma co"])
    );
    assert_eq!(
        matching(&srv, f("industry", "gt", json!("Hardware"))).await,
        sorted(&["Alpha Labs", "gamma co"])
    );
    assert_eq!(
        matching(&srv, f("industry", "gte", json!("Software"))).await,
        sorted(&["Alpha Labs", "gamma co"])
    );
    assert_eq!(
        matching(&srv, f("industry", "lt", json!("Software"))).await,
        sorted(&["Beta Works"])
    );
    assert_eq!(
        matching(&srv, f("industry", "lte", json!("Hardware"))).await,
        sorted(&["Beta Works"])
    );
    assert_eq!(
        matching(&srv, f("tier", "exists", json!(true))).await,
        sorted(&["Alpha Labs", "Beta Works"])
    );
    assert_eq!(
        matching(&srv, f("tier", "exists", json!(false))).await,
        sorted(&["gamma co"])
    );
    // LIKE wildcards in values match literally.
    assert_eq!(
        matching(&srv, f("description", "contains", json!("50%"))).await,
        sorted(&["Alpha Labs"])
    );
    assert_eq!(
        matching(&srv, f("description", "contains", json!("_"))).await,
        Vec::<String>::new()
    );
    assert_eq!(
        matching(&srv, f("company_size", "eq", json!("11-50"))).await,
        sorted(&["Alpha Labs"])
    );

    // Name compares case-insensitively everywhere.
    assert_eq!(
        matching(&srv, f("name", "eq", json!("ALPHA LABS"))).await,
        sorted(&["Alpha Labs"])
    );
    assert_eq!(
        matching(&srv, f("name", "in", json!(["GAMMA CO", "nope"]))).await,
        sorted(&["gamma co"])
    );
    assert_eq!(
        matching(&srv, f("name", "starts_with", json!("BE"))).await,
        sorted(&["Beta Works"])
    );
    assert_eq!(
        matching(&srv, f("name", "gt", json!("B"))).await,
        sorted(&["Beta Works", "gamma co"])
    );

    // Integers.
    assert_eq!(
        matching(&srv, f("number_of_employees", "eq", json!(20))).await,
        sorted(&["Alpha Labs"])
    );
    assert_eq!(
        matching(&srv, f("number_of_employees", "ne", json!(20))).await,
        sorted(&["Beta Works", "gamma co"])
    );
    assert_eq!(
        matching(&srv, f("number_of_employees", "in", json!([300, 7]))).await,
        sorted(&["Beta Works"])
    );
    assert_eq!(
        matching(&srv, f("number_of_employees", "not_in", json!([300]))).await,
        sorted(&["Alpha Labs", "gamma co"])
    );
    assert_eq!(
        matching(&srv, f("number_of_employees", "gt", json!(20))).await,
        sorted(&["Beta Works"])
    );
    assert_eq!(
        matching(&srv, f("number_of_employees", "gte", json!(20))).await,
        sorted(&["Alpha Labs", "Beta Works"])
    );
    assert_eq!(
        matching(&srv, f("number_of_employees", "lt", json!(300))).await,
        sorted(&["Alpha Labs"])
    );
    assert_eq!(
        matching(&srv, f("number_of_employees", "lte", json!(300))).await,
        sorted(&["Alpha Labs", "Beta Works"])
    );
    assert_eq!(
        matching(&srv, f("number_of_employees", "exists", json!(false))).await,
        sorted(&["gamma co"])
    );

    // Decimals compare numerically (SQLite stores them as text).
    assert_eq!(
        matching(&srv, f("annual_revenue", "gt", json!(2000))).await,
        sorted(&["Beta Works"])
    );
    assert_eq!(
        matching(&srv, f("annual_revenue", "eq", json!(1500.25))).await,
        sorted(&["Alpha Labs"])
    );
    assert_eq!(
        matching(&srv, f("annual_revenue", "lte", json!(99999.5))).await,
        sorted(&["Alpha Labs", "Beta Works"])
    );
    assert_eq!(
        matching(&srv, f("annual_revenue", "lt", json!(1500.25))).await,
        Vec::<String>::new()
    );
    assert_eq!(
        matching(&srv, f("annual_revenue", "gte", json!(1500.25))).await,
        sorted(&["Alpha Labs", "Beta Works"])
    );
    assert_eq!(
        matching(&srv, f("annual_revenue", "in", json!([99999.5]))).await,
        sorted(&["Beta Works"])
    );

    // Keywords: stage and id.
    assert_eq!(
        matching(&srv, f("stage", "eq", json!("customer"))).await,
        sorted(&["Alpha Labs"])
    );
    assert_eq!(
        matching(&srv, f("stage", "not_in", json!(["customer"]))).await,
        sorted(&["Beta Works", "gamma co"])
    );
    let beta_id = accounts[1]["id"].clone();
    assert_eq!(
        matching(&srv, f("id", "eq", beta_id.clone())).await,
        sorted(&["Beta Works"])
    );
    assert_eq!(
        matching(&srv, f("id", "in", json!([beta_id]))).await,
        sorted(&["Beta Works"])
    );
    let beta_display = accounts[1]["display_id"]
        .as_str()
        .expect("display id")
        .to_lowercase();
    assert_eq!(
        matching(&srv, f("display_id", "eq", json!(beta_display))).await,
        sorted(&["Beta Works"])
    );

    // Timestamps: RFC 3339 or dates.
    let beta_created = accounts[1]["created_at"].clone();
    assert_eq!(
        matching(&srv, f("created_at", "eq", beta_created.clone())).await,
        sorted(&["Beta Works"])
    );
    assert_eq!(
        matching(&srv, f("created_at", "gt", beta_created.clone())).await,
        sorted(&["gamma co"])
    );
    assert_eq!(
        matching(&srv, f("created_at", "gte", beta_created.clone())).await,
        sorted(&["Beta Works", "gamma co"])
    );
    assert_eq!(
        matching(&srv, f("created_at", "lt", beta_created.clone())).await,
        sorted(&["Alpha Labs"])
    );
    assert_eq!(
        matching(&srv, f("created_at", "lte", beta_created)).await,
        sorted(&["Alpha Labs", "Beta Works"])
    );
    assert_eq!(
        matching(&srv, f("updated_at", "gt", json!("2000-01-01"))).await,
        all
    );
    assert_eq!(
        matching(&srv, f("created_at", "gt", json!("2999-01-01"))).await,
        Vec::<String>::new()
    );
    assert_eq!(
        matching(&srv, f("archived_at", "exists", json!(false))).await,
        all
    );
});

both_backends!(
    custom_fields_compare_by_their_definition,
    |srv| async move {
        // Custom fields are defined before they are written; their type decides the comparison.
        define_field(&srv, "accounts", "score", "number").await;
        define_field(&srv, "accounts", "region", "text").await;
        define_field(&srv, "accounts", "active", "boolean").await;
        for (name, custom) in [
            ("Low", json!({"score": 3, "region": "emea", "active": true})),
            (
                "High",
                json!({"score": 9.5, "region": "amer", "active": false}),
            ),
            ("Texty", json!({"region": "EMEA-north"})),
            ("Bare", json!({})),
        ] {
            srv.create_account(json!({"name": name, "custom_fields": custom}))
                .await;
        }
        let f =
            |field: &str, op: &str, value: Value| json!({"field": field, "op": op, "value": value});
        // A number field compares numerically; rows without a value never match.
        assert_eq!(
            matching(&srv, f("custom_fields.score", "gt", json!(5))).await,
            sorted(&["High"])
        );
        assert_eq!(
            matching(&srv, f("custom_fields.score", "lte", json!(9.5))).await,
            sorted(&["High", "Low"])
        );
        assert_eq!(
            matching(&srv, f("custom_fields.score", "eq", json!(3))).await,
            sorted(&["Low"])
        );
        assert_eq!(
            matching(&srv, f("custom_fields.score", "in", json!([3, 9.5]))).await,
            sorted(&["High", "Low"])
        );
        assert_eq!(
            matching(&srv, f("custom_fields.score", "ne", json!(3))).await,
            sorted(&["Bare", "High", "Texty"])
        );
        // A string for a number field is a 400, not a text comparison.
        bad(
            &srv,
            json!({"filter": f("custom_fields.score", "eq", json!("high"))}),
            "invalid_value",
            "filter.value",
            Some(json!("high")),
        )
        .await;
        // A text field compares as text.
        assert_eq!(
            matching(
                &srv,
                f("custom_fields.region", "starts_with", json!("emea"))
            )
            .await,
            sorted(&["Low", "Texty"])
        );
        assert_eq!(
            matching(&srv, f("custom_fields.region", "contains", json!("MER"))).await,
            sorted(&["High"])
        );
        assert_eq!(
            matching(
                &srv,
                f("custom_fields.region", "not_in", json!(["emea", "amer"]))
            )
            .await,
            sorted(&["Bare", "Texty"])
        );
        assert_eq!(
            matching(&srv, f("custom_fields.region", "gt", json!("b"))).await,
            sorted(&["Low"])
        );
        // Booleans.
        assert_eq!(
            matching(&srv, f("custom_fields.active", "eq", json!(true))).await,
            sorted(&["Low"])
        );
        assert_eq!(
            matching(&srv, f("custom_fields.active", "eq", json!(false))).await,
            sorted(&["High"])
        );
        assert_eq!(
            matching(&srv, f("custom_fields.active", "in", json!([true, false]))).await,
            sorted(&["High", "Low"])
        );
        // exists.
        assert_eq!(
            matching(&srv, f("custom_fields.active", "exists", json!(true))).await,
            sorted(&["High", "Low"])
        );
        assert_eq!(
            matching(&srv, f("custom_fields.score", "exists", json!(false))).await,
            sorted(&["Bare", "Texty"])
        );
        // An undefined key is a 400 naming it.
        bad(
            &srv,
            json!({"filter": f("custom_fields.unknown", "eq", json!(1))}),
            "unknown_field",
            "filter.field",
            Some(json!("custom_fields.unknown")),
        )
        .await;
    }
);

both_backends!(and_or_not_combine, |srv| async move {
    seed_system(&srv).await;
    let sw = json!({"field": "industry", "op": "eq", "value": "Software"});
    let big = json!({"field": "number_of_employees", "op": "gt", "value": 100});
    let gamma = json!({"field": "name", "op": "starts_with", "value": "gam"});
    assert_eq!(
        matching(&srv, json!({"or": [sw.clone(), big.clone()]})).await,
        sorted(&["Alpha Labs", "Beta Works"])
    );
    assert_eq!(
        matching(&srv, json!({"and": [sw.clone(), big.clone()]})).await,
        Vec::<String>::new()
    );
    // not of a leaf is its complement, rows without the field included.
    assert_eq!(
        matching(&srv, json!({"not": big.clone()})).await,
        sorted(&["Alpha Labs", "gamma co"])
    );
    assert_eq!(
        matching(&srv, json!({"not": sw.clone()})).await,
        sorted(&["Beta Works", "gamma co"])
    );
    assert_eq!(
        matching(&srv, json!({"and": [{"not": {"or": [sw, big]}}, {"or": [gamma, {"not": {"field": "tier", "op": "exists", "value": true}}]}]})).await,
        sorted(&["gamma co"])
    );
});

both_backends!(tags_domains_owners_and_refs, |srv| async move {
    let owner = srv.owner_id().await;
    srv.create_account(
        json!({"name": "One", "tags": ["VIP", {"name": "Region", "value": "emea"}],
        "domains": ["one.com", "one-labs.io"], "owners": [owner], "external_refs": ["sf:001"]}),
    )
    .await;
    srv.create_account(
        json!({"name": "Two", "tags": ["partner"], "domains": ["two.org"],
        "external_refs": ["hs:77"]}),
    )
    .await;
    srv.create_account(json!({"name": "Three"})).await;
    let f = |field: &str, op: &str, value: Value| json!({"field": field, "op": op, "value": value});

    assert_eq!(
        matching(&srv, f("tags", "eq", json!("vip"))).await,
        sorted(&["One"])
    );
    assert_eq!(
        matching(&srv, f("tags", "in", json!(["PARTNER", "region"]))).await,
        sorted(&["One", "Two"])
    );
    assert_eq!(
        matching(&srv, f("tags", "ne", json!("VIP"))).await,
        sorted(&["Three", "Two"])
    );
    assert_eq!(
        matching(&srv, f("tags", "not_in", json!(["vip", "partner"]))).await,
        sorted(&["Three"])
    );
    assert_eq!(
        matching(&srv, f("tags", "contains", json!("ART"))).await,
        sorted(&["Two"])
    );
    assert_eq!(
        matching(&srv, f("tags", "starts_with", json!("reg"))).await,
        sorted(&["One"])
    );
    assert_eq!(
        matching(&srv, f("tags", "exists", json!(false))).await,
        sorted(&["Three"])
    );

    // Domains are normalized before they are compared.
    assert_eq!(
        matching(
            &srv,
            f("domains", "eq", json!("https://WWW.One-Labs.io/about"))
        )
        .await,
        sorted(&["One"])
    );
    assert_eq!(
        matching(&srv, f("domains", "in", json!(["two.org", "x.com"]))).await,
        sorted(&["Two"])
    );
    assert_eq!(
        matching(&srv, f("domains", "contains", json!(".ORG"))).await,
        sorted(&["Two"])
    );
    assert_eq!(
        matching(&srv, f("domains", "starts_with", json!("one-"))).await,
        sorted(&["One"])
    );
    assert_eq!(
        matching(&srv, f("domains", "exists", json!(true))).await,
        sorted(&["One", "Two"])
    );
    assert_eq!(
        matching(&srv, f("domains", "not_in", json!(["one.com"]))).await,
        sorted(&["Three", "Two"])
    );

    assert_eq!(
        matching(&srv, f("owners", "eq", json!(owner))).await,
        sorted(&["One"])
    );
    assert_eq!(
        matching(&srv, f("owners", "exists", json!(false))).await,
        sorted(&["Three", "Two"])
    );
    assert_eq!(
        matching(&srv, f("owners", "in", json!([owner, "usr_nobody"]))).await,
        sorted(&["One"])
    );

    assert_eq!(
        matching(&srv, f("external_refs", "eq", json!("hs:77"))).await,
        sorted(&["Two"])
    );
    assert_eq!(
        matching(&srv, f("external_refs", "starts_with", json!("SF:"))).await,
        sorted(&["One"])
    );
    assert_eq!(
        matching(&srv, f("external_refs", "ne", json!("hs:77"))).await,
        sorted(&["One", "Three"])
    );
});

/// Accounts with repeated and missing values, so that sorts need ties and NULL handling.
async fn seed_sortable(srv: &TestServer) {
    // A numeric custom field, defined before it is written.
    define_field(srv, "accounts", "rank", "number").await;
    let industries = [Some("Software"), Some("Hardware"), None, Some("Retail")];
    for i in 0..23 {
        let mut body = json!({"name": format!("Acct {:02}", (i * 7) % 23)});
        if i % 5 != 0 {
            body["number_of_employees"] = json!((i % 6) * 10);
        }
        if let Some(industry) = industries[i % 4] {
            body["industry"] = json!(industry);
        }
        if i % 3 != 0 {
            body["annual_revenue"] = json!(format!("{}.5", i % 4).parse::<f64>().expect("f64"));
        }
        body["custom_fields"] = match i % 4 {
            0 => json!({"rank": i % 5}),
            1 => json!({"rank": (i % 3) as f64 + 0.25}),
            2 => json!({"rank": 100 + i}),
            _ => json!({}),
        };
        srv.create_account(body).await;
    }
}

/// Pages through a sort in pages of `limit` and checks the rows against one big page.
async fn check_pagination(srv: &TestServer, sort: Value, limit: usize) -> Vec<String> {
    let whole = query(srv, json!({"sort": sort, "limit": 1000})).await;
    let expected: Vec<String> = whole["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|a| a["id"].as_str().expect("id").to_string())
        .collect();
    assert_eq!(expected.len(), 23);
    let paged: Vec<String> = all_pages(srv, json!({"sort": sort, "limit": limit}))
        .await
        .iter()
        .map(|a| a["id"].as_str().expect("id").to_string())
        .collect();
    assert_eq!(paged, expected, "pages of {limit} under {sort}");
    let unique: HashSet<&String> = paged.iter().collect();
    assert_eq!(unique.len(), paged.len(), "no duplicates");
    expected
}

fn values_of(rows: &[Value], field: &str) -> Vec<Value> {
    rows.iter().map(|a| a[field].clone()).collect()
}

both_backends!(
    sorts_paginate_without_gaps_or_duplicates,
    |srv| async move {
        seed_sortable(&srv).await;
        let sorts = [
            json!([{"field": "name", "direction": "asc"}]),
            json!([{"field": "name", "direction": "desc"}]),
            json!([{"field": "created_at", "direction": "desc"}]),
            json!([{"field": "number_of_employees"}]),
            json!([{"field": "number_of_employees", "direction": "desc"}]),
            json!([{"field": "industry"}, {"field": "name", "direction": "desc"}]),
            json!([{"field": "industry", "direction": "desc"}, {"field": "number_of_employees"}, {"field": "annual_revenue", "direction": "desc"}]),
            json!([{"field": "annual_revenue"}]),
            json!([{"field": "display_id", "direction": "desc"}]),
            json!([{"field": "custom_fields.rank"}]),
            json!([{"field": "custom_fields.rank", "direction": "desc"}, {"field": "name"}]),
        ];
        for sort in sorts {
            for limit in [1, 4, 10] {
                check_pagination(&srv, sort.clone(), limit).await;
            }
        }

        // The orders themselves: NULLs last ascending, first descending.
        let asc = query(
            &srv,
            json!({"sort": [{"field": "number_of_employees"}], "limit": 1000}),
        )
        .await;
        let rows = asc["data"].as_array().expect("data").clone();
        let counts = values_of(&rows, "number_of_employees");
        let (present, missing): (Vec<&Value>, Vec<&Value>) =
            counts.iter().partition(|v| !v.is_null());
        assert!(
            present.windows(2).all(|w| w[0].as_i64() <= w[1].as_i64()),
            "{counts:?}"
        );
        assert!(
            counts[present.len()..].iter().all(Value::is_null),
            "{counts:?}"
        );
        assert_eq!(missing.len(), 5);

        let desc = query(
            &srv,
            json!({"sort": [{"field": "number_of_employees", "direction": "desc"}], "limit": 1000}),
        )
        .await;
        let counts = values_of(
            desc["data"].as_array().expect("data"),
            "number_of_employees",
        );
        assert!(counts[..5].iter().all(Value::is_null), "{counts:?}");
        assert!(
            counts[5..]
                .windows(2)
                .all(|w| w[0].as_i64() >= w[1].as_i64()),
            "{counts:?}"
        );

        let by_name = query(
            &srv,
            json!({"sort": [{"field": "name", "direction": "desc"}], "limit": 3}),
        )
        .await;
        assert_eq!(names(&by_name), vec!["Acct 22", "Acct 21", "Acct 20"]);

        let revenue = query(
            &srv,
            json!({"sort": [{"field": "annual_revenue", "direction": "desc"}], "limit": 1000}),
        )
        .await;
        let values: Vec<Option<f64>> =
            values_of(revenue["data"].as_array().expect("data"), "annual_revenue")
                .iter()
                .map(Value::as_f64)
                .collect();
        let present: Vec<f64> = values.iter().flatten().copied().collect();
        assert!(
            values[..values.len() - present.len()]
                .iter()
                .all(Option::is_none),
            "{values:?}"
        );
        assert!(present.windows(2).all(|w| w[0] >= w[1]), "{values:?}");

        // A number custom field sorts numerically, then the rows without a value.
        let custom = query(
            &srv,
            json!({"sort": [{"field": "custom_fields.rank"}], "limit": 1000}),
        )
        .await;
        let ranks: Vec<Value> = custom["data"]
            .as_array()
            .expect("data")
            .iter()
            .map(|a| a["custom_fields"]["rank"].clone())
            .collect();
        let numbers = ranks.iter().take_while(|v| v.is_number()).count();
        assert_eq!(numbers, 18, "{ranks:?}");
        assert!(ranks[numbers..].iter().all(Value::is_null), "{ranks:?}");
        assert!(
            ranks[..numbers]
                .windows(2)
                .all(|w| w[0].as_f64() <= w[1].as_f64()),
            "{ranks:?}"
        );
        // 100 and above come last: a text order would put "100" before "2".
        assert!(ranks[numbers - 1].as_f64() >= Some(100.0), "{ranks:?}");

        // A filtered query pages too.
        let filtered = all_pages(
            &srv,
            json!({"filter": {"field": "industry", "op": "exists", "value": true},
               "sort": [{"field": "industry"}], "limit": 2}),
        )
        .await;
        assert_eq!(filtered.len(), 17);
    }
);

both_backends!(cursors_belong_to_their_query, |srv| async move {
    seed_sortable(&srv).await;
    let body = json!({"sort": [{"field": "name"}], "limit": 5,
                      "filter": {"field": "name", "op": "starts_with", "value": "acct"}});
    let page = query(&srv, body.clone()).await;
    let cursor = page["next_cursor"].clone();
    assert!(cursor.is_string(), "{page}");

    let mut next = body.clone();
    next["cursor"] = cursor.clone();
    let second = query(&srv, next).await;
    assert_eq!(second["data"].as_array().map(Vec::len), Some(5));

    let mut other_sort = body.clone();
    other_sort["cursor"] = cursor.clone();
    other_sort["sort"] = json!([{"field": "name", "direction": "desc"}]);
    bad(
        &srv,
        other_sort,
        "invalid_cursor",
        "cursor",
        Some(cursor.clone()),
    )
    .await;

    let mut other_filter = body.clone();
    other_filter["cursor"] = cursor.clone();
    other_filter["filter"]["value"] = json!("acc");
    bad(&srv, other_filter, "invalid_cursor", "cursor", None).await;

    let mut with_search = body.clone();
    with_search["cursor"] = cursor.clone();
    with_search["search"] = json!("acct");
    bad(&srv, with_search, "invalid_cursor", "cursor", None).await;

    let mut archived = body.clone();
    archived["cursor"] = cursor;
    archived["include_archived"] = json!(true);
    bad(&srv, archived, "invalid_cursor", "cursor", None).await;

    bad(
        &srv,
        json!({"cursor": "not a cursor"}),
        "invalid_cursor",
        "cursor",
        Some(json!("not a cursor")),
    )
    .await;
    // A list-route cursor is not a query cursor.
    let (_, _, list) = srv.get("/v1/accounts?limit=2", &srv.admin_token).await;
    let list_cursor = list["next_cursor"].clone();
    bad(
        &srv,
        json!({"cursor": list_cursor}),
        "invalid_cursor",
        "cursor",
        None,
    )
    .await;
    // An offset cursor (custom-field sort) is not a keyset one.
    let custom = query(
        &srv,
        json!({"sort": [{"field": "custom_fields.rank"}], "limit": 2}),
    )
    .await;
    bad(&srv, json!({"sort": [{"field": "custom_fields.rank"}, {"field": "name"}], "cursor": custom["next_cursor"]}),
        "invalid_cursor", "cursor", None).await;
});

both_backends!(bad_filters_name_path_and_value, |srv| async move {
    define_field(&srv, "accounts", "score", "number").await;
    let leaf =
        |field: &str, op: &str, value: Value| json!({"field": field, "op": op, "value": value});
    let ok = leaf("industry", "eq", json!("x"));
    let cases: Vec<(Value, &str, &str, Option<Value>)> = vec![
        (
            json!({"filter": {"and": [ok.clone(), leaf("colour", "eq", json!("red"))]}}),
            "unknown_field",
            "filter.and[1].field",
            Some(json!("colour")),
        ),
        (
            json!({"filter": {"and": [leaf("tags", "gt", json!("x"))]}}),
            "invalid_value",
            "filter.and[0].op",
            Some(json!("gt")),
        ),
        (
            json!({"filter": leaf("number_of_employees", "contains", json!("1"))}),
            "invalid_value",
            "filter.op",
            Some(json!("contains")),
        ),
        (
            json!({"filter": leaf("owners", "starts_with", json!("usr"))}),
            "invalid_value",
            "filter.op",
            Some(json!("starts_with")),
        ),
        (
            json!({"filter": leaf("stage", "gt", json!("a"))}),
            "invalid_value",
            "filter.op",
            Some(json!("gt")),
        ),
        (
            json!({"filter": {"or": [ok.clone(), ok.clone(), leaf("number_of_employees", "eq", json!("ten"))]}}),
            "invalid_type",
            "filter.or[2].value",
            Some(json!("ten")),
        ),
        (
            json!({"filter": leaf("industry", "in", json!("Software"))}),
            "invalid_type",
            "filter.value",
            Some(json!("Software")),
        ),
        (
            json!({"filter": leaf("industry", "in", json!([]))}),
            "invalid_value",
            "filter.value",
            Some(json!([])),
        ),
        (
            json!({"filter": leaf("industry", "in", json!(["a", 2]))}),
            "invalid_type",
            "filter.value[1]",
            Some(json!(2)),
        ),
        (
            json!({"filter": leaf("industry", "matches", json!("a"))}),
            "invalid_value",
            "filter.op",
            Some(json!("matches")),
        ),
        (
            json!({"filter": leaf("industry", "eq", json!(null))}),
            "invalid_type",
            "filter.value",
            Some(json!(null)),
        ),
        (
            json!({"filter": leaf("archived_at", "exists", json!("yes"))}),
            "invalid_type",
            "filter.value",
            Some(json!("yes")),
        ),
        (
            json!({"filter": leaf("created_at", "gt", json!("last week"))}),
            "invalid_value",
            "filter.value",
            Some(json!("last week")),
        ),
        (
            json!({"filter": leaf("annual_revenue", "gt", json!("lots"))}),
            "invalid_type",
            "filter.value",
            Some(json!("lots")),
        ),
        (
            json!({"filter": leaf("display_id", "eq", json!("XYZ-1"))}),
            "invalid_value",
            "filter.value",
            Some(json!("XYZ-1")),
        ),
        (
            json!({"filter": leaf("domains", "eq", json!("not a domain"))}),
            "invalid_domain",
            "filter.value",
            Some(json!("not a domain")),
        ),
        (
            json!({"filter": leaf("custom_fields.score", "gt", json!(true))}),
            "invalid_value",
            "filter.value",
            Some(json!(true)),
        ),
        (
            json!({"filter": leaf("custom_fields.score", "eq", json!({"a": 1}))}),
            "invalid_value",
            "filter.value",
            Some(json!({"a": 1})),
        ),
        (
            json!({"filter": leaf("custom_fields.a.b", "eq", json!(1))}),
            "unknown_field",
            "filter.field",
            Some(json!("custom_fields.a.b")),
        ),
        (
            json!({"filter": {"field": "industry", "value": "x"}}),
            "missing_field",
            "filter.op",
            None,
        ),
        (
            json!({"filter": {"op": "eq", "value": "x"}}),
            "missing_field",
            "filter.field",
            None,
        ),
        (
            json!({"filter": {"field": "industry", "op": "eq"}}),
            "missing_field",
            "filter.value",
            None,
        ),
        (
            json!({"filter": {"field": 7, "op": "eq", "value": "x"}}),
            "invalid_type",
            "filter.field",
            Some(json!(7)),
        ),
        (
            json!({"filter": {"field": "industry", "op": "eq", "value": "x", "colour": 1}}),
            "unknown_field",
            "filter.colour",
            Some(json!("colour")),
        ),
        (
            json!({"filter": {"and": [ok.clone()], "or": [ok.clone()]}}),
            "unknown_field",
            "filter.or",
            Some(json!("or")),
        ),
        (
            json!({"filter": {"and": ok.clone()}}),
            "invalid_type",
            "filter.and",
            None,
        ),
        (
            json!({"filter": {"not": [ok.clone()]}}),
            "invalid_type",
            "filter.not",
            None,
        ),
        (
            json!({"filter": {"and": [ok.clone(), "industry = x"]}}),
            "invalid_type",
            "filter.and[1]",
            Some(json!("industry = x")),
        ),
        (
            json!({"filter": []}),
            "invalid_type",
            "filter",
            Some(json!([])),
        ),
        (
            json!({"sort": [{"field": "colour"}]}),
            "unknown_field",
            "sort[0].field",
            Some(json!("colour")),
        ),
        (
            json!({"sort": [{"field": "name"}, {"field": "tags"}]}),
            "invalid_value",
            "sort[1].field",
            Some(json!("tags")),
        ),
        (
            json!({"sort": [{"field": "name"}, {"field": "name"}]}),
            "invalid_value",
            "sort[1].field",
            Some(json!("name")),
        ),
        (
            json!({"sort": [{"field": "name", "direction": "up"}]}),
            "invalid_value",
            "sort[0].direction",
            Some(json!("up")),
        ),
        (
            json!({"sort": [{"field": "name", "order": "asc"}]}),
            "unknown_field",
            "sort[0].order",
            Some(json!("order")),
        ),
        (
            json!({"sort": [{"field": "name"}, {"field": "industry"}, {"field": "stage"}, {"field": "tier"}]}),
            "too_many_items",
            "sort",
            Some(json!(4)),
        ),
        (
            json!({"sort": "name"}),
            "invalid_type",
            "sort",
            Some(json!("name")),
        ),
        (
            json!({"limit": 0}),
            "invalid_value",
            "limit",
            Some(json!(0)),
        ),
        (
            json!({"limit": 1001}),
            "invalid_value",
            "limit",
            Some(json!(1001)),
        ),
        (
            json!({"limit": "10"}),
            "invalid_type",
            "limit",
            Some(json!("10")),
        ),
        (
            json!({"search": 5}),
            "invalid_type",
            "search",
            Some(json!(5)),
        ),
        (
            json!({"search": "x".repeat(201)}),
            "invalid_value",
            "search",
            None,
        ),
        (
            json!({"include_archived": "yes"}),
            "invalid_type",
            "include_archived",
            Some(json!("yes")),
        ),
        (
            json!({"colour": "red"}),
            "unknown_field",
            "colour",
            Some(json!("colour")),
        ),
    ];
    for (body, kind, field, value) in cases {
        bad(&srv, body, kind, field, value).await;
    }

    // Depth and size bounds.
    let mut deep = ok.clone();
    for _ in 0..16 {
        deep = json!({ "not": deep });
    }
    let path = format!("filter{}", ".not".repeat(16));
    bad(&srv, json!({"filter": deep}), "invalid_value", &path, None).await;
    let many: Vec<Value> = (0..101).map(|_| ok.clone()).collect();
    bad(
        &srv,
        json!({"filter": {"or": many}}),
        "too_many_items",
        "filter.or[100]",
        None,
    )
    .await;
    let values: Vec<Value> = (0..1001).map(|i| json!(format!("v{i}"))).collect();
    bad(
        &srv,
        json!({"filter": leaf("industry", "in", json!(values))}),
        "too_many_items",
        "filter.value",
        None,
    )
    .await;

    // Not JSON objects at all, or not JSON.
    let (status, _, err) = srv.post(PATH, &srv.admin_token, &json!([1])).await;
    assert_eq!(
        (status, err["error"]["type"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalid_type"))
    );
    let (status, _, err) = srv
        .send(
            Method::POST,
            PATH,
            Some(&srv.admin_token),
            &[("content-type", "application/json")],
            Some(b"{\"filter\": ".to_vec()),
        )
        .await;
    assert_eq!(
        (status, err["error"]["type"].clone()),
        (StatusCode::BAD_REQUEST, json!("malformed_json"))
    );
    let (status, _, _) = srv
        .send(
            Method::POST,
            PATH,
            Some(&srv.admin_token),
            &[("content-type", "text/plain")],
            Some(b"{}".to_vec()),
        )
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
});

both_backends!(archived_scopes_and_defaults, |srv| async move {
    let kept = srv.create_account(json!({"name": "Kept"})).await;
    let gone = srv.create_account(json!({"name": "Gone"})).await;
    let (status, _, _) = srv
        .post(
            &format!("/v1/accounts/{}/archive", gone["id"].as_str().expect("id")),
            &srv.admin_token,
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let page = query(&srv, json!({})).await;
    assert_eq!(names(&page), vec!["Kept"]);
    assert_eq!(
        (page["has_more"].clone(), page["next_cursor"].clone()),
        (json!(false), Value::Null)
    );
    let page = query(&srv, json!({"include_archived": true})).await;
    assert_eq!(
        names(&page),
        vec!["Kept", "Gone"],
        "default sort is created_at ascending"
    );
    let page = query(
        &srv,
        json!({"include_archived": true,
        "filter": {"field": "archived_at", "op": "exists", "value": true}}),
    )
    .await;
    assert_eq!(names(&page), vec!["Gone"]);
    let page = query(&srv, json!({"filter": null, "sort": [], "cursor": ""})).await;
    assert_eq!(page["data"][0]["id"], kept["id"]);

    // Reading is enough; no token is not.
    let read = srv.token(Scope::Read).await;
    let (status, _, _) = srv.post(PATH, &read, &json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = srv
        .send(
            Method::POST,
            PATH,
            None,
            &[("content-type", "application/json")],
            Some(b"{}".to_vec()),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Another workspace sees none of these.
    let other = srv.second_workspace_token("elsewhere").await;
    let (status, _, page) = srv
        .post(PATH, &other, &json!({"include_archived": true}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["data"], json!([]));
});
