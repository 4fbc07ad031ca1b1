//! `/v1/schema/{object}` end to end: the schema listing, defining, changing and archiving
//! custom fields, and the validation every account write gets from them (each type, required,
//! unique, unknown and system keys, bulk rows, assert) and typed queries on custom fields.

use orgstore_core::auth::Scope;
use orgstore_testkit::reqwest::StatusCode;
use orgstore_testkit::serde_json::{Value, json};
use orgstore_testkit::{TestServer, both_backends, define_field, define_field_with};

/// A user id of the right shape that no workspace has.
const UNKNOWN_USER: &str = "usr_01jd5y0v4w8k9m2n3p4q5r6s7t";

/// Asserts an error body: status, type, field and (when given) value.
fn check_error(
    response: &(StatusCode, Value),
    status: StatusCode,
    kind: &str,
    field: &str,
    value: Option<&Value>,
    what: &str,
) {
    let (got, body) = response;
    assert_eq!(*got, status, "{what}: status; body {body}");
    assert_eq!(body["error"]["type"], kind, "{what}: type; body {body}");
    assert_eq!(body["error"]["field"], field, "{what}: field; body {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{what}: message; body {body}"
    );
    if let Some(value) = value {
        assert_eq!(&body["error"]["value"], value, "{what}: value; body {body}");
    }
}

async fn post(srv: &TestServer, path: &str, body: &Value) -> (StatusCode, Value) {
    let (status, _, body) = srv.post(path, &srv.admin_token, body).await;
    (status, body)
}

async fn patch(srv: &TestServer, path: &str, body: &Value) -> (StatusCode, Value) {
    let (status, _, body) = srv.patch(path, &srv.admin_token, body).await;
    (status, body)
}

async fn schema(srv: &TestServer, object: &str) -> Value {
    let (status, _, body) = srv
        .get(&format!("/v1/schema/{object}"), &srv.admin_token)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn custom_names(schema: &Value) -> Vec<String> {
    schema["custom_fields"]
        .as_array()
        .expect("custom_fields")
        .iter()
        .map(|f| f["api_name"].as_str().expect("api_name").to_string())
        .collect()
}

fn system_field<'a>(schema: &'a Value, name: &str) -> &'a Value {
    schema["system_fields"]
        .as_array()
        .expect("system_fields")
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no system field {name} in {schema}"))
}

async fn account_count(srv: &TestServer) -> usize {
    srv.all_accounts(&srv.admin_token).await.len()
}

both_backends!(schema_lists_system_and_custom_fields, |srv| async move {
    let accounts = schema(&srv, "accounts").await;
    assert_eq!(accounts["object"], "accounts");
    let name = system_field(&accounts, "name");
    assert_eq!(
        (&name["type"], &name["writable"], &name["required"]),
        (&json!("text"), &json!(true), &json!(true))
    );
    assert_eq!(system_field(&accounts, "id")["writable"], false);
    assert_eq!(system_field(&accounts, "version")["writable"], false);
    assert_eq!(
        system_field(&accounts, "annual_revenue")["type"],
        json!("number")
    );
    for count in ["contact_count", "open_opportunity_count", "open_case_count"] {
        let f = system_field(&accounts, count);
        assert_eq!(
            (&f["computed"], &f["writable"]),
            (&json!(true), &json!(false))
        );
        assert_eq!(f["type"], "integer");
    }
    assert_eq!(accounts["custom_fields"], json!([]));

    let contacts = schema(&srv, "contacts").await;
    for name in [
        "first_name",
        "last_name",
        "emails",
        "title",
        "stage",
        "account_id",
    ] {
        assert_eq!(system_field(&contacts, name)["writable"], true, "{name}");
    }
    assert_eq!(system_field(&contacts, "created_by")["writable"], false);

    let def = define_field(&srv, "accounts", "arr", "number").await;
    assert_eq!(def["api_name"], "arr");
    assert_eq!(def["label"], "arr");
    assert_eq!(def["type"], "number");
    assert_eq!(def["required"], false);
    assert_eq!(def["archived_at"], Value::Null);
    let listed = schema(&srv, "accounts").await;
    let entry = &listed["custom_fields"][0];
    assert_eq!(entry["api_name"], "arr");
    assert_eq!(entry["path"], "custom_fields.arr");
    assert_eq!(entry["writable"], true);
    assert_eq!(entry["type"], "number");
    // Contacts have their own custom fields.
    assert_eq!(schema(&srv, "contacts").await["custom_fields"], json!([]));

    // A read token may look; an unknown object is a 404.
    let read = srv.token(Scope::Read).await;
    let (status, _, body) = srv.get("/v1/schema/accounts", &read).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, body) = srv.get("/v1/schema/widgets", &read).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["type"], "not_found");
    let r = post(
        &srv,
        "/v1/schema/widgets/fields",
        &json!({"api_name": "a", "type": "text"}),
    )
    .await;
    assert_eq!(r.0, StatusCode::NOT_FOUND, "{}", r.1);

    // Another workspace sees none of these fields.
    let other = srv.second_workspace_token("other").await;
    let (_, _, theirs) = srv.get("/v1/schema/accounts", &other).await;
    assert_eq!(theirs["custom_fields"], json!([]), "{theirs}");
});

both_backends!(define_patch_and_archive, |srv| async move {
    let def = define_field_with(
        &srv,
        "accounts",
        json!({"api_name": "segment", "label": "Segment", "type": "select", "options": ["smb", "mid", "ent"]}),
    )
    .await;
    assert_eq!(def["options"], json!(["smb", "mid", "ent"]));
    assert_eq!(def["position"], 1);
    let second = define_field(&srv, "accounts", "notes", "long_text").await;
    assert_eq!(second["position"], 2);

    let account = srv
        .create_account(json!({"name": "Acme", "custom_fields": {"segment": "smb", "notes": "hi"}}))
        .await;
    let id = account["id"].as_str().expect("id").to_string();

    // Label and options change; removing an option that a stored value uses is allowed.
    let r = patch(
        &srv,
        "/v1/schema/accounts/fields/segment",
        &json!({"label": "Market segment", "options": ["mid", "ent", "gov"]}),
    )
    .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    assert_eq!(r.1["label"], "Market segment");
    assert_eq!(r.1["options"], json!(["mid", "ent", "gov"]));
    assert_eq!(r.1["type"], "select");
    let (_, _, got) = srv
        .get(&format!("/v1/accounts/{id}"), &srv.admin_token)
        .await;
    assert_eq!(
        got["custom_fields"]["segment"], "smb",
        "stored values stay: {got}"
    );
    let r = patch(
        &srv,
        &format!("/v1/accounts/{id}"),
        &json!({"custom_fields": {"segment": "smb"}}),
    )
    .await;
    check_error(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "custom_fields.segment",
        Some(&json!("smb")),
        "removed option",
    );
    let r = patch(
        &srv,
        &format!("/v1/accounts/{id}"),
        &json!({"custom_fields": {"segment": "gov"}}),
    )
    .await;
    assert_eq!(r.0, StatusCode::OK, "new option: {}", r.1);

    // Fixed properties.
    for (body, field) in [
        (json!({"type": "text"}), "type"),
        (json!({"api_name": "seg"}), "api_name"),
        (json!({"required": true}), "required"),
        (json!({"unique": true}), "unique"),
    ] {
        let r = patch(&srv, "/v1/schema/accounts/fields/segment", &body).await;
        check_error(
            &r,
            StatusCode::BAD_REQUEST,
            "field_not_updatable",
            field,
            None,
            field,
        );
    }
    let r = patch(
        &srv,
        "/v1/schema/accounts/fields/notes",
        &json!({"options": ["a"]}),
    )
    .await;
    check_error(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "options",
        None,
        "options on long_text",
    );
    let r = patch(
        &srv,
        "/v1/schema/accounts/fields/segment",
        &json!({"options": []}),
    )
    .await;
    check_error(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "options",
        None,
        "empty options",
    );
    let r = patch(
        &srv,
        "/v1/schema/accounts/fields/nope",
        &json!({"label": "x"}),
    )
    .await;
    assert_eq!(r.0, StatusCode::NOT_FOUND, "{}", r.1);

    // The same api_name again is a conflict.
    let r = post(
        &srv,
        "/v1/schema/accounts/fields",
        &json!({"api_name": "notes", "type": "text"}),
    )
    .await;
    check_error(
        &r,
        StatusCode::CONFLICT,
        "field_exists",
        "api_name",
        Some(&json!("notes")),
        "redefine",
    );

    // Archive: listed with archived_at, rejects writes, keeps stored values.
    let (status, _, archived) = srv
        .delete("/v1/schema/accounts/fields/notes", &srv.admin_token)
        .await;
    assert_eq!(status, StatusCode::OK, "{archived}");
    assert!(archived["archived_at"].is_string(), "{archived}");
    let listed = schema(&srv, "accounts").await;
    assert_eq!(custom_names(&listed), vec!["segment", "notes"]);
    assert_eq!(listed["custom_fields"][1]["writable"], false);
    assert!(listed["custom_fields"][1]["archived_at"].is_string());
    let (_, _, got) = srv
        .get(&format!("/v1/accounts/{id}"), &srv.admin_token)
        .await;
    assert_eq!(
        got["custom_fields"]["notes"], "hi",
        "archived values stay: {got}"
    );
    let r = patch(
        &srv,
        &format!("/v1/accounts/{id}"),
        &json!({"custom_fields": {"notes": "new"}}),
    )
    .await;
    check_error(
        &r,
        StatusCode::BAD_REQUEST,
        "unknown_field",
        "custom_fields.notes",
        None,
        "archived write",
    );
    let r = post(
        &srv,
        "/v1/accounts",
        &json!({"name": "B", "custom_fields": {"notes": "x"}}),
    )
    .await;
    check_error(
        &r,
        StatusCode::BAD_REQUEST,
        "unknown_field",
        "custom_fields.notes",
        None,
        "archived create",
    );
    // A patch of other keys leaves the archived value alone.
    let r = patch(
        &srv,
        &format!("/v1/accounts/{id}"),
        &json!({"custom_fields": {"segment": "mid"}}),
    )
    .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    assert_eq!(
        r.1["custom_fields"],
        json!({"segment": "mid", "notes": "hi"})
    );
    // Archiving again is harmless; an unknown field is a 404.
    let (status, _, again) = srv
        .delete("/v1/schema/accounts/fields/notes", &srv.admin_token)
        .await;
    assert_eq!(
        (status, &again["archived_at"]),
        (StatusCode::OK, &archived["archived_at"])
    );
    let (status, _, _) = srv
        .delete("/v1/schema/accounts/fields/nope", &srv.admin_token)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Archived names stay taken.
    let r = post(
        &srv,
        "/v1/schema/accounts/fields",
        &json!({"api_name": "notes", "type": "text"}),
    )
    .await;
    assert_eq!(r.0, StatusCode::CONFLICT, "{}", r.1);
});

both_backends!(bad_definitions_name_field_and_value, |srv| async move {
    let cases = [
        (
            json!({"api_name": "Bad-Name", "type": "text"}),
            "invalid_value",
            "api_name",
            Some(json!("Bad-Name")),
        ),
        (
            json!({"api_name": "1abc", "type": "text"}),
            "invalid_value",
            "api_name",
            Some(json!("1abc")),
        ),
        (
            json!({"api_name": "x".repeat(65), "type": "text"}),
            "invalid_value",
            "api_name",
            None,
        ),
        (
            json!({"api_name": "name", "type": "text"}),
            "invalid_value",
            "api_name",
            Some(json!("name")),
        ),
        (
            json!({"api_name": "contact_count", "type": "integer"}),
            "invalid_value",
            "api_name",
            Some(json!("contact_count")),
        ),
        (
            json!({"api_name": "a", "type": "float"}),
            "invalid_value",
            "type",
            Some(json!("float")),
        ),
        (
            json!({"api_name": "a", "type": "select"}),
            "missing_field",
            "options",
            None,
        ),
        (
            json!({"api_name": "a", "type": "select", "options": []}),
            "invalid_value",
            "options",
            None,
        ),
        (
            json!({"api_name": "a", "type": "multi_select", "options": ["x", "x"]}),
            "invalid_value",
            "options[1]",
            Some(json!("x")),
        ),
        (
            json!({"api_name": "a", "type": "select", "options": ["x", " "]}),
            "invalid_value",
            "options[1]",
            Some(json!(" ")),
        ),
        (
            json!({"api_name": "a", "type": "text", "options": ["x"]}),
            "invalid_value",
            "options",
            None,
        ),
        (
            json!({"api_name": "a", "type": "reference"}),
            "missing_field",
            "reference",
            None,
        ),
        (
            json!({"api_name": "a", "type": "reference", "reference": "widget"}),
            "invalid_value",
            "reference",
            Some(json!("widget")),
        ),
        (
            json!({"api_name": "a", "type": "text", "reference": "user"}),
            "invalid_value",
            "reference",
            Some(json!("user")),
        ),
        (
            json!({"api_name": "a", "type": "boolean", "unique": true}),
            "invalid_value",
            "unique",
            Some(json!(true)),
        ),
        (
            json!({"api_name": "a", "type": "text", "label": ""}),
            "invalid_value",
            "label",
            Some(json!("")),
        ),
        (
            json!({"api_name": "a", "type": "text", "position": -1}),
            "invalid_value",
            "position",
            Some(json!(-1)),
        ),
        (
            json!({"api_name": "a", "type": "text", "colour": "red"}),
            "unknown_field",
            "colour",
            None,
        ),
        (json!({"type": "text"}), "missing_field", "api_name", None),
        (
            json!({"api_name": "a", "type": 3}),
            "invalid_type",
            "type",
            None,
        ),
    ];
    for (body, kind, field, value) in cases {
        let r = post(&srv, "/v1/schema/accounts/fields", &body).await;
        check_error(
            &r,
            StatusCode::BAD_REQUEST,
            kind,
            field,
            value.as_ref(),
            &body.to_string(),
        );
    }
    assert_eq!(
        schema(&srv, "accounts").await["custom_fields"],
        json!([]),
        "nothing stored"
    );
});

both_backends!(changing_the_schema_needs_admin, |srv| async move {
    define_field(&srv, "accounts", "arr", "number").await;
    for scope in [Scope::Read, Scope::Write] {
        let token = srv.token(scope).await;
        let body = json!({"api_name": "other", "type": "text"});
        let (status, _, r) = srv.post("/v1/schema/accounts/fields", &token, &body).await;
        assert_eq!(
            (status, &r["error"]["type"]),
            (StatusCode::FORBIDDEN, &json!("forbidden")),
            "{r}"
        );
        let (status, _, r) = srv
            .patch(
                "/v1/schema/accounts/fields/arr",
                &token,
                &json!({"label": "ARR"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{r}");
        let (status, _, r) = srv.delete("/v1/schema/accounts/fields/arr", &token).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{r}");
        let (status, _, r) = srv.get("/v1/schema/accounts", &token).await;
        assert_eq!(status, StatusCode::OK, "{r}");
    }
    let listed = schema(&srv, "accounts").await;
    assert_eq!(custom_names(&listed), vec!["arr"]);
    assert_eq!(listed["custom_fields"][0]["label"], "arr");
    assert_eq!(listed["custom_fields"][0]["archived_at"], Value::Null);
    let (status, _, r) = srv.get("/v1/schema/accounts", "osk_nope").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{r}");
});

/// Defines one field of every type: `t_<type>`.
async fn define_every_type(srv: &TestServer) {
    for ty in [
        "text",
        "long_text",
        "number",
        "integer",
        "boolean",
        "date",
        "timestamp",
        "url",
        "email",
        "phone",
    ] {
        define_field(srv, "accounts", &format!("t_{ty}"), ty).await;
    }
    define_field_with(
        srv,
        "accounts",
        json!({"api_name": "t_select", "type": "select", "options": ["a", "b"]}),
    )
    .await;
    define_field_with(
        srv,
        "accounts",
        json!({"api_name": "t_multi_select", "type": "multi_select", "options": ["a", "b", "c"]}),
    )
    .await;
    define_field_with(
        srv,
        "accounts",
        json!({"api_name": "t_user", "type": "reference", "reference": "user"}),
    )
    .await;
    define_field_with(
        srv,
        "accounts",
        json!({"api_name": "t_account", "type": "reference", "reference": "account"}),
    )
    .await;
    define_field_with(
        srv,
        "accounts",
        json!({"api_name": "t_contact", "type": "reference", "reference": "contact"}),
    )
    .await;
}

both_backends!(every_type_validates_values, |srv| async move {
    define_every_type(&srv).await;
    let owner = srv.owner_id().await;
    let target = srv.create_account(json!({"name": "Target"})).await;
    let target_id = target["id"].as_str().expect("id").to_string();
    let (status, contact) = post(&srv, "/v1/contacts", &json!({"first_name": "Cy"})).await;
    assert_eq!(status, StatusCode::CREATED, "{contact}");
    let contact_id = contact["id"].as_str().expect("id").to_string();
    let before = account_count(&srv).await;

    // One wrong value per type: a 400 naming the field, the value and what the type takes.
    let bad = [
        ("t_text", json!("x".repeat(256)), "text"),
        ("t_text", json!(5), "text"),
        ("t_long_text", json!("x".repeat(65_537)), "text"),
        ("t_number", json!("12"), "number"),
        ("t_integer", json!(1.5), "integer"),
        ("t_boolean", json!("true"), "boolean"),
        ("t_date", json!("2024-13-01"), "YYYY-MM-DD"),
        ("t_date", json!("01/02/2024"), "YYYY-MM-DD"),
        ("t_timestamp", json!("2024-05-01 12:00"), "RFC 3339"),
        ("t_url", json!("ftp://files.example.com"), "http(s) URL"),
        ("t_url", json!("not a url"), "http(s) URL"),
        ("t_email", json!("nobody.example.com"), "email"),
        ("t_phone", json!("call me maybe"), "phone"),
        ("t_select", json!("z"), "one of"),
        ("t_multi_select", json!(["a", "z"]), "options"),
        ("t_multi_select", json!(["a", "a"]), "distinct"),
        ("t_multi_select", json!("a"), "array"),
        ("t_user", json!("bob"), "user"),
        ("t_user", json!(UNKNOWN_USER), "user"),
        ("t_account", json!(owner.clone()), "account"),
        (
            "t_account",
            json!("acc_01jd5y0v4w8k9m2n3p4q5r6s7t"),
            "account",
        ),
        (
            "t_contact",
            json!("acc_01jd5y0v4w8k9m2n3p4q5r6s7t"),
            "contact",
        ),
        // Well formed, but no such contact in the workspace.
        (
            "t_contact",
            json!("con_01jd5y0v4w8k9m2n3p4q5r6s7t"),
            "contact",
        ),
    ];
    for (key, value, expected) in &bad {
        let body = json!({"name": "Bad", "custom_fields": {*key: value.clone()}});
        let r = post(&srv, "/v1/accounts", &body).await;
        let field = format!("custom_fields.{key}");
        let short = value.as_str().is_none_or(|s| s.len() < 100);
        check_error(
            &r,
            StatusCode::BAD_REQUEST,
            "invalid_value",
            &field,
            short.then_some(value),
            key,
        );
        let message = r.1["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(expected),
            "{key}: message names the type: {message}"
        );
        assert!(
            message.contains(key),
            "{key}: message names the field: {message}"
        );
    }
    assert_eq!(account_count(&srv).await, before, "nothing stored");

    // The same on a PATCH: the account is unchanged.
    let (status, _, unchanged) = srv
        .get(&format!("/v1/accounts/{target_id}"), &srv.admin_token)
        .await;
    assert_eq!(status, StatusCode::OK);
    for (key, value, _) in &bad {
        let r = patch(
            &srv,
            &format!("/v1/accounts/{target_id}"),
            &json!({"custom_fields": {*key: value.clone()}}),
        )
        .await;
        assert_eq!(
            r.1["error"]["field"],
            format!("custom_fields.{key}"),
            "patch {key}: {}",
            r.1
        );
    }
    let (_, _, after) = srv
        .get(&format!("/v1/accounts/{target_id}"), &srv.admin_token)
        .await;
    assert_eq!(after, unchanged, "failed patches change nothing");

    // One good value per type, stored normalized.
    let good = json!({
        "t_text": "  hello  ",
        "t_long_text": "x".repeat(65_536),
        "t_number": 12.5,
        "t_integer": 42.0,
        "t_boolean": false,
        "t_date": "2024-02-29",
        "t_timestamp": "2024-05-01T14:30:00+02:00",
        "t_url": "https://acme.example.com/about",
        "t_email": "Ops@Acme.example",
        "t_phone": "+1 415 555 2671",
        "t_select": "b",
        "t_multi_select": ["c", "a"],
        "t_user": owner,
        "t_account": target_id,
        "t_contact": contact_id
    });
    let created = srv
        .create_account(json!({"name": "Good", "custom_fields": good}))
        .await;
    let cf = &created["custom_fields"];
    assert_eq!(cf["t_text"], "hello");
    assert_eq!(cf["t_long_text"].as_str().map(str::len), Some(65_536));
    assert_eq!(cf["t_number"], 12.5);
    assert_eq!(cf["t_integer"], 42);
    assert_eq!(cf["t_boolean"], false);
    assert_eq!(cf["t_date"], "2024-02-29");
    assert_eq!(cf["t_timestamp"], "2024-05-01T12:30:00.000Z");
    assert_eq!(cf["t_url"], "https://acme.example.com/about");
    assert_eq!(cf["t_email"], "Ops@Acme.example");
    assert_eq!(cf["t_phone"], "+1 415 555 2671");
    assert_eq!(cf["t_select"], "b");
    assert_eq!(cf["t_multi_select"], json!(["c", "a"]));
    assert_eq!(cf["t_user"], json!(owner));
    assert_eq!(cf["t_account"], json!(target_id));
    assert_eq!(cf["t_contact"], json!(contact_id));
    let id = created["id"].as_str().expect("id");
    let (_, _, read) = srv
        .get(&format!("/v1/accounts/{id}"), &srv.admin_token)
        .await;
    assert_eq!(read["custom_fields"], *cf, "read back as written");

    // null and blank values are no value.
    let r = patch(
        &srv,
        &format!("/v1/accounts/{id}"),
        &json!({"custom_fields": {"t_text": null, "t_select": " "}}),
    )
    .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    assert!(r.1["custom_fields"].get("t_text").is_none(), "{}", r.1);
    assert!(r.1["custom_fields"].get("t_select").is_none(), "{}", r.1);
});

both_backends!(required_fields, |srv| async move {
    define_field_with(
        &srv,
        "accounts",
        json!({"api_name": "code", "type": "text", "required": true}),
    )
    .await;
    define_field(&srv, "accounts", "note", "text").await;
    let r = post(&srv, "/v1/accounts", &json!({"name": "A"})).await;
    check_error(
        &r,
        StatusCode::BAD_REQUEST,
        "missing_field",
        "custom_fields.code",
        None,
        "missing",
    );
    let r = post(
        &srv,
        "/v1/accounts",
        &json!({"name": "A", "custom_fields": {"code": null}}),
    )
    .await;
    check_error(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "custom_fields.code",
        Some(&Value::Null),
        "null",
    );
    let r = post(
        &srv,
        "/v1/accounts",
        &json!({"name": "A", "custom_fields": {"note": "x"}}),
    )
    .await;
    check_error(
        &r,
        StatusCode::BAD_REQUEST,
        "missing_field",
        "custom_fields.code",
        None,
        "other key only",
    );
    assert_eq!(account_count(&srv).await, 0);

    let account = srv
        .create_account(json!({"name": "A", "custom_fields": {"code": "A-1"}}))
        .await;
    let path = format!("/v1/accounts/{}", account["id"].as_str().expect("id"));
    let r = patch(&srv, &path, &json!({"custom_fields": {"code": null}})).await;
    check_error(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "custom_fields.code",
        Some(&Value::Null),
        "patch null",
    );
    let r = patch(&srv, &path, &json!({"custom_fields": null})).await;
    check_error(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "custom_fields.code",
        None,
        "clear all",
    );
    // A patch that leaves the required field alone is fine.
    let r = patch(
        &srv,
        &path,
        &json!({"name": "A2", "custom_fields": {"note": "n"}}),
    )
    .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    assert_eq!(r.1["custom_fields"], json!({"code": "A-1", "note": "n"}));
});

both_backends!(unique_fields_conflict, |srv| async move {
    define_field_with(
        &srv,
        "accounts",
        json!({"api_name": "duns", "type": "text", "unique": true}),
    )
    .await;
    define_field_with(
        &srv,
        "accounts",
        json!({"api_name": "contact_email", "type": "email", "unique": true}),
    )
    .await;
    let a = srv.create_account(json!({"name": "A", "custom_fields": {"duns": "123", "contact_email": "Ops@A.example"}})).await;
    let a_id = a["id"].as_str().expect("id").to_string();
    let before = account_count(&srv).await;

    let r = post(
        &srv,
        "/v1/accounts",
        &json!({"name": "B", "custom_fields": {"duns": "123"}}),
    )
    .await;
    check_error(
        &r,
        StatusCode::CONFLICT,
        "custom_field_conflict",
        "custom_fields.duns",
        Some(&json!("123")),
        "duplicate",
    );
    assert!(
        r.1["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains(&a_id),
        "names the holder: {}",
        r.1
    );
    // Emails compare case-insensitively.
    let r = post(
        &srv,
        "/v1/accounts",
        &json!({"name": "B", "custom_fields": {"contact_email": "ops@a.example"}}),
    )
    .await;
    check_error(
        &r,
        StatusCode::CONFLICT,
        "custom_field_conflict",
        "custom_fields.contact_email",
        None,
        "email",
    );
    assert_eq!(account_count(&srv).await, before, "nothing stored");

    let b = srv
        .create_account(json!({"name": "B", "custom_fields": {"duns": "456"}}))
        .await;
    let b_path = format!("/v1/accounts/{}", b["id"].as_str().expect("id"));
    let r = patch(&srv, &b_path, &json!({"custom_fields": {"duns": "123"}})).await;
    check_error(
        &r,
        StatusCode::CONFLICT,
        "custom_field_conflict",
        "custom_fields.duns",
        Some(&json!("123")),
        "patch",
    );
    let (_, _, b_now) = srv.get(&b_path, &srv.admin_token).await;
    assert_eq!(b_now["custom_fields"]["duns"], "456", "unchanged: {b_now}");
    // An account keeps its own value across patches.
    let r = patch(
        &srv,
        &format!("/v1/accounts/{a_id}"),
        &json!({"name": "A2"}),
    )
    .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);

    // Archiving frees the value; restoring claims it again, or says who took it.
    let (status, _, _) = srv
        .post(
            &format!("/v1/accounts/{a_id}/archive"),
            &srv.admin_token,
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let r = patch(&srv, &b_path, &json!({"custom_fields": {"duns": "123"}})).await;
    assert_eq!(
        r.0,
        StatusCode::OK,
        "archived accounts hold nothing: {}",
        r.1
    );
    let (status, _, r) = srv
        .post(
            &format!("/v1/accounts/{a_id}/restore"),
            &srv.admin_token,
            &json!({}),
        )
        .await;
    assert_eq!(
        (status, &r["error"]["type"]),
        (StatusCode::CONFLICT, &json!("custom_field_conflict")),
        "{r}"
    );
    // Deleting frees it too.
    let (status, _, _) = srv.delete(&b_path, &srv.admin_token).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, r) = srv
        .post(
            &format!("/v1/accounts/{a_id}/restore"),
            &srv.admin_token,
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");

    // An assert that would create an account with a taken value names it under `account`.
    let body = json!({"match": {"domain": "fresh.example"}, "account": {"name": "F", "custom_fields": {"duns": "123"}}});
    let r = post(&srv, "/v1/accounts/assert", &body).await;
    check_error(
        &r,
        StatusCode::CONFLICT,
        "custom_field_conflict",
        "account.custom_fields.duns",
        Some(&json!("123")),
        "assert",
    );
    assert_eq!(r.1["error"]["existing_id"], json!(a_id), "{}", r.1);
});

both_backends!(unknown_and_system_keys, |srv| async move {
    define_field(&srv, "accounts", "arr", "number").await;
    let r = post(
        &srv,
        "/v1/accounts",
        &json!({"name": "A", "custom_fields": {"nope": 1}}),
    )
    .await;
    check_error(
        &r,
        StatusCode::BAD_REQUEST,
        "unknown_field",
        "custom_fields.nope",
        Some(&json!("nope")),
        "unknown",
    );
    let r = post(
        &srv,
        "/v1/accounts",
        &json!({"name": "A", "custom_fields": {"name": "x"}}),
    )
    .await;
    check_error(
        &r,
        StatusCode::BAD_REQUEST,
        "field_not_updatable",
        "custom_fields.name",
        Some(&json!("name")),
        "system",
    );
    let r = post(
        &srv,
        "/v1/accounts",
        &json!({"name": "A", "custom_fields": {"contact_count": 3}}),
    )
    .await;
    check_error(
        &r,
        StatusCode::BAD_REQUEST,
        "field_not_updatable",
        "custom_fields.contact_count",
        None,
        "computed",
    );
    assert_eq!(account_count(&srv).await, 0);

    let account = srv
        .create_account(json!({"name": "A", "domains": ["a.example"], "custom_fields": {"arr": 5}}))
        .await;
    let path = format!("/v1/accounts/{}", account["id"].as_str().expect("id"));
    let r = patch(&srv, &path, &json!({"custom_fields": {"nope": 1}})).await;
    check_error(
        &r,
        StatusCode::BAD_REQUEST,
        "unknown_field",
        "custom_fields.nope",
        None,
        "patch unknown",
    );
    let r = patch(&srv, &path, &json!({"custom_fields": {"version": 9}})).await;
    check_error(
        &r,
        StatusCode::BAD_REQUEST,
        "field_not_updatable",
        "custom_fields.version",
        None,
        "patch system",
    );

    // Assert: the update branch and the create branch both validate, with the body's path.
    let r = post(
        &srv,
        "/v1/accounts/assert",
        &json!({"match": {"domain": "a.example"}, "account": {"custom_fields": {"arr": "lots"}}}),
    )
    .await;
    check_error(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "account.custom_fields.arr",
        Some(&json!("lots")),
        "assert update",
    );
    let r = post(&srv, "/v1/accounts/assert", &json!({"match": {"domain": "new.example"}, "account": {"name": "N", "custom_fields": {"nope": 1}}})).await;
    check_error(
        &r,
        StatusCode::BAD_REQUEST,
        "unknown_field",
        "account.custom_fields.nope",
        None,
        "assert create",
    );
    assert_eq!(account_count(&srv).await, 1, "nothing created");
    let r = post(
        &srv,
        "/v1/accounts/assert",
        &json!({"match": {"domain": "a.example"}, "account": {"custom_fields": {"arr": 7}}}),
    )
    .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    assert_eq!(r.1["custom_fields"]["arr"], 7);
    let r = post(&srv, "/v1/accounts/assert", &json!({"match": {"domain": "new.example"}, "account": {"name": "N", "custom_fields": {"arr": 1}}})).await;
    assert_eq!(r.0, StatusCode::CREATED, "{}", r.1);
});

both_backends!(bulk_rows_name_their_path, |srv| async move {
    define_field(&srv, "accounts", "arr", "number").await;
    define_field_with(
        &srv,
        "accounts",
        json!({"api_name": "owner_ref", "type": "reference", "reference": "user"}),
    )
    .await;
    let owner = srv.owner_id().await;
    let body = json!({"accounts": [
        {"name": "Good", "custom_fields": {"arr": 1, "owner_ref": owner}},
        {"name": "Bad type", "custom_fields": {"arr": "one"}},
        {"name": "Unknown", "custom_fields": {"colour": "red"}},
        {"name": "System", "custom_fields": {"id": "x"}},
        {"name": "Missing user", "custom_fields": {"owner_ref": UNKNOWN_USER}},
        {"name": "Also good", "custom_fields": {"arr": 2.5}}
    ]});
    let r = post(&srv, "/v1/accounts/bulk", &body).await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    let results = r.1["results"].as_array().expect("results");
    let summary: Vec<(String, String, String)> = results
        .iter()
        .map(|row| {
            (
                row["status"].as_str().unwrap_or_default().to_string(),
                row["error"]["type"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                row["error"]["field"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    let expect = |s: &str, t: &str, f: &str| (s.to_string(), t.to_string(), f.to_string());
    assert_eq!(
        summary,
        vec![
            expect("created", "", ""),
            expect("error", "invalid_value", "accounts[1].custom_fields.arr"),
            expect("error", "unknown_field", "accounts[2].custom_fields.colour"),
            expect(
                "error",
                "field_not_updatable",
                "accounts[3].custom_fields.id"
            ),
            expect(
                "error",
                "invalid_value",
                "accounts[4].custom_fields.owner_ref"
            ),
            expect("created", "", ""),
        ]
    );
    assert_eq!(results[1]["error"]["value"], "one");
    assert_eq!(account_count(&srv).await, 2);

    // Atomic: the first bad row fails the request and nothing is written.
    let body = json!({"atomic": true, "accounts": [
        {"name": "Fine", "custom_fields": {"arr": 3}},
        {"name": "Bad", "custom_fields": {"arr": true}}
    ]});
    let r = post(&srv, "/v1/accounts/bulk", &body).await;
    check_error(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "accounts[1].custom_fields.arr",
        Some(&json!(true)),
        "atomic",
    );
    assert_eq!(account_count(&srv).await, 2);

    // A unique value taken by a stored account, or by an earlier row, fails its own row with
    // a 409 naming the row's field and the holder; the other rows go on.
    define_field_with(
        &srv,
        "accounts",
        json!({"api_name": "duns", "type": "text", "unique": true}),
    )
    .await;
    let holder = srv
        .create_account(json!({"name": "Holder", "custom_fields": {"duns": "9"}}))
        .await;
    let body = json!({"accounts": [
        {"name": "X", "custom_fields": {"duns": "1"}},
        {"name": "Y", "custom_fields": {"duns": "9"}},
        {"name": "Z", "custom_fields": {"duns": "1"}}
    ]});
    let r = post(&srv, "/v1/accounts/bulk", &body).await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    let results = r.1["results"].as_array().expect("results");
    assert_eq!(results[0]["status"], "created", "{}", r.1);
    let x_id = results[0]["account"]["id"].clone();
    for (i, held_by) in [(1, holder["id"].clone()), (2, x_id)] {
        let err = &results[i]["error"];
        assert_eq!(results[i]["status"], "error", "{}", r.1);
        assert_eq!(err["type"], "custom_field_conflict", "{err}");
        assert_eq!(
            err["field"],
            format!("accounts[{i}].custom_fields.duns"),
            "{err}"
        );
        assert_eq!(err["existing_id"], held_by, "{err}");
    }
    assert_eq!(account_count(&srv).await, 4);
    // Atomic: the conflict fails the request and nothing is written.
    let body = json!({"atomic": true, "accounts": [
        {"name": "W", "custom_fields": {"duns": "2"}},
        {"name": "V", "custom_fields": {"duns": "9"}}
    ]});
    let r = post(&srv, "/v1/accounts/bulk", &body).await;
    check_error(
        &r,
        StatusCode::CONFLICT,
        "custom_field_conflict",
        "accounts[1].custom_fields.duns",
        Some(&json!("9")),
        "bulk unique",
    );
    assert_eq!(
        account_count(&srv).await,
        4,
        "nothing of the failed bulk is written"
    );
});

fn arr_values(page: &Value) -> Vec<Value> {
    page["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|a| a["custom_fields"]["arr"].clone())
        .collect()
}

both_backends!(queries_are_typed_by_the_schema, |srv| async move {
    define_field(&srv, "accounts", "arr", "number").await;
    define_field(&srv, "accounts", "since", "date").await;
    define_field(&srv, "accounts", "active", "boolean").await;
    define_field_with(
        &srv,
        "accounts",
        json!({"api_name": "regions", "type": "multi_select", "options": ["emea", "amer", "apac"]}),
    )
    .await;
    for (name, arr, since, active, regions) in [
        ("Nine", json!(9), "2024-01-15", true, json!(["emea"])),
        (
            "Ten",
            json!(10),
            "2023-12-31",
            false,
            json!(["amer", "emea"]),
        ),
        ("Hundred", json!(100), "2024-03-01", true, json!(["apac"])),
        (
            "Two and a half",
            json!(2.5),
            "2022-06-30",
            false,
            json!(null),
        ),
    ] {
        srv.create_account(json!({"name": name, "custom_fields": {"arr": arr, "since": since, "active": active, "regions": regions}})).await;
    }
    srv.create_account(json!({"name": "None"})).await;

    // Numeric filter and sort: as text, "100" < "9" and "10" > "9" would both go wrong.
    let q = json!({
        "filter": {"and": [
            {"field": "custom_fields.arr", "op": "gt", "value": 9},
            {"field": "custom_fields.arr", "op": "lte", "value": 100}
        ]},
        "sort": [{"field": "custom_fields.arr", "direction": "asc"}]
    });
    let r = post(&srv, "/v1/accounts/query", &q).await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    assert_eq!(arr_values(&r.1), vec![json!(10), json!(100)]);
    let r = post(
        &srv,
        "/v1/accounts/query",
        &json!({"sort": [{"field": "custom_fields.arr", "direction": "desc"}]}),
    )
    .await;
    assert_eq!(
        arr_values(&r.1),
        vec![Value::Null, json!(100), json!(10), json!(9), json!(2.5)],
        "desc puts missing first"
    );
    let r = post(
        &srv,
        "/v1/accounts/query",
        &json!({"sort": [{"field": "custom_fields.arr"}], "limit": 2}),
    )
    .await;
    assert_eq!(arr_values(&r.1), vec![json!(2.5), json!(9)]);
    let next =
        json!({"sort": [{"field": "custom_fields.arr"}], "limit": 2, "cursor": r.1["next_cursor"]});
    let r = post(&srv, "/v1/accounts/query", &next).await;
    assert_eq!(arr_values(&r.1), vec![json!(10), json!(100)], "second page");
    let r = post(
        &srv,
        "/v1/accounts/query",
        &json!({"filter": {"field": "custom_fields.arr", "op": "in", "value": [9, 100.0]}}),
    )
    .await;
    assert_eq!(r.1["data"].as_array().map(Vec::len), Some(2), "{}", r.1);

    // Dates chronologically, booleans and multi_select options by equality and containment.
    let names = |page: &Value| -> Vec<String> {
        let mut names: Vec<String> = page["data"]
            .as_array()
            .expect("data")
            .iter()
            .map(|a| a["name"].as_str().unwrap_or_default().to_string())
            .collect();
        names.sort();
        names
    };
    let r = post(
        &srv,
        "/v1/accounts/query",
        &json!({"filter": {"field": "custom_fields.since", "op": "gte", "value": "2024-01-01"}}),
    )
    .await;
    assert_eq!(names(&r.1), vec!["Hundred", "Nine"], "{}", r.1);
    let r = post(
        &srv,
        "/v1/accounts/query",
        &json!({"filter": {"field": "custom_fields.active", "op": "eq", "value": true}}),
    )
    .await;
    assert_eq!(names(&r.1), vec!["Hundred", "Nine"], "{}", r.1);
    let r = post(
        &srv,
        "/v1/accounts/query",
        &json!({"filter": {"field": "custom_fields.regions", "op": "eq", "value": "emea"}}),
    )
    .await;
    assert_eq!(names(&r.1), vec!["Nine", "Ten"], "{}", r.1);
    let r = post(&srv, "/v1/accounts/query", &json!({"filter": {"field": "custom_fields.regions", "op": "in", "value": ["apac", "amer"]}})).await;
    assert_eq!(names(&r.1), vec!["Hundred", "Ten"], "{}", r.1);
    let r = post(
        &srv,
        "/v1/accounts/query",
        &json!({"filter": {"field": "custom_fields.regions", "op": "exists", "value": false}}),
    )
    .await;
    assert_eq!(names(&r.1), vec!["None", "Two and a half"], "{}", r.1);

    // Undefined keys and values of the wrong type are 400s naming their place.
    let r = post(
        &srv,
        "/v1/accounts/query",
        &json!({"filter": {"and": [
            {"field": "name", "op": "eq", "value": "x"},
            {"field": "custom_fields.nope", "op": "eq", "value": 1}
        ]}}),
    )
    .await;
    check_error(
        &r,
        StatusCode::BAD_REQUEST,
        "unknown_field",
        "filter.and[1].field",
        Some(&json!("custom_fields.nope")),
        "undefined filter",
    );
    let r = post(
        &srv,
        "/v1/accounts/query",
        &json!({"filter": {"field": "custom_fields.arr", "op": "gt", "value": "9"}}),
    )
    .await;
    check_error(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "filter.value",
        Some(&json!("9")),
        "string for a number",
    );
    let r = post(
        &srv,
        "/v1/accounts/query",
        &json!({"filter": {"field": "custom_fields.since", "op": "lt", "value": "soon"}}),
    )
    .await;
    check_error(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "filter.value",
        Some(&json!("soon")),
        "bad date",
    );
    let r = post(
        &srv,
        "/v1/accounts/query",
        &json!({"filter": {"field": "custom_fields.active", "op": "gt", "value": true}}),
    )
    .await;
    check_error(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "filter.op",
        Some(&json!("gt")),
        "ordered boolean",
    );
    let r = post(
        &srv,
        "/v1/accounts/query",
        &json!({"sort": [{"field": "custom_fields.nope"}]}),
    )
    .await;
    check_error(
        &r,
        StatusCode::BAD_REQUEST,
        "unknown_field",
        "sort[0].field",
        None,
        "undefined sort",
    );
    let r = post(
        &srv,
        "/v1/accounts/query",
        &json!({"sort": [{"field": "custom_fields.regions"}]}),
    )
    .await;
    check_error(
        &r,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "sort[0].field",
        None,
        "multi_select sort",
    );
});

both_backends!(unique_definition_claims_existing_values, |srv| async move {
    // Accounts stored before a field existed (as data from older versions is) hold values under
    // its name; the store is written directly, since the API refuses undefined keys.
    let store = srv.service.store().clone();
    let ws = store
        .workspace_by_slug("default")
        .await
        .expect("workspace")
        .expect("default workspace");
    let owner = srv.owner_id().await;
    let mut ids = Vec::new();
    for (name, code) in [("A", "x1"), ("B", "x2"), ("C", "x2")] {
        let input: orgstore_core::model::AccountInput = orgstore_testkit::serde_json::from_value(
            json!({"name": name, "custom_fields": {"code": code, "other": code}}),
        )
        .expect("input");
        let data = input.normalize().expect("valid");
        ids.push(
            store
                .insert_account(&ws.id, &owner, data)
                .await
                .expect("insert")
                .id,
        );
    }
    // Two accounts share x2 under `code`: a unique definition is refused, naming them.
    let r = post(
        &srv,
        "/v1/schema/accounts/fields",
        &json!({"api_name": "code", "type": "text", "unique": true}),
    )
    .await;
    check_error(
        &r,
        StatusCode::CONFLICT,
        "custom_field_conflict",
        "unique",
        Some(&json!("x2")),
        "shared values",
    );
    let message = r.1["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(&ids[1]) && message.contains(&ids[2]),
        "{message}"
    );
    assert_eq!(
        schema(&srv, "accounts").await["custom_fields"],
        json!([]),
        "nothing defined"
    );
    // Archive one of them: the definition succeeds and claims the live values.
    let (status, _, _) = srv
        .post(
            &format!("/v1/accounts/{}/archive", ids[2]),
            &srv.admin_token,
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    define_field_with(
        &srv,
        "accounts",
        json!({"api_name": "code", "type": "text", "unique": true}),
    )
    .await;
    let r = post(
        &srv,
        "/v1/accounts",
        &json!({"name": "D", "custom_fields": {"code": "x1"}}),
    )
    .await;
    check_error(
        &r,
        StatusCode::CONFLICT,
        "custom_field_conflict",
        "custom_fields.code",
        Some(&json!("x1")),
        "claimed",
    );
    assert_eq!(r.1["error"]["existing_id"], json!(ids[0]), "{}", r.1);
    let (status, _, r) = srv
        .post(
            &format!("/v1/accounts/{}/restore", ids[2]),
            &srv.admin_token,
            &json!({}),
        )
        .await;
    assert_eq!(
        (status, &r["error"]["type"]),
        (StatusCode::CONFLICT, &json!("custom_field_conflict")),
        "{r}"
    );
});

both_backends!(openapi_documents_the_schema_routes, |srv| async move {
    let (status, _, doc) = srv.get("/v1/openapi.json", &srv.admin_token).await;
    assert_eq!(status, StatusCode::OK);
    let paths = &doc["paths"];
    assert!(paths["/v1/schema/{object}"]["get"].is_object(), "{paths}");
    assert!(paths["/v1/schema/{object}/fields"]["post"].is_object());
    assert!(paths["/v1/schema/{object}/fields/{api_name}"]["patch"].is_object());
    assert!(paths["/v1/schema/{object}/fields/{api_name}"]["delete"].is_object());
    let schemas = &doc["components"]["schemas"];
    for name in [
        "SchemaDocument",
        "CustomFieldDef",
        "NewCustomField",
        "CustomFieldPatch",
        "FieldType",
    ] {
        assert!(schemas[name].is_object(), "{name} is documented");
    }
});

both_backends!(
    concurrent_writers_cannot_share_a_unique_value,
    |srv| async move {
        define_field_with(
            &srv,
            "accounts",
            json!({"api_name": "duns", "type": "text", "unique": true}),
        )
        .await;
        let srv = std::sync::Arc::new(srv);
        let mut tasks = Vec::new();
        for i in 0..16 {
            let srv = srv.clone();
            let body = json!({"name": format!("Racer {i}"), "custom_fields": {"duns": "same"}});
            tasks.push(orgstore_testkit::tokio::spawn(async move {
                srv.post("/v1/accounts", &srv.admin_token, &body).await
            }));
        }
        let mut created = 0;
        for task in tasks {
            let (status, _, body) = task.await.expect("task");
            match status {
                StatusCode::CREATED => created += 1,
                StatusCode::CONFLICT => {
                    assert_eq!(body["error"]["type"], "custom_field_conflict", "{body}")
                }
                other => panic!("unexpected {other}: {body}"),
            }
        }
        assert_eq!(created, 1, "exactly one writer holds the value");
        assert_eq!(account_count(&srv).await, 1);
    }
);

async fn contact_count(srv: &TestServer) -> usize {
    let (status, _, body) = srv.get("/v1/contacts?limit=1000", &srv.admin_token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"].as_array().map_or(0, Vec::len)
}

both_backends!(
    contact_custom_fields_follow_the_contact_schema,
    |srv| async move {
        define_field(&srv, "contacts", "seniority", "integer").await;
        define_field_with(
            &srv,
            "contacts",
            json!({"api_name": "badge", "type": "text", "unique": true}),
        )
        .await;
        define_field_with(
            &srv,
            "contacts",
            json!({"api_name": "buddy", "type": "reference", "reference": "contact"}),
        )
        .await;
        let (status, first) = post(
            &srv,
            "/v1/contacts",
            &json!({"first_name": "Ann", "custom_fields": {"seniority": 3, "badge": "A-1"}}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        let first_id = first["id"].as_str().expect("id").to_string();
        assert_eq!(
            first["custom_fields"],
            json!({"seniority": 3, "badge": "A-1"})
        );

        // An account field is not a contact field: each object has its own schema.
        define_field(&srv, "accounts", "arr", "number").await;
        let cases = [
            (
                json!({"arr": 5}),
                "unknown_field",
                "custom_fields.arr",
                StatusCode::BAD_REQUEST,
            ),
            (
                json!({"seniority": "senior"}),
                "invalid_value",
                "custom_fields.seniority",
                StatusCode::BAD_REQUEST,
            ),
            (
                json!({"buddy": "con_01jd5y0v4w8k9m2n3p4q5r6s7t"}),
                "invalid_value",
                "custom_fields.buddy",
                StatusCode::BAD_REQUEST,
            ),
            (
                json!({"badge": "A-1"}),
                "custom_field_conflict",
                "custom_fields.badge",
                StatusCode::CONFLICT,
            ),
        ];
        for (fields, kind, field, status) in cases {
            let body = json!({"first_name": "Bob", "custom_fields": fields});
            let r = post(&srv, "/v1/contacts", &body).await;
            assert_eq!(r.0, status, "{body}: {}", r.1);
            assert_eq!(r.1["error"]["type"], kind, "{body}: {}", r.1);
            assert_eq!(r.1["error"]["field"], field, "{body}: {}", r.1);
        }
        assert_eq!(contact_count(&srv).await, 1, "failed creates store nothing");

        // A real contact is a valid reference; a patch is validated the same way.
        let (status, second) = post(
            &srv,
            "/v1/contacts",
            &json!({"first_name": "Cat", "custom_fields": {"buddy": first_id, "badge": "B-2"}}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{second}");
        let second_path = format!("/v1/contacts/{}", second["id"].as_str().expect("id"));
        let r = patch(
            &srv,
            &second_path,
            &json!({"custom_fields": {"badge": "A-1"}}),
        )
        .await;
        assert_eq!(r.0, StatusCode::CONFLICT, "{}", r.1);
        let r = patch(
            &srv,
            &second_path,
            &json!({"custom_fields": {"seniority": 1.5}}),
        )
        .await;
        assert_eq!(r.0, StatusCode::BAD_REQUEST, "{}", r.1);
        assert_eq!(r.1["error"]["field"], "custom_fields.seniority", "{}", r.1);
        let (_, _, unchanged) = srv.get(&second_path, &srv.admin_token).await;
        assert_eq!(unchanged["version"], 1, "failed patches change nothing");

        // Deleting a contact frees its unique values.
        let (status, _, _) = srv
            .delete(&format!("/v1/contacts/{first_id}"), &srv.admin_token)
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let r = patch(
            &srv,
            &second_path,
            &json!({"custom_fields": {"badge": "A-1"}}),
        )
        .await;
        assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    }
);
