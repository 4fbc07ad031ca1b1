//! Account reads carry counts of related records (contacts, open opportunities, open cases)
//! computed inside the account SELECT: a page of 1,000 accounts is read in the same single
//! statement as a page of 10, on both stores. The stores count the statements they run.

use futures::TryStreamExt;
use orgstore_core::list::ListParams;
use orgstore_core::model::{Account, AccountData, CaseInput, ContactInput, OpportunityInput};
use orgstore_core::query::QueryRequest;
use orgstore_testkit::Backend;
use orgstore_testkit::counted::CountedService;
use serde_json::json;

const ACCOUNTS: usize = 1000;

type Counted = CountedService;

/// What account `i` is given, and so the counts it must report.
fn expected(i: usize) -> (i64, i64, i64) {
    let contacts = (i % 3) as i64;
    let open_opportunities = (i % 2) as i64;
    let open_cases = i64::from(i.is_multiple_of(4));
    (contacts, open_opportunities, open_cases)
}

fn account_data(i: usize) -> AccountData {
    orgstore_core::model::AccountInput {
        name: format!("Acct {i:04}"),
        ..Default::default()
    }
    .normalize()
    .expect("valid account")
}

/// 1,000 accounts, each with `expected(i)` contacts, open opportunities and open cases, plus
/// won, lost and closed records that must not be counted.
async fn populate(c: &Counted) -> Vec<String> {
    let store = c.service.store();
    let (ws, actor) = (&c.who.workspace_id, &c.who.user_id);
    let mut ids = Vec::with_capacity(ACCOUNTS);
    for i in 0..ACCOUNTS {
        let account = store
            .insert_account(ws, actor, account_data(i))
            .await
            .expect("insert account");
        let (contacts, open_opps, open_cases) = expected(i);
        let link = Some(account.id.clone());
        for n in 0..contacts {
            let input = ContactInput {
                first_name: Some(format!("Person {i}-{n}")),
                account_id: link.clone(),
                ..Default::default()
            };
            c.service
                .create_contact(&c.who, input)
                .await
                .expect("contact");
        }
        let mut opportunities = vec!["open"; open_opps as usize];
        if i.is_multiple_of(5) {
            opportunities.push("won");
        }
        if i.is_multiple_of(7) {
            opportunities.push("lost");
        }
        for status in opportunities {
            let input: OpportunityInput = serde_json::from_value(
                json!({"name": format!("Deal {i}"), "status": status, "account_id": link}),
            )
            .expect("input");
            c.service
                .create_opportunity(&c.who, input)
                .await
                .expect("opportunity");
        }
        let mut cases = vec!["open"; open_cases as usize];
        if i.is_multiple_of(3) {
            cases.push("closed");
        }
        for status in cases {
            let input: CaseInput = serde_json::from_value(
                json!({"title": format!("Ticket {i}"), "status": status, "account_id": link}),
            )
            .expect("input");
            c.service.create_case(&c.who, input).await.expect("case");
        }
        ids.push(account.id);
    }
    ids
}

fn assert_counts(accounts: &[Account], ids: &[String]) {
    for account in accounts {
        let i = ids
            .iter()
            .position(|id| *id == account.id)
            .expect("a known account");
        let got = (
            account.contact_count,
            account.open_opportunity_count,
            account.open_case_count,
        );
        assert_eq!(got, expected(i), "counts of {}", account.name);
    }
}

fn list_params(limit: usize) -> ListParams {
    ListParams {
        limit: Some(limit.to_string()),
        ..Default::default()
    }
}

fn query_request(limit: usize) -> QueryRequest {
    serde_json::from_value(json!({
        "filter": {"field": "name", "op": "starts_with", "value": "acct"},
        "limit": limit
    }))
    .expect("query request")
}

async fn constant_statements(backend: Backend) {
    let c = Counted::open(backend).await;
    let ids = populate(&c).await;

    let (small, page) = c
        .count(c.service.list_accounts(&c.who, list_params(10)))
        .await;
    assert_eq!(page.expect("list 10").data.len(), 10);
    let (large, page) = c
        .count(c.service.list_accounts(&c.who, list_params(ACCOUNTS)))
        .await;
    let page = page.expect("list 1000");
    assert_eq!(page.data.len(), ACCOUNTS);
    assert_counts(&page.data, &ids);
    assert_eq!((small, large), (1, 1), "a list page is one statement");

    let (small, page) = c
        .count(c.service.query_accounts(&c.who, query_request(10)))
        .await;
    assert_eq!(page.expect("query 10").data.len(), 10);
    let (large, page) = c
        .count(c.service.query_accounts(&c.who, query_request(ACCOUNTS)))
        .await;
    let page = page.expect("query 1000");
    assert_eq!(page.data.len(), ACCOUNTS);
    assert_counts(&page.data, &ids);
    assert_eq!(small, large, "a query page costs the same at 10 and 1000");
    eprintln!("{backend:?}: query page of 10: {small} statements, of 1000: {large}");
    assert!(large <= 2, "a query page is {large} statements");

    let search = |limit: usize| ListParams {
        q: Some("acct".into()),
        ..list_params(limit)
    };
    let (small, _) = c.count(c.service.list_accounts(&c.who, search(10))).await;
    let (large, page) = c
        .count(c.service.list_accounts(&c.who, search(ACCOUNTS)))
        .await;
    assert_counts(&page.expect("search").data, &ids);
    assert_eq!(small, large, "a search page costs the same at 10 and 1000");
    eprintln!("{backend:?}: search page of 10: {small} statements, of 1000: {large}");

    let (exported, accounts) = c
        .count(async {
            let stream = c
                .service
                .export_accounts(&c.who, ListParams::default())
                .await
                .expect("export");
            stream.try_collect::<Vec<Account>>().await
        })
        .await;
    let accounts = accounts.expect("export stream");
    assert_eq!(accounts.len(), ACCOUNTS);
    assert_counts(&accounts, &ids);
    assert_eq!(exported, 1, "an export page of 1000 is one statement");

    let (one, account) = c.count(c.service.get_account(&c.who, &ids[4])).await;
    assert_eq!(one, 1, "a get is one statement");
    let account = account.expect("get");
    assert_eq!(
        (
            account.contact_count,
            account.open_opportunity_count,
            account.open_case_count
        ),
        expected(4)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn constant_statements_sqlite() {
    constant_statements(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn constant_statements_postgres() {
    constant_statements(Backend::Postgres).await;
}
