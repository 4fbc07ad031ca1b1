//! `orgstore token create --user`: a token for a named user (by id or email), which the
//! server then knows as that user; an unknown user is an error and prints no token.

use std::process::{Command, Output};

use orgstore_core::model::UserFields;
use orgstore_core::service::Service;
use orgstore_testkit::{Backend, fresh_database};

const BIN: &str = env!("CARGO_BIN_EXE_orgstore");

fn orgstore(args: &[&str], database: &str) -> Output {
    Command::new(BIN)
        .args(args)
        .args(["--database", database])
        .env("ORGSTORE_LOG", "warn")
        .output()
        .expect("run orgstore")
}

fn token_for(user: Option<&str>, database: &str) -> Output {
    let mut args = vec!["token", "create", "--workspace", "acme", "--scope", "write"];
    if let Some(user) = user {
        args.extend(["--user", user]);
    }
    orgstore(&args, database)
}

async fn tokens_for_named_users(backend: Backend) {
    let db = fresh_database(backend).await;
    let made = orgstore(&["workspace", "create", "acme"], &db.url);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );

    let store = orgstore_store::open(&db.url).await.expect("open store");
    let service = Service::new(store.clone());
    let workspace = store
        .workspace_by_slug("acme")
        .await
        .expect("read workspace")
        .expect("acme exists");
    let owner = store.owner_user(&workspace.id).await.expect("owner");
    let erin = store
        .insert_user(
            &workspace.id,
            UserFields {
                name: "Erin".into(),
                email: Some("erin@example.com".into()),
            },
        )
        .await
        .expect("insert erin");

    for (named, expected) in [
        (None, &owner.id),
        (Some(erin.id.as_str()), &erin.id),
        (Some("Erin@Example.com"), &erin.id),
    ] {
        let out = token_for(named, &db.url);
        assert!(
            out.status.success(),
            "--user {named:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let token = String::from_utf8(out.stdout).expect("utf-8");
        let who = service
            .authenticate(token.trim())
            .await
            .expect("the printed token works");
        assert_eq!(&who.user_id, expected, "--user {named:?}");
        assert_eq!(who.workspace_id, workspace.id);
    }

    for unknown in [
        "nobody@example.com",
        "usr_01jd5x00000000000000000000",
        "usr_1",
        "Erin",
    ] {
        let out = token_for(Some(unknown), &db.url);
        assert!(!out.status.success(), "--user {unknown} succeeded");
        assert!(out.stdout.is_empty(), "--user {unknown} printed a token");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.starts_with("error: ") && stderr.contains(unknown),
            "--user {unknown}: {stderr}"
        );
    }
}

#[tokio::test]
async fn token_users_sqlite() {
    tokens_for_named_users(Backend::Sqlite).await;
}

#[tokio::test]
async fn token_users_postgres() {
    tokens_for_named_users(Backend::Postgres).await;
}
