//! `GET /v1/accounts/export` end to end: NDJSON and CSV of more rows than one internal page,
//! filters, the exact CSV header, content types and the errors before the first byte.

use orgstore_core::auth::{Principal, Scope};
use orgstore_core::export::CSV_COLUMNS;
use orgstore_core::model::AccountInput;
use orgstore_testkit::reqwest::StatusCode;
use orgstore_testkit::reqwest::header::HeaderMap;
use orgstore_testkit::serde_json::{self, Value, json};
use orgstore_testkit::{TestServer, both_backends, define_field, header};

/// More than two internal pages of 1,000.
const ROWS: usize = 2_500;

async fn owner_principal(srv: &TestServer) -> Principal {
    let store = srv.service.store();
    let ws = store
        .workspace_by_slug("default")
        .await
        .expect("read workspace")
        .expect("default workspace");
    let owner = store.owner_user(&ws.id).await.expect("owner");
    Principal {
        workspace_id: ws.id,
        user_id: owner.id,
        token_id: "test".into(),
        scope: Scope::Admin,
    }
}

/// `ROWS` accounts through the service (HTTP would be slow in debug builds); every fifth is in
/// the Software industry.
async fn seed(srv: &TestServer) {
    let who = owner_principal(srv).await;
    for i in 0..ROWS {
        let input: AccountInput = serde_json::from_value(json!({
            "name": format!("Company {i:05}"),
            "domains": [format!("company{i}.example")],
            "industry": if i % 5 == 0 { "Software" } else { "Retail" },
        }))
        .expect("input");
        srv.service
            .create_account(&who, input)
            .await
            .expect("create account");
    }
}

/// Sends an export request and returns the raw body text.
async fn export(
    srv: &TestServer,
    query: &str,
    token: Option<&str>,
) -> (StatusCode, HeaderMap, String) {
    let mut req = srv
        .client
        .get(srv.url(&format!("/v1/accounts/export{query}")));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let resp = req.send().await.expect("send");
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("body");
    (status, headers, text)
}

/// The header and rows of a CSV body. A small RFC 4180 reader: this crate does not depend on
/// `csv`, and an independent reader also checks the quoting.
fn csv_rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut records = Vec::new();
    let (mut record, mut field) = (Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(
        !quoted && field.is_empty() && record.is_empty(),
        "CSV ends with a newline"
    );
    let mut records = records.into_iter();
    let header = records.next().expect("header row");
    let rows: Vec<Vec<String>> = records.collect();
    assert!(
        rows.iter().all(|r| r.len() == header.len()),
        "every row has every column"
    );
    (header, rows)
}

fn ndjson(text: &str) -> Vec<Value> {
    text.lines()
        .map(|line| serde_json::from_str(line).expect("one JSON account per line"))
        .collect()
}

both_backends!(exports_more_than_one_page, |srv| async move {
    seed(&srv).await;
    let token = srv.token(Scope::Read).await;
    let listed: Vec<Value> = srv.all_accounts(&token).await;
    assert_eq!(listed.len(), ROWS);

    let (status, headers, text) = export(&srv, "", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(
        header(&headers, "content-type"),
        Some("application/x-ndjson")
    );
    assert_eq!(
        header(&headers, "content-disposition"),
        Some("attachment; filename=\"accounts.ndjson\"")
    );
    let exported = ndjson(&text);
    assert_eq!(exported, listed, "NDJSON is the list JSON, in list order");

    let (status, headers, text) = export(&srv, "?format=csv", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(
        header(&headers, "content-type"),
        Some("text/csv; charset=utf-8")
    );
    assert_eq!(
        header(&headers, "content-disposition"),
        Some("attachment; filename=\"accounts.csv\"")
    );
    assert!(text.starts_with(&format!("{}\n", CSV_COLUMNS.join(","))));
    let (head, rows) = csv_rows(&text);
    assert_eq!(head, CSV_COLUMNS);
    assert_eq!(rows.len(), ROWS);
    let ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    let listed_ids: Vec<&str> = listed.iter().filter_map(|a| a["id"].as_str()).collect();
    assert_eq!(ids, listed_ids);

    let (status, _, text) = export(&srv, "?format=csv&industry=Software", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let (_, rows) = csv_rows(&text);
    assert_eq!(rows.len(), ROWS / 5);
    assert!(rows.iter().all(|r| r[5] == "Software"));

    let (status, _, text) =
        export(&srv, "?domain=https://www.Company7.example/", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let one = ndjson(&text);
    assert_eq!(one.len(), 1);
    assert_eq!(one[0]["domains"], json!(["company7.example"]));
});

both_backends!(csv_cells_follow_the_documented_encoding, |srv| async move {
    // Custom fields are defined before they are written.
    define_field(&srv, "accounts", "segment", "text").await;
    let (status, _, text) = export(&srv, "?format=csv", Some(&srv.admin_token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        text,
        format!("{}\n", CSV_COLUMNS.join(",")),
        "empty export is the header"
    );
    let (status, _, text) = export(&srv, "?format=ndjson", Some(&srv.admin_token)).await;
    assert_eq!((status, text.as_str()), (StatusCode::OK, ""));

    let owner = srv.owner_id().await;
    let created = srv
        .create_account(json!({
            "name": "Acme, \"Inc\"",
            "description": "two\nlines",
            "domains": ["acme.com", "acme.io"],
            "websites": ["https://acme.com", "https://blog.acme.com"],
            "industry": "Software",
            "tier": "enterprise",
            "number_of_employees": 120,
            "annual_revenue": 1234.5,
            "stage": "customer",
            "owners": [owner],
            "phone_numbers": ["+1 415 555 2671", "+1 415 555 0000"],
            "addresses": [{"street_1": "1 Main St", "city": "Springfield", "state": "IL", "postal_code": "62701", "country": "US"}],
            "tags": ["vip", {"name": "tier", "value": "gold"}],
            "external_refs": ["sf-1", "hs-2"],
            "custom_fields": {"segment": "smb"}
        }))
        .await;
    let (_, _, text) = export(&srv, "?format=CSV", Some(&srv.admin_token)).await;
    let (_, rows) = csv_rows(&text);
    let cell = |name: &str| {
        let i = CSV_COLUMNS.iter().position(|c| *c == name).expect("column");
        rows[0][i].clone()
    };
    assert_eq!(cell("id"), created["id"].as_str().expect("id"));
    assert_eq!(
        cell("display_id"),
        created["display_id"].as_str().expect("display id")
    );
    assert_eq!(cell("name"), "Acme, \"Inc\"");
    assert_eq!(cell("domains"), "acme.com;acme.io");
    assert_eq!(cell("websites"), "https://acme.com;https://blog.acme.com");
    assert_eq!(cell("company_size"), "51-200");
    assert_eq!(cell("number_of_employees"), "120");
    assert_eq!(cell("annual_revenue").parse::<f64>().ok(), Some(1234.5));
    assert_eq!(cell("owners"), owner);
    assert_eq!(cell("tags"), "vip;tier:gold");
    assert_eq!(cell("external_refs"), "sf-1;hs-2");
    assert_eq!(cell("phone"), "+1 415 555 2671");
    assert_eq!(
        [
            cell("street_1"),
            cell("city"),
            cell("state"),
            cell("postal_code"),
            cell("country")
        ],
        ["1 Main St", "Springfield", "IL", "62701", "US"]
    );
    assert_eq!(cell("description"), "two\nlines");
    assert_eq!(
        serde_json::from_str::<Value>(&cell("custom_fields")).ok(),
        Some(json!({"segment": "smb"}))
    );
    assert_eq!(
        cell("created_at"),
        created["created_at"].as_str().expect("created_at")
    );
    assert_eq!(cell("archived_at"), "");
});

both_backends!(errors_come_before_the_body, |srv| async move {
    let token = &srv.admin_token;
    let (status, headers, text) = export(&srv, "?format=xml", Some(token)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert!(header(&headers, "content-type").is_some_and(|c| c.starts_with("application/json")));
    let body: Value = serde_json::from_str(&text).expect("json error");
    assert_eq!(body["error"]["type"], "invalid_value");
    assert_eq!(body["error"]["field"], "format");
    assert_eq!(body["error"]["value"], "xml");

    for (query, field) in [
        ("?q=acme", "q"),
        ("?limit=10", "limit"),
        ("?sort=name", "sort"),
        ("?domain=not%20a%20domain", "domain"),
        ("?created_after=soon", "created_after"),
    ] {
        let (status, _, text) = export(&srv, query, Some(token)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {text}");
        let body: Value = serde_json::from_str(&text).expect("json error");
        assert_eq!(body["error"]["field"], field, "{query}: {text}");
    }

    let (status, _, text) = export(&srv, "?format=csv", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{text}");
    let (status, _, _) = export(&srv, "", Some("osk_not_a_real_token")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
});
