//! A few oneshot checks of the router over a stub store; end-to-end tests live in testkit.

use std::sync::Arc;

use async_trait::async_trait;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use orgstore_core::auth::{Principal, Scope};
use orgstore_core::bulk::{BulkPlan, BulkWritten};
use orgstore_core::idempotency::{IdempotencyClaim, StoredResponse};
use orgstore_core::model::{Account, AccountData, TokenRecord, User, Workspace};
use orgstore_core::query::AccountQuery;
use orgstore_core::service::Service;
use orgstore_core::store::{AccountChange, Guarded, MatchKeys, Store};
use orgstore_core::{Error, Result};
use serde_json::Value;
use tower::ServiceExt;
// Contacts, opportunities and cases.
use orgstore_core::model::{Case, CaseData, Contact, ContactData, Opportunity, OpportunityData};
use orgstore_core::related::RelatedListQuery;
use orgstore_core::store::{Change, RelatedStore};

struct Stub;

fn nope<T>() -> Result<T> {
    Err(Error::internal("stub store"))
}

// The schema part of the port, as unavailable as the rest.
#[async_trait]
impl orgstore_core::store::SchemaStore for Stub {
    async fn object_schema(
        &self,
        _: &str,
        _: orgstore_core::schema::SchemaObject,
    ) -> Result<orgstore_core::schema::ObjectSchema> {
        nope()
    }
    async fn insert_custom_field(
        &self,
        _: &str,
        _: orgstore_core::schema::CustomFieldDef,
    ) -> Result<orgstore_core::schema::CustomFieldDef> {
        nope()
    }
    async fn update_custom_field(
        &self,
        _: &str,
        _: orgstore_core::schema::SchemaObject,
        _: &str,
        _: orgstore_core::schema::FieldChange,
    ) -> Result<Option<orgstore_core::schema::CustomFieldDef>> {
        nope()
    }
    async fn archive_custom_field(
        &self,
        _: &str,
        _: orgstore_core::schema::SchemaObject,
        _: &str,
    ) -> Result<Option<orgstore_core::schema::CustomFieldDef>> {
        nope()
    }
    async fn existing_ids(
        &self,
        _: &str,
        _: orgstore_core::schema::RefTarget,
        _: &[String],
    ) -> Result<Vec<String>> {
        nope()
    }
}

#[async_trait]
impl Store for Stub {
    fn backend(&self) -> &'static str {
        "stub"
    }
    async fn ping(&self) -> Result<()> {
        Err(Error::unavailable("database down"))
    }
    async fn create_workspace(&self, _: &str, _: &str) -> Result<(Workspace, User)> {
        nope()
    }
    async fn workspace_by_slug(&self, _: &str) -> Result<Option<Workspace>> {
        nope()
    }
    async fn count_workspaces(&self) -> Result<i64> {
        nope()
    }
    async fn owner_user(&self, _: &str) -> Result<User> {
        nope()
    }
    async fn insert_token(&self, _: &TokenRecord) -> Result<()> {
        nope()
    }
    async fn principal_for_token(&self, _: &str) -> Result<Option<Principal>> {
        Ok(Some(Principal {
            workspace_id: "ws_1".into(),
            user_id: "usr_1".into(),
            token_id: "tok_1".into(),
            scope: Scope::Read,
        }))
    }
    async fn insert_account(&self, _: &str, _: &str, _: AccountData) -> Result<Account> {
        nope()
    }
    async fn get_account(&self, _: &str, _: &str) -> Result<Option<Account>> {
        nope()
    }
    async fn update_account(
        &self,
        _: &str,
        _: &str,
        _: i64,
        _: &str,
        _: AccountData,
    ) -> Result<Guarded<Account>> {
        nope()
    }
    async fn modify_account(
        &self,
        _: &str,
        _: &str,
        _: Option<i64>,
        _: &str,
        _: AccountChange,
    ) -> Result<Guarded<Account>> {
        nope()
    }
    async fn delete_account(&self, _: &str, _: &str, _: Option<i64>) -> Result<Guarded<()>> {
        nope()
    }
    async fn find_accounts(&self, _: &str, _: &MatchKeys, _: bool) -> Result<Vec<String>> {
        nope()
    }
    async fn set_archived(
        &self,
        _: &str,
        _: &str,
        _: bool,
        _: Option<i64>,
        _: &str,
    ) -> Result<Guarded<Account>> {
        nope()
    }
    async fn merge_accounts(
        &self,
        _: &str,
        _: &str,
        _: &str,
        _: Option<i64>,
        _: &str,
    ) -> Result<Guarded<Account>> {
        nope()
    }
    async fn query_accounts(&self, _: &str, _: &AccountQuery) -> Result<Vec<Account>> {
        Ok(Vec::new())
    }
    async fn count_accounts(&self, _: &str, _: &AccountQuery) -> Result<u64> {
        nope()
    }
    async fn bulk_write(&self, _: &str, _: &str, _: BulkPlan) -> Result<BulkWritten> {
        nope()
    }
    async fn idempotency_claim(&self, _: &str, _: &str, _: &str) -> Result<IdempotencyClaim> {
        nope()
    }
    async fn idempotency_complete(&self, _: &str, _: &str, _: &StoredResponse) -> Result<()> {
        nope()
    }
    async fn idempotency_release(&self, _: &str, _: &str) -> Result<()> {
        nope()
    }
}

// Contacts, opportunities and cases: the stub has none.
#[async_trait]
impl RelatedStore for Stub {
    async fn insert_contact(&self, _: &str, _: &str, _: ContactData) -> Result<Contact> {
        nope()
    }
    async fn get_contact(&self, _: &str, _: &str) -> Result<Option<Contact>> {
        nope()
    }
    async fn modify_contact(
        &self,
        _: &str,
        _: &str,
        _: Option<i64>,
        _: &str,
        _: Change<Contact, ContactData>,
    ) -> Result<Guarded<Contact>> {
        nope()
    }
    async fn delete_contact(&self, _: &str, _: &str, _: Option<i64>) -> Result<Guarded<()>> {
        nope()
    }
    async fn list_contacts(&self, _: &str, _: &RelatedListQuery) -> Result<Vec<Contact>> {
        nope()
    }
    async fn list_account_contacts(
        &self,
        _: &str,
        _: &str,
        _: &RelatedListQuery,
    ) -> Result<Option<Vec<Contact>>> {
        nope()
    }
    async fn link_contact(&self, _: &str, _: &str, _: &str, _: &str) -> Result<Contact> {
        nope()
    }
    async fn unlink_contact(&self, _: &str, _: &str, _: &str, _: &str) -> Result<Contact> {
        nope()
    }
    async fn insert_opportunity(
        &self,
        _: &str,
        _: &str,
        _: OpportunityData,
    ) -> Result<Opportunity> {
        nope()
    }
    async fn get_opportunity(&self, _: &str, _: &str) -> Result<Option<Opportunity>> {
        nope()
    }
    async fn modify_opportunity(
        &self,
        _: &str,
        _: &str,
        _: Option<i64>,
        _: &str,
        _: Change<Opportunity, OpportunityData>,
    ) -> Result<Guarded<Opportunity>> {
        nope()
    }
    async fn delete_opportunity(&self, _: &str, _: &str, _: Option<i64>) -> Result<Guarded<()>> {
        nope()
    }
    async fn list_opportunities(&self, _: &str, _: &RelatedListQuery) -> Result<Vec<Opportunity>> {
        nope()
    }
    async fn insert_case(&self, _: &str, _: &str, _: CaseData) -> Result<Case> {
        nope()
    }
    async fn get_case(&self, _: &str, _: &str) -> Result<Option<Case>> {
        nope()
    }
    async fn modify_case(
        &self,
        _: &str,
        _: &str,
        _: Option<i64>,
        _: &str,
        _: Change<Case, CaseData>,
    ) -> Result<Guarded<Case>> {
        nope()
    }
    async fn delete_case(&self, _: &str, _: &str, _: Option<i64>) -> Result<Guarded<()>> {
        nope()
    }
    async fn list_cases(&self, _: &str, _: &RelatedListQuery) -> Result<Vec<Case>> {
        nope()
    }
}

async fn call(req: Request<Body>) -> (StatusCode, Value) {
    let app = orgstore_api::router(Service::new(Arc::new(Stub)));
    let response = app.oneshot(req).await.expect("infallible");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).expect("request")
}

fn post(uri: &str, content_type: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(uri)
        .header("authorization", "Bearer osk_test")
        .header("content-type", content_type)
        .body(body.into())
        .expect("request")
}

#[tokio::test]
async fn health_and_fallbacks() {
    assert_eq!(call(get("/healthz")).await.1["status"], "ok");
    let (status, body) = call(get("/readyz")).await;
    assert_eq!(
        (status, &body["error"]["type"]),
        (
            StatusCode::SERVICE_UNAVAILABLE,
            &Value::from("service_unavailable")
        )
    );
    let (status, body) = call(get("/nope")).await;
    assert_eq!(
        (status, &body["error"]["type"]),
        (StatusCode::NOT_FOUND, &Value::from("not_found"))
    );
    let req = Request::put("/v1/accounts")
        .body(Body::empty())
        .expect("request");
    assert_eq!(call(req).await.0, StatusCode::METHOD_NOT_ALLOWED);
    let (status, body) = call(get("/v1/openapi.json")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["openapi"].as_str().unwrap_or("").starts_with("3.1"));
    assert!(body["paths"]["/v1/accounts/{id}"]["patch"].is_object());
    assert!(body["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn auth_and_bodies() {
    let (status, body) = call(get("/v1/accounts")).await;
    assert_eq!(
        (status, &body["error"]["type"]),
        (StatusCode::UNAUTHORIZED, &Value::from("unauthorized"))
    );
    let req = Request::get("/v1/accounts?limit=5")
        .header("authorization", "Bearer osk_test")
        .body(Body::empty())
        .expect("request");
    let (status, body) = call(req).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["has_more"], false);

    let (status, body) = call(post("/v1/accounts", "text/plain", "{}")).await;
    assert_eq!(
        (status, &body["error"]["type"]),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            &Value::from("unsupported_media_type")
        )
    );
    let big = vec![b' '; 2 * 1024 * 1024];
    let (status, body) = call(post("/v1/accounts", "application/json", big)).await;
    assert_eq!(
        (status, &body["error"]["type"]),
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            &Value::from("payload_too_large")
        )
    );
    let (status, body) = call(post(
        "/v1/accounts",
        "application/json; charset=utf-8",
        "{\"name\":",
    ))
    .await;
    assert_eq!(
        (status, &body["error"]["type"]),
        (StatusCode::BAD_REQUEST, &Value::from("malformed_json"))
    );
    // Read scope: a valid body reaches the service, which refuses it.
    let (status, _) = call(post(
        "/v1/accounts",
        "application/json",
        "{\"name\":\"Acme\"}",
    ))
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let app = orgstore_api::router(Service::new(Arc::new(Stub)));
    let response = app.oneshot(get("/metrics")).await.expect("infallible");
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("route=\"/v1/accounts\""), "{text}");
    assert!(
        text.contains("http_request_duration_seconds_bucket"),
        "{text}"
    );
}

// Users, stages and tags: unused by these checks.
#[async_trait]
impl orgstore_core::store::DirectoryStore for Stub {
    async fn list_users(
        &self,
        _: &str,
        _: &orgstore_core::store::DirectoryPage,
    ) -> Result<Vec<User>> {
        nope()
    }
    async fn get_user(&self, _: &str, _: &str) -> Result<Option<User>> {
        nope()
    }
    async fn users_by_ids(&self, _: &str, _: &[&str]) -> Result<Vec<User>> {
        nope()
    }
    async fn user_by_email(&self, _: &str, _: &str) -> Result<Option<User>> {
        nope()
    }
    async fn insert_user(&self, _: &str, _: orgstore_core::model::UserFields) -> Result<User> {
        nope()
    }
    async fn update_user(
        &self,
        _: &str,
        _: &str,
        _: orgstore_core::model::UserChange,
    ) -> Result<Option<User>> {
        nope()
    }
    async fn delete_user(&self, _: &str, _: &str) -> Result<Option<()>> {
        nope()
    }
    async fn list_stages(&self, _: &str) -> Result<Vec<orgstore_core::model::Stage>> {
        nope()
    }
    async fn get_stage(&self, _: &str, _: &str) -> Result<Option<orgstore_core::model::Stage>> {
        nope()
    }
    async fn insert_stage(
        &self,
        _: &str,
        _: &str,
        _: &str,
        _: Option<i64>,
    ) -> Result<orgstore_core::model::Stage> {
        nope()
    }
    async fn update_stage(
        &self,
        _: &str,
        _: &str,
        _: orgstore_core::model::StageChange,
    ) -> Result<Option<orgstore_core::model::Stage>> {
        nope()
    }
    async fn delete_stage(&self, _: &str, _: &str) -> Result<Option<()>> {
        nope()
    }
    async fn list_tags(
        &self,
        _: &str,
        _: Option<&str>,
        _: &orgstore_core::store::DirectoryPage,
    ) -> Result<Vec<orgstore_core::model::Tag>> {
        nope()
    }
    async fn tags_by_ids(&self, _: &str, _: &[&str]) -> Result<Vec<orgstore_core::model::Tag>> {
        nope()
    }
    async fn tag_by_name(&self, _: &str, _: &str) -> Result<Option<orgstore_core::model::Tag>> {
        nope()
    }
    async fn get_tag(&self, _: &str, _: &str) -> Result<Option<orgstore_core::model::Tag>> {
        nope()
    }
    async fn insert_tag(
        &self,
        _: &str,
        _: &str,
        _: Option<&str>,
    ) -> Result<orgstore_core::model::Tag> {
        nope()
    }
    async fn update_tag(
        &self,
        _: &str,
        _: &str,
        _: &str,
        _: orgstore_core::model::TagChange,
    ) -> Result<Option<orgstore_core::model::Tag>> {
        nope()
    }
    async fn delete_tag(&self, _: &str, _: &str, _: &str) -> Result<Option<()>> {
        nope()
    }
}
