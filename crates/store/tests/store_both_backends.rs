//! Store tests, run against SQLite and a real PostgreSQL: each test body runs on both.
//! PostgreSQL comes from `ORGSTORE_TEST_POSTGRES_URL` (scripts/test provides one).
//! These drive the service layer over each store directly, with no HTTP in between.

use orgstore_core::Error;
use orgstore_core::auth::Principal;
use orgstore_core::list::ListParams;
use orgstore_core::model::{AccountInput, AccountPatch};
use orgstore_core::service::Service;
use orgstore_testkit::{Backend, FreshDatabase, fresh_database};
use serde_json::json;

struct Fixture {
    service: Service,
    who: Principal,
    _db: FreshDatabase,
}

async fn fixture(backend: Backend) -> Fixture {
    let db = fresh_database(backend).await;
    let store = orgstore_store::open(&db.url).await.expect("open the store");
    let service = Service::new(store);
    let boot = service
        .bootstrap()
        .await
        .expect("bootstrap")
        .expect("fresh store");
    let who = service
        .authenticate(&boot.admin_token)
        .await
        .expect("token works");
    Fixture {
        service,
        who,
        _db: db,
    }
}

fn input(v: serde_json::Value) -> AccountInput {
    serde_json::from_value(v).expect("input")
}

macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test]
            async fn sqlite() {
                ($body)(fixture(Backend::Sqlite).await).await
            }
            #[tokio::test]
            async fn postgres() {
                ($body)(fixture(Backend::Postgres).await).await
            }
        }
    };
}

both!(create_get_update_delete, |f: Fixture| async move {
    let a = f
        .service
        .create_account(
            &f.who,
            input(
                json!({"name": "Acme", "domains": ["https://www.Acme.com/x"],
            "tags": ["vip", {"name": "tier", "value": "gold"}], "stage": "prospect",
            "annual_revenue": 1234.5, "external_refs": ["sf-1"], "owners": [f.who.user_id]}),
            ),
        )
        .await
        .expect("create");
    assert_eq!(a.domains, vec!["acme.com"]);
    assert_eq!(a.display_id, "ACC-1");
    assert_eq!(a.version, 1);
    assert_eq!(a.tags.len(), 2);
    assert_eq!(a.tags[1].value.as_deref(), Some("gold"));
    let got = f.service.get_account(&f.who, &a.id).await.expect("get");
    assert_eq!(got, a);

    let patch: AccountPatch =
        serde_json::from_value(json!({"industry": "Software", "tags": null})).expect("patch");
    let b = f
        .service
        .update_account(&f.who, &a.id, patch, Some(1))
        .await
        .expect("update");
    assert_eq!(
        (b.version, b.industry.as_deref(), b.tags.len()),
        (2, Some("Software"), 0)
    );
    assert_eq!(b.domains, vec!["acme.com"]);

    let stale: AccountPatch = serde_json::from_value(json!({"tier": "1"})).expect("patch");
    let err = f
        .service
        .update_account(&f.who, &a.id, stale, Some(1))
        .await
        .unwrap_err();
    assert_eq!(err.status(), 412);

    let dup = f
        .service
        .create_account(
            &f.who,
            input(json!({"name": "Other", "domains": ["ACME.com."]})),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&dup, Error::Conflict { existing_id: Some(id), .. } if *id == a.id),
        "{dup:?}"
    );
    let bad_stage = f
        .service
        .create_account(&f.who, input(json!({"name": "X", "stage": "nope"})))
        .await
        .unwrap_err();
    assert_eq!(bad_stage.field(), Some("stage"));

    f.service
        .delete_account(&f.who, &a.id, None)
        .await
        .expect("delete");
    assert_eq!(
        f.service
            .get_account(&f.who, &a.id)
            .await
            .unwrap_err()
            .status(),
        404
    );
    // The domain is free again.
    f.service
        .create_account(
            &f.who,
            input(json!({"name": "Again", "domains": ["acme.com"]})),
        )
        .await
        .expect("reuse");
});

both!(list_pages_and_filters, |f: Fixture| async move {
    for i in 0..7 {
        let stage = if i % 2 == 0 { "customer" } else { "prospect" };
        f.service
            .create_account(&f.who, input(json!({"name": format!("Co {i}"), "stage": stage, "domains": [format!("co{i}.com")], "tags": [if i < 3 { "early" } else { "late" }]})))
            .await
            .expect("create");
    }
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = f
            .service
            .list_accounts(
                &f.who,
                ListParams {
                    limit: Some("3".into()),
                    sort: Some("-name".into()),
                    cursor: cursor.clone(),
                    ..Default::default()
                },
            )
            .await
            .expect("list");
        seen.extend(page.data.iter().map(|a| a.name.clone()));
        if !page.has_more {
            break;
        }
        cursor = page.next_cursor;
    }
    assert_eq!(
        seen,
        vec!["Co 6", "Co 5", "Co 4", "Co 3", "Co 2", "Co 1", "Co 0"]
    );
    let customers = f
        .service
        .list_accounts(
            &f.who,
            ListParams {
                stage: Some("customer".into()),
                ..Default::default()
            },
        )
        .await
        .expect("list");
    assert_eq!(customers.data.len(), 4);
    let early = f
        .service
        .list_accounts(
            &f.who,
            ListParams {
                tag: Some("EARLY".into()),
                ..Default::default()
            },
        )
        .await
        .expect("list");
    assert_eq!(early.data.len(), 3);
    let one = f
        .service
        .list_accounts(
            &f.who,
            ListParams {
                domain: Some("https://www.CO3.com/".into()),
                ..Default::default()
            },
        )
        .await
        .expect("list");
    assert_eq!(
        one.data.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
        vec!["Co 3"]
    );
});
