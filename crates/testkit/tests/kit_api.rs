//! The HTTP kit, end to end on both stores: credentials, rate limits, `If-Match`, fallbacks,
//! idempotency and the OpenAPI document, through the native API and through a small test
//! surface ("acme") mounted beside it with one line, rendering errors in its own shape.

use std::future::Future;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode as AxumStatus};
use axum::response::IntoResponse;
use orgstore_api::kit::{
    Auth, Credential, ErrorView, Json, PathId, RateLimitConfig, RateLimitState, Segments, Surface,
    SurfaceResult, SurfaceRoutes,
};
use orgstore_api::{ApiConfig, App, AppState};
use orgstore_core::auth::Scope;
use orgstore_core::model::AccountInput;
use orgstore_core::service::Service;
use orgstore_testkit::reqwest::{Method, StatusCode};
use orgstore_testkit::serde_json::{Value, json};
use orgstore_testkit::{Backend, TestServer, both_backends};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

/// A vendor-like surface: API keys or bare tokens, 422 for bad input, its own error body.
struct Acme;

impl Surface for Acme {
    const NAME: &'static str = "acme";
    const CREDENTIALS: &'static [Credential] =
        &[Credential::ApiKeyHeader, Credential::BareAuthorization];
    const PREFIXES: &'static [&'static str] = &["/acme/"];

    fn render_error(view: &ErrorView<'_>) -> (AxumStatus, Value) {
        let status = match view.status {
            AxumStatus::BAD_REQUEST => AxumStatus::UNPROCESSABLE_ENTITY,
            other => other,
        };
        let body = json!({
            "statusCode": status.as_u16(),
            "error": view.code.as_str(),
            "message": view.message,
            "field": view.field,
        });
        (status, body)
    }

    fn rate_limit_headers(state: &RateLimitState, headers: &mut HeaderMap) {
        headers.insert("x-acme-requests-left", HeaderValue::from(state.remaining));
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewThing {
    name: String,
    domain: Option<String>,
}

/// Create a thing (an account).
#[utoipa::path(post, path = "/acme/things", tag = "acme", request_body = NewThing,
    responses((status = 201, description = "Created")))]
async fn create_thing(
    State(state): State<AppState>,
    Auth(who, _): Auth<Acme>,
    Json(body, _): Json<Acme, NewThing>,
) -> SurfaceResult<Acme> {
    let input = AccountInput {
        name: body.name,
        domains: body.domain.into_iter().collect(),
        ..AccountInput::default()
    };
    let account = state.service.create_account(&who, input).await?;
    Ok((
        AxumStatus::CREATED,
        axum::Json(json!({"thing": {"id": account.id}})),
    )
        .into_response())
}

/// Read a thing.
#[utoipa::path(get, path = "/acme/things/{id}", tag = "acme",
    params(("id" = String, Path, description = "Thing id")),
    responses((status = 200, description = "The thing")))]
async fn get_thing(
    State(state): State<AppState>,
    Auth(who, _): Auth<Acme>,
    Segments(id, _): PathId<Acme>,
) -> SurfaceResult<Acme> {
    let account = state.service.get_account(&who, &id).await?;
    Ok(axum::Json(json!({"thing": {"id": account.id, "name": account.name}})).into_response())
}

/// Count things: a POST that only reads.
#[utoipa::path(post, path = "/acme/things/count", tag = "acme",
    responses((status = 200, description = "How many")))]
async fn count_things(
    State(state): State<AppState>,
    Auth(who, _): Auth<Acme>,
) -> SurfaceResult<Acme> {
    let page = state
        .service
        .list_accounts(&who, Default::default())
        .await?;
    Ok(axum::Json(json!({"count": page.data.len()})).into_response())
}

fn acme_routes() -> SurfaceRoutes<Acme> {
    SurfaceRoutes::default()
        .writes(routes!(create_thing))
        .writes(routes!(get_thing))
        .reads(routes!(count_things))
}

fn app(service: Service, per_minute: u32) -> axum::Router {
    let config = ApiConfig {
        rate_limit: RateLimitConfig { per_minute },
    };
    App::new(service, config)
        .mount(orgstore_api::native::routes())
        .mount(acme_routes())
        .finish()
}

/// Runs `body` against a server with the acme surface mounted, on both stores.
async fn with_acme<F, Fut>(backend: Backend, per_minute: u32, body: F)
where
    F: FnOnce(TestServer) -> Fut,
    Fut: Future<Output = ()>,
{
    let srv = TestServer::spawn_with(backend, move |service| app(service, per_minute)).await;
    body(srv).await;
}

macro_rules! with_acme {
    ($name:ident, $per_minute:expr, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                with_acme(Backend::Sqlite, $per_minute, $body).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                with_acme(Backend::Postgres, $per_minute, $body).await;
            }
        }
    };
}

/// Headers, body, expected status, code and field of one bad request.
type BodyCase<'a> = (&'a [(&'a str, &'a str)], String, u16, &'a str, Value);

/// Sends raw headers and body (no bearer token added).
async fn raw(
    srv: &TestServer,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> (
    StatusCode,
    orgstore_testkit::reqwest::header::HeaderMap,
    Value,
) {
    srv.send(
        method,
        path,
        None,
        headers,
        body.map(|b| b.as_bytes().to_vec()),
    )
    .await
}

with_acme!(
    a_vendor_surface_renders_in_its_own_shape,
    0,
    |srv| async move {
        let key = srv.admin_token.clone();
        let json_type = ("content-type", "application/json");

        // Credentials: X-Api-Key and a bare Authorization token; Bearer is not among its forms.
        let (status, _, body) = raw(
            &srv,
            Method::POST,
            "/acme/things",
            &[json_type, ("x-api-key", &key)],
            Some(r#"{"name": "Acme", "domain": "https://www.Acme.com/x"}"#),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let id = body["thing"]["id"].as_str().expect("id").to_string();
        let (status, _, body) = raw(
            &srv,
            Method::GET,
            &format!("/acme/things/{id}"),
            &[("authorization", &key)],
            None,
        )
        .await;
        assert_eq!(
            (status, body["thing"]["name"].clone()),
            (StatusCode::OK, json!("Acme"))
        );
        let bearer = format!("Bearer {key}");
        let (status, _, body) = raw(
            &srv,
            Method::GET,
            &format!("/acme/things/{id}"),
            &[("authorization", &bearer)],
            None,
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["statusCode"], 401);
        assert_eq!(body["error"], "unauthorized");
        assert!(
            body["message"]
                .as_str()
                .unwrap_or_default()
                .contains("X-Api-Key"),
            "{body}"
        );
        // The same account through the native API.
        let (status, _, native) = srv.get(&format!("/v1/accounts/{id}"), &key).await;
        assert_eq!(
            (status, native["domains"].clone()),
            (StatusCode::OK, json!(["acme.com"]))
        );

        // Body rejections, each in the surface's shape with the surface's status.
        let json_only: &[(&str, &str)] = &[json_type];
        let text_only: &[(&str, &str)] = &[("content-type", "text/plain")];
        let cases: Vec<BodyCase> = vec![
            (
                json_only,
                "{\"name\": ".into(),
                422,
                "malformed_json",
                Value::Null,
            ),
            (
                json_only,
                "{\"name\": 7}".into(),
                422,
                "invalid_type",
                json!("name"),
            ),
            (json_only, "{}".into(), 422, "missing_field", json!("name")),
            (
                json_only,
                "{\"name\": \"a\", \"x\": 1}".into(),
                422,
                "unknown_field",
                json!("x"),
            ),
            (
                text_only,
                "{}".into(),
                415,
                "unsupported_media_type",
                Value::Null,
            ),
            (
                json_only,
                format!("{{\"name\": \"{}\"}}", "x".repeat(1_100_000)),
                413,
                "payload_too_large",
                Value::Null,
            ),
        ];
        for (headers, body, status, code, field) in cases {
            let mut all = headers.to_vec();
            all.push(("x-api-key", &key));
            let (got, _, answer) = raw(&srv, Method::POST, "/acme/things", &all, Some(&body)).await;
            assert_eq!(got.as_u16(), status, "{code}: {answer}");
            assert_eq!(answer["statusCode"], status, "{answer}");
            assert_eq!(answer["error"], code, "{answer}");
            assert_eq!(answer["field"], field, "{answer}");
        }
        // A domain held by another account: the conflict, in this shape.
        let (status, _, body) = raw(
            &srv,
            Method::POST,
            "/acme/things",
            &[json_type, ("x-api-key", &key)],
            Some(r#"{"name": "Other", "domain": "acme.com"}"#),
        )
        .await;
        assert_eq!(
            (status, body["error"].clone()),
            (StatusCode::CONFLICT, json!("domain_conflict"))
        );

        // Fallbacks: unknown paths under the surface's prefix and wrong methods, in its shape.
        let (status, _, body) = raw(&srv, Method::GET, "/acme/nothing", &[], None).await;
        assert_eq!(
            (status, body["error"].clone()),
            (StatusCode::NOT_FOUND, json!("not_found"))
        );
        let (status, headers, body) = raw(&srv, Method::DELETE, "/acme/things", &[], None).await;
        assert_eq!(
            (status, body["error"].clone()),
            (StatusCode::METHOD_NOT_ALLOWED, json!("method_not_allowed"))
        );
        assert_eq!(
            headers.get("allow").and_then(|v| v.to_str().ok()),
            Some("POST")
        );
        // ... and in the native shape elsewhere.
        let (status, _, body) = raw(&srv, Method::GET, "/nowhere", &[], None).await;
        assert_eq!(
            (status, body["error"]["code"].clone()),
            (StatusCode::NOT_FOUND, json!("not_found"))
        );
        let (status, headers, body) = raw(&srv, Method::PUT, "/v1/accounts", &[], None).await;
        assert_eq!(
            (status, body["error"]["code"].clone()),
            (StatusCode::METHOD_NOT_ALLOWED, json!("method_not_allowed"))
        );
        let allow = headers
            .get("allow")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");

        // Idempotency on the surface's writes, with its 409 in its shape; its read POST skips it.
        let idem = [
            json_type,
            ("x-api-key", key.as_str()),
            ("idempotency-key", "k-1"),
        ];
        let first = raw(
            &srv,
            Method::POST,
            "/acme/things",
            &idem,
            Some(r#"{"name": "Idem"}"#),
        )
        .await;
        assert_eq!(first.0, StatusCode::CREATED, "{}", first.2);
        let again = raw(
            &srv,
            Method::POST,
            "/acme/things",
            &idem,
            Some(r#"{"name": "Idem"}"#),
        )
        .await;
        assert_eq!(
            (again.0, again.2.clone()),
            (StatusCode::CREATED, first.2.clone())
        );
        assert_eq!(
            again.1.get("idempotent-replayed").map(|v| v.as_bytes()),
            Some(&b"true"[..])
        );
        let other = raw(
            &srv,
            Method::POST,
            "/acme/things",
            &idem,
            Some(r#"{"name": "Else"}"#),
        )
        .await;
        assert_eq!(
            (other.0, other.2["error"].clone()),
            (StatusCode::CONFLICT, json!("idempotency_key_reused"))
        );
        let count = [("x-api-key", key.as_str()), ("idempotency-key", "k-2")];
        let one = raw(&srv, Method::POST, "/acme/things/count", &count, None).await;
        let two = raw(&srv, Method::POST, "/acme/things/count", &count, None).await;
        assert_eq!((one.0, two.0), (StatusCode::OK, StatusCode::OK));
        assert!(
            two.1.get("idempotent-replayed").is_none(),
            "a read POST is never replayed"
        );

        // The OpenAPI document lists both surfaces, each operation tagged with its surface.
        let (status, _, doc) = raw(&srv, Method::GET, "/v1/openapi.json", &[], None).await;
        assert_eq!(status, StatusCode::OK);
        let tags = &doc["paths"]["/acme/things/{id}"]["get"]["tags"];
        assert!(
            tags.as_array().is_some_and(|t| t.contains(&json!("acme"))),
            "{tags}"
        );
        let tags = &doc["paths"]["/v1/accounts"]["post"]["tags"];
        assert!(
            tags.as_array()
                .is_some_and(|t| t.contains(&json!("native"))),
            "{tags}"
        );
    }
);

with_acme!(
    rate_limits_count_per_token_with_headers,
    3,
    |srv| async move {
        let token = srv.admin_token.clone();
        let mut remaining = Vec::new();
        for _ in 0..3 {
            let (status, headers, _) = srv.get("/v1/accounts", &token).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(
                headers.get("ratelimit-limit").map(|v| v.as_bytes()),
                Some(&b"3"[..])
            );
            let left = headers
                .get("ratelimit-remaining")
                .and_then(|v| v.to_str().ok());
            remaining.push(left.unwrap_or_default().to_string());
            assert!(headers.contains_key("ratelimit-reset"));
        }
        assert_eq!(remaining, vec!["2", "1", "0"]);
        let (status, headers, body) = srv.get("/v1/accounts", &token).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        assert_eq!(body["error"]["code"], "rate_limited");
        let retry: u64 = headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .expect("an integer Retry-After");
        assert!((1..=20).contains(&retry), "{retry}");
        assert_eq!(body["error"]["retry_after"], retry);
        // Refused requests write nothing.
        let (status, _, _) = srv
            .post("/v1/accounts", &token, &json!({"name": "Late"}))
            .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        // Another token has its own budget; the vendor surface adds its own header names and
        // renders the 429 in its shape.
        let other = srv.token(Scope::Admin).await;
        let (status, headers, _) = raw(
            &srv,
            Method::POST,
            "/acme/things/count",
            &[("x-api-key", &other)],
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            headers.get("x-acme-requests-left").map(|v| v.as_bytes()),
            Some(&b"2"[..])
        );
        let (status, _, body) = raw(
            &srv,
            Method::POST,
            "/acme/things/count",
            &[("x-api-key", &token)],
            None,
        )
        .await;
        assert_eq!(
            (status.as_u16(), body["error"].clone()),
            (429, json!("rate_limited"))
        );
        // Requests without credentials are not counted (and carry no rate-limit headers).
        let (status, headers, _) = raw(&srv, Method::GET, "/healthz", &[], None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!headers.contains_key("ratelimit-limit"));
        // Nothing was created by the refused request.
        let other_page = srv.get("/v1/accounts", &other).await.2;
        assert_eq!(other_page["data"], json!([]));
    }
);

both_backends!(
    if_match_with_a_foreign_entity_tag_is_412,
    |srv| async move {
        let token = srv.admin_token.clone();
        let (_, _, account) = srv
            .post("/v1/accounts", &token, &json!({"name": "Etag"}))
            .await;
        let path = format!("/v1/accounts/{}", account["id"].as_str().expect("id"));
        for tag in ["\"stale-etag\"", "W/\"other\"", "\"7\""] {
            let (status, _, body) = srv
                .send(
                    Method::PATCH,
                    &path,
                    Some(&token),
                    &[("content-type", "application/json"), ("if-match", tag)],
                    Some(br#"{"tier": "gold"}"#.to_vec()),
                )
                .await;
            assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{tag}: {body}");
            assert_eq!(body["error"]["current_version"], 1, "{tag}");
        }
        for tag in ["\"stale-etag\"", "W/\"9\""] {
            let (status, _, _) = srv
                .send(
                    Method::DELETE,
                    &path,
                    Some(&token),
                    &[("if-match", tag)],
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{tag}");
        }
        // Only a header that is no entity tag at all is a 400.
        let (status, _, body) = srv
            .send(
                Method::DELETE,
                &path,
                Some(&token),
                &[("if-match", "stale")],
                None,
            )
            .await;
        assert_eq!(
            (status, body["error"]["field"].clone()),
            (StatusCode::BAD_REQUEST, json!("If-Match"))
        );
        let (_, _, after) = srv.get(&path, &token).await;
        assert_eq!(
            (after["version"].clone(), after["tier"].clone()),
            (json!(1), Value::Null)
        );
    }
);

both_backends!(credentials_are_read_strictly, |srv| async move {
    let token = srv.admin_token.clone();
    let bearer = format!("Bearer {token}");
    // Two Authorization headers are refused, even when both carry the same token.
    let mut headers = orgstore_testkit::reqwest::header::HeaderMap::new();
    for _ in 0..2 {
        headers.append("authorization", bearer.parse().expect("header"));
    }
    let resp = srv
        .client
        .get(srv.url("/v1/accounts"))
        .headers(headers)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    // The native API takes bearer tokens only.
    let (status, _, body) = raw(
        &srv,
        Method::GET,
        "/v1/accounts",
        &[("authorization", &token)],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, _, _) = raw(
        &srv,
        Method::GET,
        "/v1/accounts",
        &[("x-api-key", &token)],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Every native error body carries its code beside its class.
    let (_, _, body) = raw(&srv, Method::GET, "/v1/accounts", &[], None).await;
    assert_eq!(
        (body["error"]["type"].clone(), body["error"]["code"].clone()),
        (json!("unauthorized"), json!("unauthorized"))
    );
    // The metrics name the surface that answered.
    let _ = srv.get("/v1/accounts", &token).await;
    let (_, _, text) = raw(&srv, Method::GET, "/metrics", &[], None).await;
    assert!(
        text.as_str()
            .unwrap_or_default()
            .contains("surface=\"native\""),
        "{text}"
    );
});
