//! The typed service commands surfaces call, on both stores: bulk create under each match
//! policy and tag-append option, assert with typed inputs, created_at on create, the batch
//! lookups for rendering (one statement each) and the directory finders. A bulk of many rows
//! stays a handful of statements.

use std::collections::HashMap;

use orgstore_core::Error;
use orgstore_core::bulk::{
    AppendTagsTo, BulkOptions, BulkResponse, BulkRow, BulkStatus, MatchOn, MatchPolicy,
};
use orgstore_core::error::Code;
use orgstore_core::model::{
    Account, AccountInput, AccountPatch, NewStage, NewTag, NewUser, WebsiteInput,
};
use orgstore_core::service::{AssertCommand, Asserted, MatchKey};
use orgstore_core::time::now_ms;
use orgstore_testkit::Backend;
use orgstore_testkit::counted::CountedService;
use serde_json::json;

/// A counted service over a fresh store, with helpers of these tests.
struct Harness(CountedService);

impl std::ops::Deref for Harness {
    type Target = CountedService;
    fn deref(&self) -> &CountedService {
        &self.0
    }
}

impl Harness {
    async fn open(backend: Backend) -> Harness {
        Harness(CountedService::open(backend).await)
    }

    async fn create(&self, input: serde_json::Value) -> Account {
        let input: AccountInput = serde_json::from_value(input).expect("input");
        self.service
            .create_account(&self.who, input)
            .await
            .expect("create")
    }

    async fn get(&self, id: &str) -> Account {
        self.service.get_account(&self.who, id).await.expect("get")
    }

    async fn bulk(&self, rows: Vec<serde_json::Value>, options: BulkOptions) -> BulkResponse {
        let rows = rows
            .into_iter()
            .map(|r| {
                Ok(BulkRow::from(
                    serde_json::from_value::<AccountInput>(r).expect("row"),
                ))
            })
            .collect();
        self.service
            .bulk_create_accounts(&self.who, rows, options)
            .await
            .expect("bulk")
    }
}

fn policy(keys: &[MatchOn]) -> BulkOptions {
    BulkOptions {
        policy: MatchPolicy::new(keys.iter().copied()),
        ..BulkOptions::default()
    }
}

fn statuses(response: &BulkResponse) -> Vec<BulkStatus> {
    response.results.iter().map(|r| r.status).collect()
}

fn account_id(response: &BulkResponse, row: usize) -> String {
    response.results[row]
        .account
        .as_ref()
        .map(|a| a.id.clone())
        .unwrap_or_else(|| panic!("row {row} has no account: {:?}", response.results[row]))
}

fn error(response: &BulkResponse, row: usize) -> (Code, Option<String>) {
    let err = response.results[row]
        .error
        .as_ref()
        .unwrap_or_else(|| panic!("row {row} did not fail: {:?}", response.results[row]));
    (err.code(), err.field().map(str::to_string))
}

fn tag_names(account: &Account) -> Vec<&str> {
    account.tags.iter().map(|t| t.name.as_str()).collect()
}

use BulkStatus::{Created, Error as Failed, Existing};

/// Apollo without dedupe: only CRM ids (external refs) match; domains stay unique.
async fn external_refs_only(backend: Backend) {
    let h = Harness::open(backend).await;
    let stored = h
        .create(json!({"name": "Acme", "domains": ["acme.com"], "external_refs": ["crm-1"]}))
        .await;
    let response = h
        .bulk(
            vec![
                json!({"name": "By ref", "external_refs": ["crm-1"]}),
                json!({"name": "Same domain", "domains": ["www.acme.com"]}),
                json!({"name": "New", "external_refs": ["crm-2"], "domains": ["new.com"]}),
                json!({"name": "New again", "external_refs": ["crm-2"]}),
                json!({"name": "Twin", "domains": ["twin.com"]}),
                json!({"name": "Twin 2", "domains": ["twin.com"]}),
                json!({"name": "Acme"}),
            ],
            policy(&[MatchOn::ExternalRef]),
        )
        .await;
    assert_eq!(
        statuses(&response),
        vec![
            Existing, Failed, Created, Existing, Created, Failed, Created
        ]
    );
    assert_eq!(account_id(&response, 0), stored.id);
    let err = response.results[1].error.as_ref().expect("conflict");
    assert_eq!(
        (err.code(), err.field()),
        (Code::DomainConflict, Some("accounts[1].domains[0]"))
    );
    assert!(
        matches!(err, Error::Conflict { existing_id: Some(holder), .. } if *holder == stored.id)
    );
    assert_eq!(account_id(&response, 3), account_id(&response, 2));
    let twin = account_id(&response, 4);
    assert!(matches!(
        response.results[5].error.as_ref(),
        Some(Error::Conflict { code: Code::DomainConflict, existing_id: Some(holder), .. }) if *holder == twin
    ));
    assert_ne!(account_id(&response, 6), stored.id, "names do not match");
}

/// Apollo with dedupe: CRM ids, then domains, then the exact name.
async fn refs_domains_then_names(backend: Backend) {
    let h = Harness::open(backend).await;
    let acme = h
        .create(json!({"name": "Acme Inc", "domains": ["acme.com"]}))
        .await;
    let globex = h
        .create(json!({"name": "Globex", "external_refs": ["crm-9"]}))
        .await;
    h.create(json!({"name": "Initech"})).await;
    h.create(json!({"name": "Twin"})).await;
    h.create(json!({"name": "twin"})).await;
    let archived = h.create(json!({"name": "Gone"})).await;
    h.service
        .archive_account(&h.who, &archived.id, None)
        .await
        .expect("archive");
    let all = [MatchOn::ExternalRef, MatchOn::Domain, MatchOn::Name];
    let response = h
        .bulk(
            vec![
                json!({"name": "  ACME INC "}),
                json!({"name": "Initech", "external_refs": ["crm-9"]}),
                json!({"name": "Somebody", "websites": ["https://www.acme.com/about"]}),
                json!({"name": "Twin"}),
                json!({"name": "Gone"}),
                json!({"name": "Fresh Co", "domains": ["fresh.co"]}),
                json!({"name": "fresh co"}),
            ],
            policy(&all),
        )
        .await;
    assert_eq!(
        statuses(&response),
        vec![
            Existing, Existing, Existing, Failed, Created, Created, Existing
        ]
    );
    assert_eq!(account_id(&response, 0), acme.id);
    assert_eq!(account_id(&response, 1), globex.id, "the ref decides first");
    assert_eq!(
        account_id(&response, 2),
        acme.id,
        "a website's host is a domain"
    );
    assert_eq!(
        error(&response, 3),
        (Code::AmbiguousMatch, Some("accounts[3].name".into()))
    );
    assert_ne!(
        account_id(&response, 4),
        archived.id,
        "archived accounts match nothing"
    );
    assert_eq!(
        account_id(&response, 6),
        account_id(&response, 5),
        "rows match by name"
    );
}

/// A policy that matches by id: rows name the stored account they are meant to be.
async fn ids_then_domains(backend: Backend) {
    let h = Harness::open(backend).await;
    let acme = h
        .create(json!({"name": "Acme", "domains": ["acme.com"]}))
        .await;
    let row = |name: &str, id: Option<&str>| {
        Ok(BulkRow {
            account: AccountInput {
                name: name.to_string(),
                ..Default::default()
            },
            id: id.map(str::to_string),
        })
    };
    let unknown = "acc_01jd5y0v4w8k9m2n3p4q5r6s7t";
    let rows = vec![
        row("Acme by id", Some(&acme.id)),
        row("Nobody", Some(unknown)),
        Err(Error::invalid_value(
            "records[2].name",
            7,
            "name must be text",
        )),
        row("New", None),
    ];
    let options = BulkOptions {
        policy: MatchPolicy::new([MatchOn::Id, MatchOn::Domain]),
        rows_field: "records".into(),
        ..BulkOptions::default()
    };
    let response = h
        .service
        .bulk_create_accounts(&h.who, rows, options)
        .await
        .expect("bulk");
    assert_eq!(statuses(&response), vec![Existing, Failed, Failed, Created]);
    assert_eq!(account_id(&response, 0), acme.id);
    assert_eq!(
        error(&response, 1),
        (Code::TargetNotFound, Some("records[1].id".into()))
    );
    assert_eq!(
        error(&response, 2),
        (Code::InvalidValue, Some("records[2].name".into())),
        "a row the surface failed keeps its place and its error"
    );
}

/// Tags appended to created accounts only, or to matched ones too.
async fn append_tags_options(backend: Backend) {
    let h = Harness::open(backend).await;
    let stored = h
        .create(json!({"name": "Acme", "domains": ["acme.com"]}))
        .await;
    let rows = |name: &str| {
        vec![
            json!({"name": "Acme", "domains": ["acme.com"]}),
            json!({"name": name, "domains": [format!("{}.com", name.to_lowercase())]}),
        ]
    };
    let created_only = BulkOptions {
        append_tags: vec!["imported".into()],
        append_to: AppendTagsTo::CreatedOnly,
        ..BulkOptions::default()
    };
    let response = h.bulk(rows("Beta"), created_only).await;
    assert_eq!(statuses(&response), vec![Existing, Created]);
    let matched = h.get(&stored.id).await;
    assert_eq!(matched.version, 1, "a matched account is left alone");
    assert!(matched.tags.is_empty());
    assert_eq!(
        tag_names(&h.get(&account_id(&response, 1)).await),
        vec!["imported"]
    );

    let everywhere = BulkOptions {
        append_tags: vec!["imported".into()],
        append_to: AppendTagsTo::CreatedAndMatched,
        ..BulkOptions::default()
    };
    let response = h.bulk(rows("Gamma"), everywhere).await;
    assert_eq!(statuses(&response), vec![Existing, Created]);
    let matched = h.get(&stored.id).await;
    assert_eq!(tag_names(&matched), vec!["imported"]);
    assert_eq!(matched.version, 2);
    assert_eq!(
        tag_names(&h.get(&account_id(&response, 1)).await),
        vec!["imported"]
    );

    // Nothing is created for tags that no account would carry.
    let nothing = BulkOptions {
        append_tags: vec!["unused".into()],
        append_to: AppendTagsTo::CreatedOnly,
        ..BulkOptions::default()
    };
    let response = h
        .bulk(
            vec![json!({"name": "Acme", "domains": ["acme.com"]})],
            nothing,
        )
        .await;
    assert_eq!(statuses(&response), vec![Existing]);
    let tag = h
        .service
        .find_tag_by_name(&h.who, "unused")
        .await
        .expect("find");
    assert_eq!(tag, None);
}

/// With `atomic`, the first failing row (here an ambiguous name) fails the request.
async fn atomic_policy_failure(backend: Backend) {
    let h = Harness::open(backend).await;
    h.create(json!({"name": "Twin"})).await;
    h.create(json!({"name": "Twin"})).await;
    let options = BulkOptions {
        atomic: true,
        ..policy(&[MatchOn::Name])
    };
    let rows = vec![
        Ok(BulkRow::from(AccountInput {
            name: "Fine".into(),
            ..Default::default()
        })),
        Ok(BulkRow::from(AccountInput {
            name: "twin".into(),
            ..Default::default()
        })),
    ];
    let err = h
        .service
        .bulk_create_accounts(&h.who, rows, options)
        .await
        .expect_err("atomic failure");
    assert_eq!(
        (err.code(), err.field()),
        (Code::AmbiguousMatch, Some("accounts[1].name"))
    );
    let found = h
        .service
        .list_accounts(&h.who, Default::default())
        .await
        .expect("list");
    assert_eq!(found.data.len(), 2, "nothing written");
}

/// A bulk of 2,000 rows takes about as many statements as one of 20: never one per row.
async fn bulk_statements_do_not_grow_with_rows(backend: Backend) {
    let h = Harness::open(backend).await;
    let rows = |from: usize, n: usize| -> Vec<serde_json::Value> {
        (from..from + n)
            .map(|i| {
                json!({"name": format!("Company {i}"), "domains": [format!("c{i}.com")],
                       "websites": [format!("https://www.c{i}.io")], "external_refs": [format!("r{i}")],
                       "tags": ["t"], "owners": []})
            })
            .collect()
    };
    let all = [MatchOn::ExternalRef, MatchOn::Domain, MatchOn::Name];
    let (small, response) = h.count(h.bulk(rows(0, 20), policy(&all))).await;
    assert!(response.results.iter().all(|r| r.status == Created));
    let (large, response) = h.count(h.bulk(rows(20, 2_000), policy(&all))).await;
    assert!(response.results.iter().all(|r| r.status == Created));
    eprintln!("{backend:?}: bulk of 20: {small} statements, of 2000: {large}");
    assert!(
        large < 60,
        "{large} statements for 2,000 rows, {small} for 20"
    );
    // Matching them all again is as cheap.
    let (again, response) = h.count(h.bulk(rows(0, 2_020), policy(&all))).await;
    assert!(response.results.iter().all(|r| r.status == Existing));
    eprintln!("{backend:?}: matching 2020: {again} statements");
    assert!(again < 60, "{again} statements to match 2,020 rows");
}

/// Assert with a typed input for its create branch and a typed patch for its update branch.
async fn typed_assert(backend: Backend) {
    let h = Harness::open(backend).await;
    let key = MatchKey {
        domain: Some("https://www.Initech.com".into()),
        ..Default::default()
    };
    let command = |create: AccountInput, update: AccountPatch| AssertCommand {
        key: key.clone(),
        create: Ok(create),
        update: Ok(update),
        account_field: String::new(),
    };
    let patch: AccountPatch = serde_json::from_value(json!({"tier": "gold"})).expect("patch");
    let created = h
        .service
        .assert_account_with(
            &h.who,
            command(
                AccountInput {
                    name: "Initech".into(),
                    websites: vec![WebsiteInput::Url("https://initech.io".into())],
                    ..Default::default()
                },
                patch.clone(),
            ),
        )
        .await
        .expect("create branch");
    let Asserted::Created(created) = created else {
        panic!("created expected");
    };
    assert_eq!(created.domains, vec!["initech.com", "initech.io"]);
    assert_eq!(created.tier, None);
    // The create branch's input may be unusable when the update branch is taken.
    let updated = h
        .service
        .assert_account_with(
            &h.who,
            AssertCommand {
                create: Err(Error::invalid_value(
                    "name",
                    json!(null),
                    "name is required",
                )),
                ..command(AccountInput::default(), patch)
            },
        )
        .await
        .expect("update branch");
    let Asserted::Updated(updated) = updated else {
        panic!("updated expected");
    };
    assert_eq!(
        (updated.id.as_str(), updated.tier.as_deref()),
        (created.id.as_str(), Some("gold"))
    );
    // Errors are named from the root when the account has no field of its own.
    let bad: AccountPatch =
        serde_json::from_value(json!({"domains": ["not a domain"]})).expect("patch");
    let err = h
        .service
        .assert_account_with(&h.who, command(AccountInput::default(), bad))
        .await
        .expect_err("bad patch");
    assert_eq!(err.field(), Some("domains[0]"));
}

/// Surfaces that move records from another CRM keep their creation time.
async fn created_at_on_create(backend: Backend) {
    let h = Harness::open(backend).await;
    let then = now_ms() - 400 * 24 * 3600 * 1000;
    let input = AccountInput {
        name: "Old Co".into(),
        created_at: Some(then),
        ..Default::default()
    };
    let account = h
        .service
        .create_account(&h.who, input)
        .await
        .expect("create");
    assert_eq!(account.created_at, then);
    assert!(account.updated_at > then);
    assert_eq!(h.get(&account.id).await.created_at, then);

    let rows = vec![Ok(BulkRow::from(AccountInput {
        name: "Older Co".into(),
        created_at: Some(then - 1000),
        ..Default::default()
    }))];
    let response = h
        .service
        .bulk_create_accounts(&h.who, rows, BulkOptions::default())
        .await
        .expect("bulk");
    let created = response.results[0].account.as_ref().expect("created");
    assert_eq!(created.created_at, then - 1000);

    let future = AccountInput {
        name: "Future Co".into(),
        created_at: Some(now_ms() + 3_600_000),
        ..Default::default()
    };
    let err = h
        .service
        .create_account(&h.who, future)
        .await
        .expect_err("a future creation time");
    assert_eq!(
        (err.code(), err.field()),
        (Code::InvalidValue, Some("created_at"))
    );
}

/// A name from the domain, for surfaces that create accounts from a website alone.
async fn name_from_domain(backend: Backend) {
    let h = Harness::open(backend).await;
    let mut input = AccountInput {
        websites: vec![WebsiteInput::Url("https://shop.acme.co.uk/en".into())],
        ..Default::default()
    };
    assert!(input.fill_name_from_domain());
    let account = h
        .service
        .create_account(&h.who, input)
        .await
        .expect("create");
    assert_eq!(account.name, "Acme");
    assert_eq!(account.domains, vec!["shop.acme.co.uk"]);
    let mut named = AccountInput {
        name: "Kept".into(),
        domains: vec!["other.com".into()],
        ..Default::default()
    };
    assert!(!named.fill_name_from_domain());
    assert_eq!(named.name, "Kept");
}

/// Batch lookups are one statement each, whatever the number of ids; the finders resolve
/// what vendors name.
async fn lookups(backend: Backend) {
    let h = Harness::open(backend).await;
    let mut user_ids = Vec::new();
    for i in 0..30 {
        let user = h
            .service
            .create_user(
                &h.who,
                serde_json::from_value::<NewUser>(
                    json!({"name": format!("User {i}"), "email": format!("u{i}@example.com")}),
                )
                .expect("user"),
            )
            .await
            .expect("create user");
        user_ids.push(user.id);
    }
    let mut tag_ids = Vec::new();
    for i in 0..10 {
        let tag = h
            .service
            .create_tag(
                &h.who,
                serde_json::from_value::<NewTag>(json!({"name": format!("Tag {i}")})).expect("tag"),
            )
            .await
            .expect("create tag");
        tag_ids.push(tag.id);
    }
    let mut wanted = user_ids.clone();
    wanted.extend(user_ids.iter().take(5).cloned());
    wanted.push("usr_01jd5y0v4w8k9m2n3p4q5r6s7t".into());
    let (one, users) = h.count(h.service.users_by_ids(&h.who, &wanted)).await;
    let users: HashMap<_, _> = users.expect("users");
    assert_eq!(one, 1, "one statement for a page's users");
    assert_eq!(users.len(), 30);
    assert_eq!(users[&user_ids[7]].name, "User 7");

    let (one, tags) = h.count(h.service.tags_by_ids(&h.who, &tag_ids)).await;
    assert_eq!((one, tags.expect("tags").len()), (1, 10));

    h.service
        .create_stage(
            &h.who,
            serde_json::from_value::<NewStage>(json!({"key": "won_big", "label": "Won Big"}))
                .expect("stage"),
        )
        .await
        .expect("create stage");
    let keys: Vec<String> = ["customer", "won_big", "nope"].map(String::from).to_vec();
    let (one, stages) = h.count(h.service.stages_by_keys(&h.who, &keys)).await;
    let stages = stages.expect("stages");
    assert_eq!(one, 1);
    assert_eq!(stages.len(), 2);
    assert_eq!(stages["won_big"].label, "Won Big");

    let found = h
        .service
        .find_user_by_email(&h.who, "  U3@Example.COM ")
        .await
        .expect("by email");
    assert_eq!(found.map(|u| u.id), Some(user_ids[3].clone()));
    let err = h
        .service
        .find_user_by_email(&h.who, "not an email")
        .await
        .expect_err("not an email");
    assert_eq!(err.field(), Some("email"));
    assert_eq!(
        h.service
            .find_stage(&h.who, "won_big")
            .await
            .expect("key")
            .map(|s| s.key),
        Some("won_big".into())
    );
    assert_eq!(
        h.service
            .find_stage(&h.who, "won big")
            .await
            .expect("label")
            .map(|s| s.key),
        Some("won_big".into())
    );
    assert_eq!(
        h.service.find_stage(&h.who, "lost").await.expect("none"),
        None
    );
    let tag = h
        .service
        .find_tag_by_name(&h.who, " TAG 4 ")
        .await
        .expect("tag by name");
    assert_eq!(tag.map(|t| t.id), Some(tag_ids[4].clone()));
}

/// Read-modify-write under lock, as surfaces use it for changes the PATCH body cannot say.
async fn rewrite_account(backend: Backend) {
    let h = Harness::open(backend).await;
    let account = h
        .create(json!({"name": "Acme", "websites": ["https://acme.com"], "domains": []}))
        .await;
    assert_eq!(account.domains, vec!["acme.com"]);
    let rewritten = h
        .service
        .rewrite_account(&h.who, &account.id, Some(1), |current| {
            let mut input = AccountInput::from(current);
            input.domains.clear();
            input
                .websites
                .push(WebsiteInput::Url("https://acme.dev".into()));
            input.normalize_over(current)
        })
        .await
        .expect("rewrite");
    assert_eq!(rewritten.version, 2);
    assert_eq!(
        rewritten.domains,
        vec!["acme.dev"],
        "only the new website's host"
    );
    let stale = h
        .service
        .rewrite_account(&h.who, &account.id, Some(1), |current| {
            AccountInput::from(current).normalize_over(current)
        })
        .await
        .expect_err("stale");
    assert_eq!(stale.code(), Code::PreconditionFailed);
}

macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::Backend::Postgres).await;
                }
            )*
        }
    };
}

on_both!(
    external_refs_only,
    refs_domains_then_names,
    ids_then_domains,
    append_tags_options,
    atomic_policy_failure,
    bulk_statements_do_not_grow_with_rows,
    typed_assert,
    created_at_on_create,
    name_from_domain,
    lookups,
    rewrite_account,
);
