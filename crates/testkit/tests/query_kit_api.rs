//! The query kit end to end, on both stores: the operators `ends_with`, `between` and
//! `not_exists`, filters on websites and on tags by id or name, `include_total`, `prev_cursor`
//! walks on the list and query routes, the query language's error codes, and the typed query
//! builder the service offers vendor surfaces (last pages, offsets, cursor directions, counts).

use orgstore_core::page::Page;
use orgstore_core::query::{AccountQueryBuilder, Direction, FilterOp, FilterTree, FilterValue};

use orgstore_testkit::reqwest::StatusCode;
use orgstore_testkit::serde_json::{Value, json};
use orgstore_testkit::{TestServer, both_backends, define_field, encode};

const QUERY: &str = "/v1/accounts/query";

async fn query(srv: &TestServer, body: Value) -> Value {
    let (status, _, page) = srv.post(QUERY, &srv.admin_token, &body).await;
    assert_eq!(status, StatusCode::OK, "{body}: {page}");
    page
}

async fn list(srv: &TestServer, params: &str) -> Value {
    let (status, _, page) = srv
        .get(&format!("/v1/accounts?{params}"), &srv.admin_token)
        .await;
    assert_eq!(status, StatusCode::OK, "{params}: {page}");
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

/// The names a filter matches, sorted.
async fn matching(srv: &TestServer, filter: Value) -> Vec<String> {
    let page = query(srv, json!({"filter": filter, "limit": 1000})).await;
    let mut out = names(&page);
    out.sort();
    out
}

fn sorted(list: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    out.sort();
    out
}

fn leaf(field: &str, op: &str, value: Value) -> Value {
    json!({"field": field, "op": op, "value": value})
}

async fn pause() {
    orgstore_testkit::tokio::time::sleep(std::time::Duration::from_millis(3)).await;
}

/// Four accounts with distinct websites, sizes, revenues and tags.
async fn seed(srv: &TestServer) -> Vec<Value> {
    let mut out = Vec::new();
    for body in [
        json!({"name": "Alpha Labs", "industry": "Software", "number_of_employees": 20,
               "annual_revenue": 1500.25, "stage": "customer", "tags": ["VIP"],
               "websites": ["https://Alpha.io/home"]}),
        json!({"name": "Beta Works", "industry": "Hardware", "number_of_employees": 300,
               "annual_revenue": 99999.5, "stage": "prospect", "tags": ["gold", "vip"],
               "websites": [{"url": "https://www.beta.com", "type": "primary"},
                            {"url": "https://blog.beta.com/news"}]}),
        json!({"name": "gamma co"}),
        json!({"name": "Delta Labs", "industry": "Software", "number_of_employees": 50,
               "annual_revenue": 50, "tags": ["gold"], "websites": ["http://delta.org"]}),
    ] {
        out.push(srv.create_account(body).await);
        pause().await;
    }
    out
}

both_backends!(ends_with_between_and_not_exists, |srv| async move {
    seed(&srv).await;
    let m = |filter| matching(&srv, filter);
    assert_eq!(
        m(leaf("name", "ends_with", json!("LABS"))).await,
        sorted(&["Alpha Labs", "Delta Labs"])
    );
    assert_eq!(
        m(leaf("name", "ends_with", json!("co"))).await,
        sorted(&["gamma co"])
    );
    // A LIKE wildcard in the value matches itself only.
    assert_eq!(
        m(leaf("name", "ends_with", json!("_abs"))).await,
        Vec::<String>::new()
    );
    assert_eq!(
        m(leaf("number_of_employees", "between", json!([20, 50]))).await,
        sorted(&["Alpha Labs", "Delta Labs"])
    );
    assert_eq!(
        m(leaf("annual_revenue", "between", json!([50, 1500.25]))).await,
        sorted(&["Alpha Labs", "Delta Labs"])
    );
    assert_eq!(
        m(leaf("name", "between", json!(["beta", "delta labs"]))).await,
        sorted(&["Beta Works", "Delta Labs"]),
        "names compare by their lowercase key"
    );
    assert_eq!(
        m(leaf(
            "created_at",
            "between",
            json!(["2000-01-01", "2999-01-01"])
        ))
        .await
        .len(),
        4
    );
    assert_eq!(
        m(json!({"not": leaf("number_of_employees", "between", json!([20, 50]))})).await,
        sorted(&["Beta Works", "gamma co"]),
        "the complement includes accounts without a value"
    );
    assert_eq!(
        m(json!({"field": "industry", "op": "not_exists"})).await,
        sorted(&["gamma co"])
    );
    assert_eq!(
        m(leaf("stage", "not_exists", json!(true))).await,
        sorted(&["Delta Labs", "gamma co"])
    );
    assert_eq!(
        m(leaf("stage", "not_exists", json!(false))).await,
        sorted(&["Alpha Labs", "Beta Works"])
    );
    assert_eq!(
        m(json!({"field": "tags", "op": "not_exists"})).await,
        sorted(&["gamma co"])
    );

    // Custom fields: between by the definition's type.
    define_field(&srv, "accounts", "score", "number").await;
    define_field(&srv, "accounts", "since", "date").await;
    define_field(&srv, "accounts", "motto", "text").await;
    for (name, fields) in [
        (
            "Alpha Labs",
            json!({"score": 7, "since": "2021-03-01", "motto": "Ship IT"}),
        ),
        ("Beta Works", json!({"score": 12.5, "since": "2023-07-15"})),
    ] {
        let page = query(&srv, json!({"filter": leaf("name", "eq", json!(name))})).await;
        let id = page["data"][0]["id"].as_str().expect("id").to_string();
        let (status, _, body) = srv
            .patch(
                &format!("/v1/accounts/{id}"),
                &srv.admin_token,
                &json!({"custom_fields": fields}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    assert_eq!(
        m(leaf("custom_fields.score", "between", json!([7, 10]))).await,
        sorted(&["Alpha Labs"])
    );
    assert_eq!(
        m(leaf(
            "custom_fields.since",
            "between",
            json!(["2022-01-01", "2024-01-01"])
        ))
        .await,
        sorted(&["Beta Works"])
    );
    assert_eq!(
        m(leaf("custom_fields.motto", "ends_with", json!("it"))).await,
        sorted(&["Alpha Labs"])
    );
    assert_eq!(
        m(json!({"field": "custom_fields.score", "op": "not_exists"})).await,
        sorted(&["Delta Labs", "gamma co"])
    );
});

both_backends!(websites_filter_by_url, |srv| async move {
    seed(&srv).await;
    let m = |filter| matching(&srv, filter);
    assert_eq!(
        m(leaf("websites", "eq", json!("https://www.beta.com"))).await,
        sorted(&["Beta Works"])
    );
    assert_eq!(
        m(leaf(
            "websites",
            "in",
            json!(["http://delta.org", "https://nowhere.example"])
        ))
        .await,
        sorted(&["Delta Labs"])
    );
    assert_eq!(
        m(leaf("websites", "contains", json!("BETA.COM/NEWS"))).await,
        sorted(&["Beta Works"]),
        "patterns ignore case"
    );
    assert_eq!(
        m(leaf("websites", "starts_with", json!("https://"))).await,
        sorted(&["Alpha Labs", "Beta Works"])
    );
    assert_eq!(
        m(leaf("websites", "ends_with", json!(".org"))).await,
        sorted(&["Delta Labs"])
    );
    assert_eq!(
        m(json!({"field": "websites", "op": "exists"})).await,
        sorted(&["Alpha Labs", "Beta Works", "Delta Labs"])
    );
    assert_eq!(
        m(json!({"field": "websites", "op": "not_exists"})).await,
        sorted(&["gamma co"])
    );
    assert_eq!(
        m(leaf("websites", "ne", json!("http://delta.org"))).await,
        sorted(&["Alpha Labs", "Beta Works", "gamma co"])
    );
    let (status, _, err) = srv
        .post(
            QUERY,
            &srv.admin_token,
            &json!({"filter": leaf("websites", "gt", json!("a"))}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        (&err["error"]["code"], &err["error"]["field"]),
        (&json!("unsupported_operator"), &json!("filter.op"))
    );
});

both_backends!(tags_by_id_or_by_name, |srv| async move {
    let accounts = seed(&srv).await;
    let tag_id = |account: &Value, name: &str| {
        account["tags"]
            .as_array()
            .expect("tags")
            .iter()
            .find(|t| t["name"] == name)
            .and_then(|t| t["id"].as_str())
            .expect("tag id")
            .to_string()
    };
    let vip = tag_id(&accounts[0], "VIP");
    let gold = tag_id(&accounts[1], "gold");
    let m = |filter| matching(&srv, filter);
    assert_eq!(
        m(leaf("tags", "eq", json!(vip))).await,
        sorted(&["Alpha Labs", "Beta Works"])
    );
    assert_eq!(
        m(leaf(
            "tags",
            "eq",
            json!(vip.to_uppercase().replacen("TAG_", "tag_", 1))
        ))
        .await,
        sorted(&["Alpha Labs", "Beta Works"]),
        "ids match in any case"
    );
    assert_eq!(
        m(leaf("tags", "eq", json!("vip"))).await,
        sorted(&["Alpha Labs", "Beta Works"])
    );
    assert_eq!(
        m(leaf("tags", "in", json!([gold, "VIP"]))).await,
        sorted(&["Alpha Labs", "Beta Works", "Delta Labs"]),
        "ids and names mix in one list"
    );
    assert_eq!(
        m(leaf("tags", "ne", json!(gold))).await,
        sorted(&["Alpha Labs", "gamma co"])
    );
    assert_eq!(
        m(leaf("tags", "not_in", json!([gold, vip]))).await,
        sorted(&["gamma co"])
    );
    // A tag renamed is still found by its id.
    let (status, _, _) = srv
        .patch(
            &format!("/v1/tags/{gold}"),
            &srv.admin_token,
            &json!({"name": "Platinum"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        m(leaf("tags", "eq", json!(gold))).await,
        sorted(&["Beta Works", "Delta Labs"])
    );
    assert_eq!(
        m(leaf("tags", "eq", json!("gold"))).await,
        Vec::<String>::new()
    );
    // The list route's tag parameter takes an id as well.
    let page = list(&srv, &format!("tag={gold}")).await;
    let mut got = names(&page);
    got.sort();
    assert_eq!(got, sorted(&["Beta Works", "Delta Labs"]));
    // An id that names no tag of the workspace matches nothing.
    let unknown = "tag_01jd5y0v4w8k9m2n3p4q5r6s7t";
    assert_eq!(
        m(leaf("tags", "eq", json!(unknown))).await,
        Vec::<String>::new()
    );
});

both_backends!(include_total_counts_every_match, |srv| async move {
    let accounts = seed(&srv).await;
    let archived = accounts[3]["id"].as_str().expect("id");
    let (status, _, _) = srv
        .post(
            &format!("/v1/accounts/{archived}/archive"),
            &srv.admin_token,
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // Asked for: the count of all matches, whatever the page size.
    let page = list(&srv, "limit=1&include_total=true").await;
    assert_eq!((page["total"].clone(), names(&page).len()), (json!(3), 1));
    let page = list(&srv, "limit=1&include_total=true&include_archived=true").await;
    assert_eq!(page["total"], 4);
    let page = list(&srv, "include_total=true&industry=Software").await;
    assert_eq!(page["total"], 1);
    let page = list(&srv, "include_total=true&q=labs").await;
    assert_eq!(page["total"], 1, "search counts too");
    let page = query(
        &srv,
        json!({"include_total": true, "limit": 1, "include_archived": true,
               "filter": leaf("tags", "eq", json!("gold"))}),
    )
    .await;
    assert_eq!(
        (page["total"].clone(), page["has_more"].clone()),
        (json!(2), json!(true))
    );
    let page = query(
        &srv,
        json!({"include_total": true, "filter": leaf("name", "eq", json!("nobody"))}),
    )
    .await;
    assert_eq!(page["total"], 0);
    // The count does not follow the cursor: every page of a walk gives the same total.
    let first = query(&srv, json!({"include_total": true, "limit": 2})).await;
    let second = query(
        &srv,
        json!({"include_total": true, "limit": 2, "cursor": first["next_cursor"]}),
    )
    .await;
    assert_eq!(
        (first["total"].clone(), second["total"].clone()),
        (json!(3), json!(3))
    );

    // Not asked for: the page keeps its old shape.
    for page in [list(&srv, "").await, query(&srv, json!({})).await] {
        let keys: Vec<&String> = page.as_object().expect("object").keys().collect();
        assert_eq!(keys.len(), 3, "{page}");
        assert!(page.get("total").is_none() && page.get("prev_cursor").is_none());
    }
    let (status, _, err) = srv
        .get("/v1/accounts?include_total=maybe", &srv.admin_token)
        .await;
    assert_eq!(
        (status, err["error"]["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("include_total"))
    );
    let (status, _, err) = srv
        .post(QUERY, &srv.admin_token, &json!({"include_total": "yes"}))
        .await;
    assert_eq!(
        (status, err["error"]["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("include_total"))
    );
    let (status, _, err) = srv
        .get("/v1/accounts/export?include_total=true", &srv.admin_token)
        .await;
    assert_eq!(
        (status, err["error"]["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("include_total"))
    );
});

/// Walks forward from the first page, then back from the last page reached with each page's
/// `prev_cursor`; the pages read backward are the forward ones, in the same order.
async fn walk_both_ways<F, Fut>(mut page_at: F, limit: usize) -> Vec<String>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Value>,
{
    let mut forward: Vec<Vec<String>> = Vec::new();
    let mut page = page_at(None).await;
    assert!(
        page.get("prev_cursor").is_none(),
        "the first page has no prev_cursor: {page}"
    );
    loop {
        let data = names(&page);
        assert!(!data.is_empty() || forward.is_empty(), "{page}");
        if page["next_cursor"].is_string() {
            assert_eq!(data.len(), limit, "a page with a next_cursor is full");
        }
        forward.push(data);
        match page["next_cursor"].as_str() {
            Some(next) => page = page_at(Some(next.to_string())).await,
            None => break,
        }
        assert!(forward.len() < 100, "the walk does not end");
    }
    let mut backward = vec![names(&page)];
    while let Some(prev) = page["prev_cursor"].as_str() {
        page = page_at(Some(prev.to_string())).await;
        assert!(
            page["next_cursor"].is_string(),
            "a previous page continues: {page}"
        );
        assert_eq!(page["has_more"], true);
        backward.push(names(&page));
        assert!(
            backward.len() <= forward.len(),
            "the walk back does not end"
        );
    }
    backward.reverse();
    assert_eq!(backward, forward, "walking back gives the same pages");
    forward.concat()
}

async fn seed_many(srv: &TestServer) {
    define_field(srv, "accounts", "rank", "number").await;
    for i in 0..11 {
        let mut body =
            json!({"name": format!("Acct {:02}", (i * 7) % 11), "custom_fields": {"rank": i % 4}});
        if i % 3 == 0 {
            body["annual_revenue"] = json!(i * 10);
        }
        srv.create_account(body).await;
        pause().await;
    }
}

both_backends!(prev_cursor_walks_back_on_the_list_route, |srv| async move {
    seed_many(&srv).await;
    for sort in [
        "",
        "&sort=name",
        "&sort=-name",
        "&sort=-created_at",
        "&sort=updated_at",
        "&q=acct",
    ] {
        let all = walk_both_ways(
            |cursor| {
                let path = match cursor {
                    Some(c) => format!("limit=3{sort}&cursor={}", encode(&c)),
                    None => format!("limit=3{sort}"),
                };
                let srv = &srv;
                async move { list(srv, &path).await }
            },
            3,
        )
        .await;
        assert_eq!(all.len(), 11, "{sort}");
    }
    // A prev_cursor belongs to its list and query, like a next_cursor.
    let page = list(&srv, "limit=3&sort=name").await;
    let next = list(
        &srv,
        &format!(
            "limit=3&sort=name&cursor={}",
            encode(page["next_cursor"].as_str().expect("next"))
        ),
    )
    .await;
    let prev = next["prev_cursor"].as_str().expect("prev").to_string();
    let (status, _, err) = srv
        .get(
            &format!("/v1/accounts?limit=3&sort=-name&cursor={}", encode(&prev)),
            &srv.admin_token,
        )
        .await;
    assert_eq!(
        (status, err["error"]["code"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalid_cursor"))
    );
    let (status, _, _) = srv
        .post(
            QUERY,
            &srv.admin_token,
            &json!({"cursor": prev, "sort": [{"field": "name"}]}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a list cursor is not a query cursor"
    );
});

both_backends!(
    prev_cursor_walks_back_on_the_query_route,
    |srv| async move {
        seed_many(&srv).await;
        let sorts = [
            json!([{"field": "annual_revenue", "direction": "desc"}, {"field": "name"}]),
            json!([{"field": "annual_revenue"}]),
            json!([{"field": "custom_fields.rank", "direction": "desc"}]),
            json!([]),
        ];
        for sort in sorts {
            for limit in [2, 4] {
                let all = walk_both_ways(
                    |cursor| {
                        let body = json!({"sort": sort, "limit": limit, "cursor": cursor,
                                      "filter": leaf("name", "starts_with", json!("acct"))});
                        let srv = &srv;
                        async move { query(srv, body).await }
                    },
                    limit,
                )
                .await;
                assert_eq!(all.len(), 11, "{sort} by {limit}");
            }
        }
        let all = walk_both_ways(
            |cursor| {
                let body = json!({"search": "acct", "limit": 5, "cursor": cursor});
                let srv = &srv;
                async move { query(srv, body).await }
            },
            5,
        )
        .await;
        assert_eq!(all.len(), 11);
    }
);

both_backends!(query_errors_carry_their_code, |srv| async move {
    define_field(&srv, "accounts", "score", "number").await;
    let cases = [
        (
            leaf("colour", "eq", json!("red")),
            "unknown_filter_field",
            "unknown_field",
            "filter.field",
        ),
        (
            leaf("custom_fields.nope", "eq", json!(1)),
            "unknown_filter_field",
            "unknown_field",
            "filter.field",
        ),
        (
            leaf("stage", "gt", json!("a")),
            "unsupported_operator",
            "invalid_value",
            "filter.op",
        ),
        (
            leaf("industry", "matches", json!("a")),
            "unsupported_operator",
            "invalid_value",
            "filter.op",
        ),
        (
            leaf("number_of_employees", "eq", json!("ten")),
            "invalid_filter_value",
            "invalid_type",
            "filter.value",
        ),
        (
            leaf("number_of_employees", "between", json!(5)),
            "invalid_filter_value",
            "invalid_type",
            "filter.value",
        ),
        (
            leaf("number_of_employees", "between", json!([9, 1])),
            "invalid_value",
            "invalid_value",
            "filter.value",
        ),
        (
            leaf("custom_fields.score", "eq", json!("9")),
            "invalid_value",
            "invalid_value",
            "filter.value",
        ),
    ];
    for (filter, code, kind, field) in cases {
        let (status, _, err) = srv
            .post(QUERY, &srv.admin_token, &json!({"filter": filter}))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{filter}: {err}");
        assert_eq!(
            (
                &err["error"]["code"],
                &err["error"]["type"],
                &err["error"]["field"]
            ),
            (&json!(code), &json!(kind), &json!(field)),
            "{filter}"
        );
    }
    let sorts = [
        (
            json!([{"field": "tags"}]),
            "unsortable_field",
            "invalid_value",
            "sort[0].field",
        ),
        (
            json!([{"field": "colour"}]),
            "unknown_filter_field",
            "unknown_field",
            "sort[0].field",
        ),
        (
            json!([{"field": "name"}, {"field": "tier"}, {"field": "stage"}, {"field": "industry"}]),
            "too_many_sort_keys",
            "too_many_items",
            "sort",
        ),
    ];
    for (sort, code, kind, field) in sorts {
        let (status, _, err) = srv
            .post(QUERY, &srv.admin_token, &json!({"sort": sort}))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{sort}: {err}");
        assert_eq!(
            (
                &err["error"]["code"],
                &err["error"]["type"],
                &err["error"]["field"]
            ),
            (&json!(code), &json!(kind), &json!(field)),
            "{sort}"
        );
    }
});

/// The names of a page the service returns.
fn page_names(page: &Page<orgstore_core::model::Account>) -> Vec<String> {
    page.data.iter().map(|a| a.name.clone()).collect()
}

both_backends!(the_typed_builder_serves_vendor_surfaces, |srv| async move {
    seed_many(&srv).await;
    let who = srv
        .service
        .authenticate(&srv.admin_token)
        .await
        .expect("admin principal");
    let by_name = || {
        AccountQueryBuilder::new("vendor.accounts")
            .filter(FilterTree::predicate("name", FilterOp::StartsWith, "acct"))
            .sort_by("name", Direction::Asc)
            .limit(4)
    };
    let expected: Vec<String> = (0..11).map(|i| format!("Acct {i:02}")).collect();

    // The last page, still in the query's order, and the page before it.
    let last = srv
        .service
        .page_accounts(&who, by_name().last_page())
        .await
        .expect("last page");
    assert_eq!(page_names(&last), expected[7..]);
    assert_eq!((last.has_more, last.next_cursor.clone()), (false, None));
    let before = srv
        .service
        .page_accounts(
            &who,
            by_name().cursor(last.prev_cursor.clone().expect("prev")),
        )
        .await
        .expect("page before the last");
    assert_eq!(page_names(&before), expected[3..7]);

    // A next_cursor sent back with the direction overridden (DevRev's mode=before).
    let first = srv
        .service
        .page_accounts(&who, by_name())
        .await
        .expect("first");
    let second = srv
        .service
        .page_accounts(
            &who,
            by_name().cursor(first.next_cursor.clone().expect("next")),
        )
        .await
        .expect("second");
    assert_eq!(page_names(&second), expected[4..8]);
    let back = srv
        .service
        .page_accounts(
            &who,
            by_name().before_cursor(second.next_cursor.clone().expect("next")),
        )
        .await
        .expect("before the second page's last row");
    assert_eq!(page_names(&back), expected[3..7]);
    let after_prev = srv
        .service
        .page_accounts(
            &who,
            by_name().after_cursor(second.prev_cursor.clone().expect("prev")),
        )
        .await
        .expect("after the second page's first row");
    assert_eq!(page_names(&after_prev), expected[5..9]);

    // Offsets for page/per_page interfaces, on keyset and offset orders alike.
    let third = srv
        .service
        .page_accounts(&who, by_name().offset(8))
        .await
        .expect("offset");
    assert_eq!(page_names(&third), expected[8..]);
    assert!(third.prev_cursor.is_some() && third.next_cursor.is_none());
    let ranked = |b: AccountQueryBuilder| b.search("acct").limit(4);
    let last_ranked = srv
        .service
        .page_accounts(
            &who,
            ranked(AccountQueryBuilder::new("vendor.accounts")).last_page(),
        )
        .await
        .expect("last ranked page");
    assert_eq!(
        last_ranked.data.len(),
        4,
        "the last four of the eleven rows"
    );
    assert!(last_ranked.prev_cursor.is_some() && !last_ranked.has_more);

    // Totals: on the page when asked for, and alone.
    let page = srv
        .service
        .page_accounts(&who, by_name().include_total(true).offset(4))
        .await
        .expect("with total");
    assert_eq!(page.total, Some(11));
    let count = srv
        .service
        .count_accounts(
            &who,
            AccountQueryBuilder::new("vendor.accounts").filter(FilterTree::and(vec![
                FilterTree::predicate("name", FilterOp::StartsWith, "acct"),
                FilterTree::predicate("custom_fields.rank", FilterOp::Between, vec![1i64, 2]),
            ])),
        )
        .await
        .expect("count");
    assert_eq!(count, 6, "ranks 1 and 2 among 0,1,2,3,0,1,2,3,0,1,2");

    // Errors name what the caller passed: a predicate's label, or its place in the tree.
    let err = srv
        .service
        .page_accounts(
            &who,
            AccountQueryBuilder::new("vendor.accounts").filter(
                FilterTree::predicate("created_at", FilterOp::Gt, FilterValue::Int(5))
                    .labelled("created_date.after"),
            ),
        )
        .await
        .expect_err("a number for a timestamp");
    assert_eq!(
        (err.code().as_str(), err.field()),
        ("invalid_filter_value", Some("created_date.after"))
    );
    // A vendor's cursor is refused by the native routes.
    let (status, _, _) = srv
        .post(
            QUERY,
            &srv.admin_token,
            &json!({"cursor": first.next_cursor, "sort": [{"field": "name"}],
              "filter": leaf("name", "starts_with", json!("acct")), "limit": 4}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
});
