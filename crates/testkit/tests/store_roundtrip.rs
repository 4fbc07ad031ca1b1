//! What the HTTP surface writes is what the store holds, on each backend.

use orgstore_testkit::serde_json::{self, json};
use orgstore_testkit::{Backend, both_backends, define_field_with};

both_backends!(http_writes_are_store_reads, |srv| async move {
    let expected = match srv.backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(srv.service.store().backend(), expected);
    assert!(
        srv.database_url.starts_with(expected),
        "{}",
        srv.database_url
    );
    assert!(srv.service.ready().await.is_ok());
    // Custom fields are defined before they are written.
    let x = json!({"api_name": "x", "type": "multi_select", "options": ["1", "2"]});
    define_field_with(&srv, "accounts", x).await;

    let created = srv
        .create_account(json!({
            "name": "Stored", "domains": ["stored.com"], "annual_revenue": 1234.56,
            "tags": [{"name": "tier", "value": "gold"}], "custom_fields": {"x": ["1", "2"]},
            "remote_data": {"raw": true}
        }))
        .await;
    let id = created["id"].as_str().expect("id");
    let ws = srv
        .service
        .store()
        .workspace_by_slug("default")
        .await
        .expect("workspace")
        .expect("default workspace");
    let stored = srv
        .service
        .store()
        .get_account(&ws.id, id)
        .await
        .expect("get_account")
        .expect("account is stored");
    assert_eq!(serde_json::to_value(&stored).expect("serialize"), created);
    assert_eq!(stored.workspace_id, ws.id);
    assert_eq!(stored.domains, vec!["stored.com".to_string()]);
    assert_eq!(
        stored.annual_revenue.map(|d| d.to_string()),
        Some("1234.56".into())
    );
});
