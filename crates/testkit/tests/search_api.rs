//! Search end to end: `GET /v1/accounts?q=` and `"search"` in a query, on both text indexes.

use std::collections::HashSet;

use orgstore_testkit::reqwest::StatusCode;
use orgstore_testkit::serde_json::{Value, json};
use orgstore_testkit::{TestServer, both_backends, encode};

/// `GET /v1/accounts?q=<term><extra>`, asserting a 200.
async fn search(srv: &TestServer, term: &str, extra: &str) -> Value {
    let path = format!("/v1/accounts?q={}{extra}", encode(term));
    let (status, _, page) = srv.get(&path, &srv.admin_token).await;
    assert_eq!(status, StatusCode::OK, "{path}: {page}");
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

async fn found(srv: &TestServer, term: &str) -> Vec<String> {
    let page = search(srv, term, "&limit=1000").await;
    assert_eq!(page["has_more"], false);
    names(&page)
}

fn set(list: &[String]) -> HashSet<String> {
    list.iter().cloned().collect()
}

fn set_of(list: &[&str]) -> HashSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

async fn seed(srv: &TestServer) {
    for body in [
        json!({"name": "Globex Corporation", "domains": ["globex.com"],
               "websites": [{"url": "https://www.Globex.com/careers"}], "stage": "customer"}),
        json!({"name": "Initech", "domains": ["initech.io", "tps-reports.net"], "stage": "prospect"}),
        json!({"name": "Umbrella", "websites": [{"url": "https://umbrella-pharma.example"}]}),
        json!({"name": "Hooli XYZ", "domains": ["hooli.xyz"], "stage": "customer"}),
        json!({"name": "Vandelay Industries", "industry": "Import/Export"}),
    ] {
        srv.create_account(body).await;
    }
}

both_backends!(matches_name_domains_and_websites, |srv| async move {
    seed(&srv).await;
    // Substrings and prefixes of names, any case.
    assert_eq!(found(&srv, "LOBE").await, vec!["Globex Corporation"]);
    assert_eq!(found(&srv, "corpor").await, vec!["Globex Corporation"]);
    assert_eq!(found(&srv, "vAnDeLaY").await, vec!["Vandelay Industries"]);
    assert_eq!(found(&srv, "  initech  ").await, vec!["Initech"]);
    // Domains, including a secondary one, and websites.
    assert_eq!(found(&srv, "tps-rep").await, vec!["Initech"]);
    assert_eq!(found(&srv, "hooli.x").await, vec!["Hooli XYZ"]);
    assert_eq!(found(&srv, "pharma").await, vec!["Umbrella"]);
    assert_eq!(found(&srv, "/careers").await, vec!["Globex Corporation"]);
    // Fields outside name, domains and websites are not searched.
    assert_eq!(found(&srv, "export").await, Vec::<String>::new());
    assert_eq!(found(&srv, "nothing like it").await, Vec::<String>::new());
    // Quotes and LIKE wildcards are plain characters.
    assert_eq!(found(&srv, "\"globex\"").await, Vec::<String>::new());
    assert_eq!(found(&srv, "%").await, Vec::<String>::new());
    assert_eq!(found(&srv, "_").await, Vec::<String>::new());
    assert_eq!(found(&srv, "i_e").await, Vec::<String>::new());
});

both_backends!(short_terms_match_substrings, |srv| async move {
    seed(&srv).await;
    srv.create_account(json!({"name": "Q"})).await;
    assert_eq!(
        set(&found(&srv, "xy").await),
        set_of(&["Hooli XYZ"]),
        "two characters"
    );
    assert_eq!(
        found(&srv, "Q").await,
        vec!["Q"],
        "one character, exact first"
    );
    assert_eq!(
        set(&found(&srv, "v").await),
        set_of(&["Vandelay Industries"])
    );
    assert_eq!(
        set(&found(&srv, "io").await),
        set_of(&["Globex Corporation", "Initech"]),
        "in a name and in a domain"
    );
});

both_backends!(results_are_ranked, |srv| async move {
    for body in [
        json!({"name": "Big Acme Holdings"}),
        json!({"name": "Zeta", "domains": ["acme.io"]}),
        json!({"name": "Acme Corp"}),
        json!({"name": "Beta", "websites": [{"url": "https://shop.acme.dev"}]}),
        json!({"name": "ACME"}),
        json!({"name": "Acme Anvils"}),
        json!({"name": "Alpha", "domains": ["acmeco.net"]}),
        json!({"name": "Unrelated"}),
    ] {
        srv.create_account(body).await;
    }
    // Exact name, name prefixes (by name), domain prefixes (by name), other substrings.
    let expected = vec![
        "ACME",
        "Acme Anvils",
        "Acme Corp",
        "Alpha",
        "Zeta",
        "Beta",
        "Big Acme Holdings",
    ];
    assert_eq!(found(&srv, "acme").await, expected);
    let page = srv
        .post(
            "/v1/accounts/query",
            &srv.admin_token,
            &json!({"search": "Acme", "limit": 100}),
        )
        .await;
    assert_eq!(page.0, StatusCode::OK, "{}", page.2);
    assert_eq!(names(&page.2), expected);
    // Two characters rank the same way.
    let two = found(&srv, "ac").await;
    assert_eq!(two[..3], ["ACME", "Acme Anvils", "Acme Corp"]);
});

both_backends!(list_filters_still_apply, |srv| async move {
    seed(&srv).await;
    let page = search(&srv, "o", "&stage=customer&limit=100").await;
    assert_eq!(
        set(&names(&page)),
        set_of(&["Globex Corporation", "Hooli XYZ"])
    );
    let page = search(&srv, "o", "&stage=prospect").await;
    assert_eq!(names(&page), vec!["Initech"]);
    let page = search(&srv, "globex", "&domain=https://WWW.GLOBEX.com").await;
    assert_eq!(names(&page), vec!["Globex Corporation"]);
    let page = search(&srv, "globex", "&domain=initech.io").await;
    assert_eq!(names(&page), Vec::<String>::new());
    let page = search(&srv, "i", "&sort=-name&limit=100").await;
    let got = names(&page);
    let mut by_name = got.clone();
    by_name.sort_by_key(|n| std::cmp::Reverse(n.to_lowercase()));
    assert_eq!(got, by_name, "an explicit sort replaces the ranking");
    // A search in a query combines with its filter.
    let (status, _, page) = srv
        .post(
            "/v1/accounts/query",
            &srv.admin_token,
            &json!({"search": "i", "include_archived": false, "filter": {"field": "stage", "op": "eq", "value": "customer"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(
        set(&names(&page)),
        set_of(&["Globex Corporation", "Hooli XYZ"])
    );
});

both_backends!(archived_accounts_are_hidden, |srv| async move {
    seed(&srv).await;
    let id = found_id(&srv, "initech").await;
    let (status, _, _) = srv
        .post(
            &format!("/v1/accounts/{id}/archive"),
            &srv.admin_token,
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(found(&srv, "initech").await, Vec::<String>::new());
    let page = search(&srv, "initech", "&include_archived=true").await;
    assert_eq!(names(&page), vec!["Initech"]);
    // Renaming is searchable at once; the old name is gone.
    let id = found_id(&srv, "umbrella").await;
    let (status, _, _) = srv
        .patch(
            &format!("/v1/accounts/{id}"),
            &srv.admin_token,
            &json!({"name": "Parasol"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(found(&srv, "parasol").await, vec!["Parasol"]);
    assert_eq!(found(&srv, "umbrella-ph").await, vec!["Parasol"]);
    let id = found_id(&srv, "vandelay").await;
    let (status, _, _) = srv
        .patch(
            &format!("/v1/accounts/{id}"),
            &srv.admin_token,
            &json!({"name": "Kramerica"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(found(&srv, "vandelay").await, Vec::<String>::new());
    assert_eq!(found(&srv, "va").await, Vec::<String>::new());
    assert_eq!(found(&srv, "kramer").await, vec!["Kramerica"]);
});

async fn found_id(srv: &TestServer, term: &str) -> String {
    let page = search(srv, term, "").await;
    page["data"][0]["id"].as_str().expect("a match").to_string()
}

both_backends!(search_results_page, |srv| async move {
    for i in 0..23 {
        let name = match i % 3 {
            0 => format!("Pager {i:02}"),
            1 => format!("The Pager {i:02}"),
            _ => format!("Other {i:02}"),
        };
        let mut body = json!({ "name": name });
        if i % 3 == 2 {
            body["domains"] = json!([format!("pager{i}.com")]);
        }
        srv.create_account(body).await;
    }
    srv.create_account(json!({"name": "Pager"})).await;
    srv.create_account(json!({"name": "Nothing"})).await;
    let whole = found(&srv, "pager").await;
    assert_eq!(whole.len(), 24);
    assert_eq!(whole[0], "Pager");
    for limit in [1, 5, 7] {
        let mut paged = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..100 {
            let extra = match &cursor {
                Some(c) => format!("&limit={limit}&cursor={}", encode(c)),
                None => format!("&limit={limit}"),
            };
            let page = search(&srv, "PAGER", &extra).await;
            paged.extend(names(&page));
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
        }
        assert_eq!(paged, whole, "pages of {limit}");
    }
    // A search cursor belongs to its term.
    let page = search(&srv, "pager", "&limit=5").await;
    let cursor = page["next_cursor"].as_str().expect("more").to_string();
    let path = format!("/v1/accounts?q=other&cursor={}", encode(&cursor));
    let (status, _, err) = srv.get(&path, &srv.admin_token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_eq!(err["error"]["field"], "cursor");
    let path = format!("/v1/accounts?cursor={}", encode(&cursor));
    let (status, _, _) = srv.get(&path, &srv.admin_token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "not a list cursor");
});

both_backends!(bad_and_blank_terms, |srv| async move {
    seed(&srv).await;
    let long = "x".repeat(201);
    let (status, _, err) = srv
        .get(&format!("/v1/accounts?q={long}"), &srv.admin_token)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_eq!(err["error"]["field"], "q");
    assert_eq!(err["error"]["type"], "invalid_value");
    let ok = "é".repeat(200);
    let (status, _, _) = srv
        .get(&format!("/v1/accounts?q={}", encode(&ok)), &srv.admin_token)
        .await;
    assert_eq!(status, StatusCode::OK, "200 characters are fine");
    // A blank term is no search: the plain list.
    let (_, _, blank) = srv.get("/v1/accounts?q=%20%20", &srv.admin_token).await;
    let (_, _, plain) = srv.get("/v1/accounts", &srv.admin_token).await;
    assert_eq!(blank, plain);
    assert_eq!(blank["data"].as_array().map(Vec::len), Some(5));
    // Other list parameters are still checked.
    let (status, _, err) = srv
        .get("/v1/accounts?q=globex&limit=0", &srv.admin_token)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["error"]["field"], "limit");
});
