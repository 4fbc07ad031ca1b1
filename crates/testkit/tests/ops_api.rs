//! Health, readiness, metrics and the OpenAPI document: served without a token.

use orgstore_testkit::both_backends;
use orgstore_testkit::reqwest::{Method, StatusCode};
use orgstore_testkit::serde_json::json;

both_backends!(health_ready_metrics_openapi, |srv| async move {
    let (status, _, body) = srv.send(Method::GET, "/healthz", None, &[], None).await;
    assert_eq!(status, StatusCode::OK, "/healthz: {body}");
    let (status, _, body) = srv.send(Method::GET, "/readyz", None, &[], None).await;
    assert_eq!(status, StatusCode::OK, "/readyz: {body}");

    // Make at least one API request so the counter has something to count.
    srv.create_account(json!({"name": "Counted"})).await;
    let (status, _, body) = srv.send(Method::GET, "/metrics", None, &[], None).await;
    assert_eq!(status, StatusCode::OK, "/metrics: {body}");
    let text = body.as_str().expect("metrics are text");
    assert!(
        text.lines().any(|l| !l.starts_with('#')
            && l.contains("request")
            && (l.contains("_total") || l.contains("count"))),
        "no request counter in /metrics:\n{text}"
    );

    let (status, _, doc) = srv
        .send(Method::GET, "/v1/openapi.json", None, &[], None)
        .await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "openapi: {}",
        doc["openapi"]
    );
    assert!(
        doc["paths"].get("/v1/accounts/{id}").is_some(),
        "paths: {:?}",
        doc["paths"]
            .as_object()
            .map(|m| m.keys().collect::<Vec<_>>())
    );
    assert!(doc["paths"].get("/v1/accounts").is_some());
});
