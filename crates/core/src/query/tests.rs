//! The parser, the builder and the account cursors, without a database.

use serde_json::{Map, Value, json};

use super::*;
use crate::error::{Error, Result};
use crate::model::Account;
use crate::page::{DEFAULT_LIMIT, PageDirection};
use crate::schema::{FieldKey, ObjectSchema};

/// Custom fields `score` (number), `flag` (boolean) and `since` (date).
fn test_schema() -> ObjectSchema {
    let object = crate::schema::SchemaObject::Accounts;
    let fields = [("score", "number"), ("flag", "boolean"), ("since", "date")]
        .iter()
        .map(|(name, ty)| {
            crate::schema::NewCustomField {
                api_name: (*name).into(),
                field_type: (*ty).into(),
                ..Default::default()
            }
            .into_def(object, 0)
            .expect("valid definition")
        })
        .collect();
    ObjectSchema { object, fields }
}

fn parse(body: Value) -> Result<AccountQuery> {
    let request: QueryRequest = crate::decode::from_value(&body, "")?;
    request.into_builder().build(&test_schema())
}

fn err(body: Value) -> Error {
    match parse(body.clone()) {
        Ok(q) => panic!("{body} was accepted as {q:?}"),
        Err(e) => e,
    }
}

/// The code, field and value of the error a body gets.
fn where_(body: Value) -> (&'static str, Option<String>, Option<Value>) {
    let e = err(body);
    (
        e.code().as_str(),
        e.field().map(str::to_string),
        e.value().cloned(),
    )
}

fn system(key: FieldKey) -> Field {
    Field::System(key)
}

fn leaf(field: Field, condition: Condition) -> Filter {
    Filter::Leaf { field, condition }
}

fn text(s: &str) -> Scalar {
    Scalar::Text(s.into())
}

#[test]
fn leaves_and_nodes() {
    let q = parse(json!({"filter": {"and": [
        {"field": "industry", "op": "eq", "value": "Software"},
        {"not": {"field": "tags", "op": "in", "value": ["VIP", "Gold"]}},
        {"field": "number_of_employees", "op": "gte", "value": 10},
        {"field": "domains", "op": "eq", "value": "https://WWW.Acme.com/x"},
        {"field": "name", "op": "ne", "value": "Acme"},
        {"field": "custom_fields.score", "op": "gt", "value": 7.5},
        {"field": "created_at", "op": "lt", "value": "2024-01-02"},
        {"field": "archived_at", "op": "exists", "value": false}
    ]}}))
    .expect("valid");
    let Some(Filter::And(items)) = q.filter else {
        panic!("not an and")
    };
    assert_eq!(
        items[1],
        Filter::Not(Box::new(leaf(
            system(FieldKey::Tags),
            Condition::In(vec![text("vip"), text("gold")])
        )))
    );
    assert_eq!(
        items[3],
        leaf(
            system(FieldKey::Domains),
            Condition::Compare(Compare::Eq, text("acme.com"))
        )
    );
    assert_eq!(
        items[4],
        Filter::Not(Box::new(leaf(
            system(FieldKey::Name),
            Condition::Compare(Compare::Eq, text("acme"))
        )))
    );
    assert_eq!(
        items[5],
        leaf(
            Field::Custom("score".into(), CustomKind::Number),
            Condition::Compare(Compare::Gt, Scalar::Decimal("7.5".parse().expect("d")))
        )
    );
    assert_eq!(
        items[6],
        leaf(
            system(FieldKey::CreatedAt),
            Condition::Compare(Compare::Lt, Scalar::Int(1_704_153_600_000))
        )
    );
    assert_eq!(q.limit, DEFAULT_LIMIT);
    assert_eq!(
        q.order,
        Order::Keys(vec![SortKey {
            field: system(FieldKey::CreatedAt),
            descending: false
        }])
    );
}

#[test]
fn new_operators() {
    let q = parse(json!({"filter": {"and": [
        {"field": "name", "op": "ends_with", "value": "LABS"},
        {"field": "number_of_employees", "op": "between", "value": [10, 20]},
        {"field": "annual_revenue", "op": "between", "value": [1, 2.5]},
        {"field": "stage", "op": "not_exists"},
        {"field": "industry", "op": "not_exists", "value": false},
        {"field": "websites", "op": "starts_with", "value": "https://Acme"},
        {"field": "custom_fields.since", "op": "between", "value": ["2024-01-01", "2024-12-31"]}
    ]}}))
    .expect("valid");
    let Some(Filter::And(items)) = q.filter else {
        panic!("not an and")
    };
    assert_eq!(
        items[0],
        leaf(
            system(FieldKey::Name),
            Condition::Like {
                text: "labs".into(),
                pattern: Pattern::EndsWith
            }
        )
    );
    assert_eq!(
        items[1],
        leaf(
            system(FieldKey::NumberOfEmployees),
            Condition::Between(Scalar::Int(10), Scalar::Int(20))
        )
    );
    assert_eq!(
        items[2],
        leaf(
            system(FieldKey::AnnualRevenue),
            Condition::Between(
                Scalar::Decimal(1.into()),
                Scalar::Decimal("2.5".parse().expect("d"))
            )
        )
    );
    assert_eq!(
        items[3],
        Filter::Not(Box::new(leaf(system(FieldKey::Stage), Condition::Exists)))
    );
    assert_eq!(
        items[4],
        leaf(system(FieldKey::Industry), Condition::Exists)
    );
    // Website URLs keep their case; the pattern match ignores it.
    assert_eq!(
        items[5],
        leaf(
            system(FieldKey::Websites),
            Condition::Like {
                text: "https://Acme".into(),
                pattern: Pattern::StartsWith
            }
        )
    );
    assert!(matches!(
        &items[6],
        Filter::Leaf {
            condition: Condition::Between(..),
            ..
        }
    ));
}

#[test]
fn tag_values_are_ids_or_names() {
    let id = crate::ids::new_id(crate::ids::TAG);
    let upper = id.to_uppercase().replacen("TAG_", "tag_", 1);
    let q = parse(json!({"filter": {"and": [
        {"field": "tags", "op": "eq", "value": upper},
        {"field": "tags", "op": "in", "value": [id, "VIP"]},
        {"field": "tags", "op": "not_in", "value": ["vip"]},
        {"field": "tags", "op": "contains", "value": "tag_"}
    ]}}))
    .expect("valid");
    let Some(Filter::And(items)) = q.filter else {
        panic!("not an and")
    };
    assert_eq!(
        items[0],
        leaf(Field::TagId, Condition::Compare(Compare::Eq, text(&id)))
    );
    assert_eq!(
        items[1],
        Filter::Or(vec![
            leaf(Field::TagId, Condition::In(vec![text(&id)])),
            leaf(system(FieldKey::Tags), Condition::In(vec![text("vip")])),
        ])
    );
    assert_eq!(
        items[2],
        Filter::Not(Box::new(leaf(
            system(FieldKey::Tags),
            Condition::In(vec![text("vip")])
        )))
    );
    assert!(matches!(&items[3], Filter::Leaf { field, .. } if *field == system(FieldKey::Tags)));
}

#[test]
fn errors_name_their_path_and_code() {
    let f = |filter: Value| where_(json!({ "filter": filter }));
    assert_eq!(
        f(
            json!({"and": [{"field": "industry", "op": "eq", "value": "x"}, {"field": "colour", "op": "eq", "value": "red"}]})
        ),
        (
            "unknown_filter_field",
            Some("filter.and[1].field".into()),
            Some(json!("colour"))
        )
    );
    assert_eq!(
        f(json!({"and": [{"field": "tags", "op": "gt", "value": "x"}]})),
        (
            "unsupported_operator",
            Some("filter.and[0].op".into()),
            Some(json!("gt"))
        )
    );
    assert_eq!(
        f(json!({"field": "number_of_employees", "op": "contains", "value": "1"})).1,
        Some("filter.op".into())
    );
    assert_eq!(
        f(
            json!({"or": [{"field": "industry", "op": "eq", "value": "x"}, {"field": "number_of_employees", "op": "eq", "value": "ten"}]})
        ),
        (
            "invalid_filter_value",
            Some("filter.or[1].value".into()),
            Some(json!("ten"))
        )
    );
    assert_eq!(
        f(json!({"field": "industry", "op": "in", "value": "x"})).0,
        "invalid_filter_value"
    );
    assert_eq!(
        f(json!({"field": "industry", "op": "in", "value": ["a", 1]})).1,
        Some("filter.value[1]".into())
    );
    assert_eq!(
        f(json!({"field": "industry", "op": "like", "value": "x"})),
        (
            "unsupported_operator",
            Some("filter.op".into()),
            Some(json!("like"))
        )
    );
    // An unknown field is named before an unknown operator.
    assert_eq!(
        f(json!({"field": "colour", "op": "like", "value": "x"})).1,
        Some("filter.field".into())
    );
    assert_eq!(
        f(json!({"field": "industry", "value": "x"})),
        ("missing_field", Some("filter.op".into()), None)
    );
    assert_eq!(
        f(json!({"field": "industry", "op": "eq"})),
        ("missing_field", Some("filter.value".into()), None)
    );
    assert_eq!(
        f(json!({"field": "industry", "op": "eq", "value": "x", "extra": 1})),
        (
            "unknown_field",
            Some("filter.extra".into()),
            Some(json!("extra"))
        )
    );
    assert_eq!(
        f(json!({"and": []})),
        ("invalid_value", Some("filter.and".into()), Some(json!([])))
    );
    assert_eq!(f(json!({"not": 3})).0, "invalid_type");
    assert_eq!(
        f(json!({"field": "created_at", "op": "gt", "value": "soon"})).0,
        "invalid_value"
    );
    assert_eq!(
        f(json!({"field": "domains", "op": "eq", "value": "nope"})).0,
        "invalid_domain"
    );
    assert_eq!(
        f(json!({"field": "phone_numbers", "op": "exists"})),
        (
            "unknown_filter_field",
            Some("filter.field".into()),
            Some(json!("phone_numbers"))
        )
    );
    assert_eq!(
        f(json!({"field": "custom_fields.flag", "op": "gt", "value": true})),
        (
            "unsupported_operator",
            Some("filter.op".into()),
            Some(json!("gt"))
        )
    );
    // Custom fields are typed by their definition, not by the value sent; a value of the
    // wrong type stays invalid_value.
    assert_eq!(
        f(json!({"field": "custom_fields.nope", "op": "eq", "value": 1})),
        (
            "unknown_filter_field",
            Some("filter.field".into()),
            Some(json!("custom_fields.nope"))
        )
    );
    assert_eq!(
        f(json!({"field": "custom_fields.score", "op": "gt", "value": "9"})),
        (
            "invalid_value",
            Some("filter.value".into()),
            Some(json!("9"))
        )
    );
    assert_eq!(
        f(json!({"field": "custom_fields.since", "op": "gt", "value": "May"})).0,
        "invalid_value"
    );
    assert_eq!(
        f(json!({"field": "archived_at", "op": "exists", "value": "yes"})).0,
        "invalid_filter_value"
    );
    // between takes a [low, high] pair of the field's type.
    for (value, code, at, echoed) in [
        (json!(5), "invalid_filter_value", "filter.value", json!(5)),
        (
            json!([1, 2, 3]),
            "invalid_value",
            "filter.value",
            json!([1, 2, 3]),
        ),
        (
            json!([9, 1]),
            "invalid_value",
            "filter.value",
            json!([9, 1]),
        ),
        (
            json!([1, "x"]),
            "invalid_filter_value",
            "filter.value[1]",
            json!("x"),
        ),
    ] {
        assert_eq!(
            f(json!({"field": "number_of_employees", "op": "between", "value": value})),
            (code, Some(at.into()), Some(echoed)),
            "{value}"
        );
    }
    assert_eq!(
        f(json!({"field": "industry", "op": "between", "value": ["b", "a"]})).0,
        "invalid_value"
    );
    assert_eq!(
        f(json!({"field": "tags", "op": "between", "value": ["a", "b"]})).0,
        "unsupported_operator"
    );
}

#[test]
fn typed_trees_name_paths_relative_to_their_root_or_label() {
    let build = |tree: FilterTree| {
        AccountQueryBuilder::new("vendor.accounts")
            .filter(tree)
            .build(&test_schema())
    };
    let e = build(FilterTree::and(vec![
        FilterTree::predicate("industry", FilterOp::Eq, "x"),
        FilterTree::negate(FilterTree::predicate(
            "number_of_employees",
            FilterOp::Gt,
            "many",
        )),
    ]))
    .expect_err("a string for an integer");
    assert_eq!(
        (e.code().as_str(), e.field()),
        ("invalid_filter_value", Some("and[1].not.value"))
    );
    let e = build(
        FilterTree::predicate("created_at", FilterOp::Gt, "yesterday")
            .labelled("created_date.after"),
    )
    .expect_err("not a timestamp");
    assert_eq!(e.field(), Some("created_date.after"));
    let e = build(FilterTree::predicate("colour", FilterOp::Eq, "red")).expect_err("no colour");
    assert_eq!(
        (e.code().as_str(), e.field()),
        ("unknown_filter_field", Some("field"))
    );
    let e = build(FilterTree::predicate("tags", FilterOp::In, vec!["a", "b"]).labelled("labels"))
        .map(|q| q.filter);
    assert!(e.is_ok());
    let e = build(FilterTree::predicate(
        "industry",
        FilterOp::In,
        FilterValue::List(vec!["a".into(), 3i64.into()]),
    ))
    .expect_err("mixed list");
    assert_eq!(e.field(), Some("value[1]"));
    assert!(build(FilterTree::not_exists("custom_fields.score")).is_ok());
}

#[test]
fn limits_are_enforced() {
    let mut deep = json!({"field": "industry", "op": "eq", "value": "x"});
    for _ in 0..MAX_DEPTH {
        deep = json!({ "not": deep });
    }
    assert_eq!(where_(json!({ "filter": deep })).0, "invalid_value");
    let many: Vec<Value> = (0..=MAX_CONDITIONS)
        .map(|_| json!({"field": "industry", "op": "eq", "value": "x"}))
        .collect();
    assert_eq!(
        where_(json!({"filter": {"or": many}})).1,
        Some(format!("filter.or[{MAX_CONDITIONS}]"))
    );
    assert_eq!(where_(json!({"limit": 0})).1, Some("limit".into()));
    assert_eq!(where_(json!({"limit": 1001})).1, Some("limit".into()));
    assert_eq!(where_(json!({"limit": "5"})).0, "invalid_type");
    assert_eq!(
        where_(json!({"search": "x".repeat(201)})).1,
        Some("search".into())
    );
    assert_eq!(
        where_(json!({"colour": 1})),
        (
            "unknown_field",
            Some("colour".into()),
            Some(json!("colour"))
        )
    );
    let offset = AccountQueryBuilder::new("v")
        .offset(u64::MAX)
        .build(&test_schema())
        .expect_err("offset out of range");
    assert_eq!(offset.field(), Some("offset"));
}

#[test]
fn sorts() {
    let q = parse(
        json!({"sort": [{"field": "name", "direction": "desc"}, {"field": "annual_revenue"}]}),
    )
    .expect("valid");
    assert!(!q.uses_offset());
    assert_eq!(
        where_(json!({"sort": [{"field": "tags"}]})),
        (
            "unsortable_field",
            Some("sort[0].field".into()),
            Some(json!("tags"))
        )
    );
    assert_eq!(
        where_(json!({"sort": [{"field": "name"}, {"field": "colour"}]})),
        (
            "unknown_filter_field",
            Some("sort[1].field".into()),
            Some(json!("colour"))
        )
    );
    assert_eq!(
        where_(json!({"sort": [{"field": "name"}, {"field": "name"}]})).0,
        "invalid_value"
    );
    assert_eq!(
        where_(
            json!({"sort": [{"field": "name"}, {"field": "tier"}, {"field": "stage"}, {"field": "industry"}]})
        ),
        ("too_many_sort_keys", Some("sort".into()), Some(json!(4)))
    );
    assert_eq!(
        where_(json!({"sort": [{"field": "name", "direction": "up"}]})).1,
        Some("sort[0].direction".into())
    );
    let ranked = parse(json!({"search": "  Acme "})).expect("valid");
    assert_eq!(
        (ranked.order.clone(), ranked.search.as_deref()),
        (Order::Rank, Some("acme"))
    );
    assert!(ranked.uses_offset());
}

fn account(id: &str, name: &str, revenue: Option<&str>) -> Account {
    Account {
        id: id.into(),
        display_id: "ACC-7".into(),
        workspace_id: "ws".into(),
        name: name.into(),
        description: None,
        domains: vec![],
        websites: vec![],
        industry: None,
        tier: None,
        company_size: None,
        number_of_employees: None,
        annual_revenue: revenue.map(|r| r.parse().expect("decimal")),
        stage: None,
        owners: vec![],
        phone_numbers: vec![],
        addresses: vec![],
        tags: vec![],
        external_refs: vec![],
        custom_fields: Map::new(),
        artifacts: vec![],
        remote_data: None,
        created_at: 5,
        updated_at: 6,
        created_by: None,
        modified_by: None,
        last_activity_at: None,
        archived_at: None,
        version: 1,
        contact_count: 0,
        open_opportunity_count: 0,
        open_case_count: 0,
    }
}

fn accounts(names: &[&str]) -> Vec<Account> {
    names
        .iter()
        .enumerate()
        .map(|(i, n)| account(&format!("acc_{i}"), n, None))
        .collect()
}

fn with_cursor(body: &Value, cursor: &Option<String>) -> Value {
    let mut next = body.clone();
    next["cursor"] = json!(cursor);
    next
}

#[test]
fn cursors_round_trip_and_check_their_query() {
    let body = json!({"sort": [{"field": "annual_revenue", "direction": "desc"}, {"field": "display_id"}],
                      "filter": {"field": "industry", "op": "eq", "value": "x"}, "limit": 1});
    let q = parse(body.clone()).expect("valid");
    let page = q.into_page(vec![
        account("acc_1", "A", Some("12.50")),
        account("acc_2", "B", None),
    ]);
    assert_eq!(page.prev_cursor, None, "the first page has none before it");
    let cursor = page.next_cursor;
    let q2 = parse(with_cursor(&body, &cursor)).expect("cursor accepted");
    let position = Position::Row {
        values: vec![
            Some(Scalar::Decimal("12.50".parse().expect("d"))),
            Some(Scalar::Int(7)),
        ],
        id: "acc_1".into(),
    };
    assert_eq!(q2.start, Start::After(position.clone()));
    let scan = q2.scan();
    assert_eq!((scan.reversed, scan.fetch, scan.offset), (false, 2, 0));

    // The second page's prev_cursor reads backward from its first row.
    let second = q2.into_page(vec![account("acc_3", "C", Some("3"))]);
    let back = parse(with_cursor(&body, &second.prev_cursor)).expect("prev accepted");
    assert!(matches!(&back.start, Start::Before(Position::Row { id, .. }) if id == "acc_3"));
    assert!(back.scan().reversed);

    let mut other_sort = body.clone();
    other_sort["sort"] = json!([{"field": "name"}]);
    assert_eq!(
        where_(with_cursor(&other_sort, &cursor)).1,
        Some("cursor".into())
    );
    let mut other_filter = body.clone();
    other_filter["filter"]["value"] = json!("y");
    assert_eq!(
        where_(with_cursor(&other_filter, &cursor)).0,
        "invalid_cursor"
    );
    assert_eq!(where_(json!({"cursor": "!!"})).1, Some("cursor".into()));
    // Another list's cursor, for the very same query, is refused.
    let elsewhere =
        AccountQueryBuilder::new("accounts.list").cursor(cursor.clone().expect("cursor"));
    assert!(elsewhere.build(&test_schema()).is_err());

    let ranked = parse(json!({"search": "a", "limit": 1})).expect("valid");
    let page = ranked.into_page(accounts(&["A", "B"]));
    let next = parse(json!({"search": "a", "limit": 1, "cursor": page.next_cursor}))
        .expect("cursor accepted");
    assert_eq!(next.start, Start::After(Position::Index(0)));
    assert_eq!(next.scan().offset, 1);
}

#[test]
fn backward_pages_and_overridden_directions() {
    let body = json!({"sort": [{"field": "name"}], "limit": 2});
    let q = parse(body.clone()).expect("valid");
    let first = q.into_page(accounts(&["a", "b", "c"]));
    let second_q = parse(with_cursor(&body, &first.next_cursor)).expect("next");
    // Reading forward from b: c, d and one more.
    let second = second_q.into_page(accounts(&["c", "d", "e"]));
    assert_eq!(
        (second.has_more, second.prev_cursor.is_some()),
        (true, true)
    );

    // prev_cursor of the second page: read backward (reversed) from c, one extra row.
    let back_q = parse(with_cursor(&body, &second.prev_cursor)).expect("prev");
    let rows = accounts(&["b", "a"]); // the reversed read
    let back = back_q.into_page(rows);
    let names: Vec<&str> = back.data.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, vec!["a", "b"], "rows come back in the query's order");
    assert!(back.has_more && back.next_cursor.is_some());
    assert_eq!(back.prev_cursor, None, "nothing before the first row");

    // A caller may send a next_cursor backward (DevRev's mode=before).
    let b = AccountQueryBuilder::new(QUERY_LIST)
        .sort_by("name", Direction::Asc)
        .limit(2)
        .before_cursor(first.next_cursor.clone().expect("next"))
        .build(&test_schema())
        .expect("overridden");
    assert!(matches!(b.start, Start::Before(Position::Row { .. })));
    let a = AccountQueryBuilder::new(QUERY_LIST)
        .sort_by("name", Direction::Asc)
        .limit(2)
        .after_cursor(second.prev_cursor.clone().expect("prev"))
        .build(&test_schema())
        .expect("overridden");
    assert!(matches!(a.start, Start::After(Position::Row { .. })));

    // The last page reads backward from the end and says nothing follows.
    let last = AccountQueryBuilder::new(QUERY_LIST)
        .sort_by("name", Direction::Asc)
        .limit(2)
        .last_page()
        .build(&test_schema())
        .expect("last");
    assert!(last.scan().reversed && last.scan().after.is_none());
    let page = last.into_page(accounts(&["e", "d", "c"]));
    let names: Vec<&str> = page.data.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, vec!["d", "e"]);
    assert_eq!((page.has_more, page.next_cursor.is_none()), (false, true));
    assert!(page.prev_cursor.is_some());
}

#[test]
fn offset_pages_go_both_ways() {
    let q = AccountQueryBuilder::new("vendor")
        .search("a")
        .limit(2)
        .offset(4)
        .build(&test_schema())
        .expect("offset");
    assert_eq!(q.scan().offset, 4);
    let page = q.into_page(accounts(&["e", "f", "g"]));
    let prev = AccountQueryBuilder::new("vendor")
        .search("a")
        .limit(2)
        .cursor(page.prev_cursor.clone().expect("prev"))
        .build(&test_schema())
        .expect("prev");
    assert_eq!(prev.start, Start::Before(Position::Index(4)));
    let scan = prev.scan();
    // Rows 2 and 3, and row 4 to tell that more follow.
    assert_eq!((scan.offset, scan.fetch, scan.reversed), (2, 3, false));
    let back = prev.into_page(accounts(&["c", "d", "e"]));
    assert_eq!(back.data.len(), 2);
    assert!(back.has_more && back.prev_cursor.is_some());
    let next = AccountQueryBuilder::new("vendor")
        .search("a")
        .limit(2)
        .cursor(back.next_cursor.expect("next"))
        .build(&test_schema())
        .expect("next");
    assert_eq!(
        next.scan().offset,
        4,
        "the next page of the previous page is this one"
    );

    // The last page of an offset order starts from the count.
    let mut last = AccountQueryBuilder::new("vendor")
        .search("a")
        .limit(2)
        .last_page()
        .build(&test_schema())
        .expect("last");
    assert!(last.needs_total_to_start());
    last.start_from_end(5);
    let scan = last.scan();
    assert_eq!((scan.offset, scan.fetch), (3, 3));
    let page = last.into_page(accounts(&["d", "e"]));
    assert_eq!((page.has_more, page.next_cursor), (false, None));
    assert!(page.prev_cursor.is_some());
}

#[test]
fn pages_with_a_next_cursor_are_never_empty() {
    let q = parse(json!({"limit": 1})).expect("valid");
    for rows in [vec![], accounts(&["a"]), accounts(&["a", "b"])] {
        let page = q.into_page(rows);
        assert!(page.next_cursor.is_none() || !page.data.is_empty());
    }
    let cursor = Cursor::decode(
        &q.into_page(accounts(&["a", "b"]))
            .next_cursor
            .expect("next"),
    )
    .expect("decodes");
    assert_eq!(cursor.direction, PageDirection::After);
}

use crate::page::Cursor;

#[test]
fn crafted_cursors_are_refused_not_run() {
    let body = json!({"search": "a", "limit": 1});
    let page = parse(body.clone())
        .expect("valid")
        .into_page(accounts(&["a", "b"]));
    let mut cursor = Cursor::decode(page.next_cursor.as_deref().expect("next")).expect("decodes");
    for index in [u64::MAX, i64::MAX as u64] {
        cursor.index = Some(index);
        let e = err(with_cursor(&body, &Some(cursor.encode())));
        assert_eq!(
            (e.code().as_str(), e.field()),
            ("invalid_cursor", Some("cursor"))
        );
    }
    // A keyset position in an offset-paged query, or values of the wrong type.
    cursor.index = None;
    cursor.key = Some("acc_1".into());
    assert_eq!(
        err(with_cursor(&body, &Some(cursor.encode())))
            .code()
            .as_str(),
        "invalid_cursor"
    );
    let keyset = json!({"sort": [{"field": "created_at"}], "limit": 1});
    let page = parse(keyset.clone())
        .expect("valid")
        .into_page(accounts(&["a", "b"]));
    let mut cursor = Cursor::decode(page.next_cursor.as_deref().expect("next")).expect("decodes");
    cursor.values = vec![json!("not a time")];
    assert_eq!(
        err(with_cursor(&keyset, &Some(cursor.encode())))
            .code()
            .as_str(),
        "invalid_cursor"
    );
    cursor.values = vec![Value::Null];
    assert_eq!(
        err(with_cursor(&keyset, &Some(cursor.encode())))
            .code()
            .as_str(),
        "invalid_cursor",
        "created_at is never missing"
    );
}
