//! `orgstore import` and `orgstore export` as a user runs them, on the built binary: header
//! mapping, domain spellings collapsing to one account, the errors file, NDJSON, CSV and NDJSON
//! round trips between workspaces, and a 100,000-row import with 10% duplicates.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use orgstore_testkit::serde_json::{self, Value, json};
use orgstore_testkit::{Backend, fresh_database};

const BIN: &str = env!("CARGO_BIN_EXE_orgstore");

/// A scratch directory for one test, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = std::env::temp_dir().join(format!(
            "orgstore-import-{}-{}-{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        Scratch(dir)
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("write file");
        path
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(args: &[&str], database: &str) -> Output {
    Command::new(BIN)
        .args(args)
        .args(["--database", database])
        .env("ORGSTORE_LOG", "warn")
        .output()
        .expect("run orgstore")
}

/// Runs a command that must succeed; returns stdout and stderr.
fn ok(args: &[&str], database: &str) -> (String, String) {
    let out = run(args, database);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "orgstore {args:?} failed: {stderr}");
    (String::from_utf8(out.stdout).expect("utf-8 stdout"), stderr)
}

fn import(file: &Path, workspace: &str, database: &str, extra: &[&str]) -> (u64, u64, u64, String) {
    let file = file.to_str().expect("utf-8 path");
    let mut args = vec!["import", file, "--workspace", workspace];
    args.extend_from_slice(extra);
    let (_, stderr) = ok(&args, database);
    let (created, existing, failed) = summary(&stderr);
    (created, existing, failed, stderr)
}

/// `created N, existing N, failed N` from the import's stderr.
fn summary(stderr: &str) -> (u64, u64, u64) {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("created "))
        .unwrap_or_else(|| panic!("no summary in {stderr}"));
    let numbers: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .take(3)
        .map(|n| n.parse().expect("number"))
        .collect();
    (numbers[0], numbers[1], numbers[2])
}

/// Every account of the workspace, through `orgstore export` (NDJSON on stdout).
fn accounts(workspace: &str, database: &str) -> Vec<Value> {
    let (stdout, _) = ok(&["export", "--workspace", workspace], database);
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("NDJSON line"))
        .collect()
}

/// Defines a custom field of accounts in a workspace, as an admin would over the API: the
/// import maps only columns that name a defined field.
async fn define_field(database: &str, workspace: &str, api_name: &str, field_type: &str) {
    let store = orgstore_store::open(database)
        .await
        .expect("open the store");
    let ws = store
        .workspace_by_slug(workspace)
        .await
        .expect("read workspace")
        .expect("workspace exists");
    let owner = store.owner_user(&ws.id).await.expect("owner");
    let who = orgstore_core::auth::Principal {
        workspace_id: ws.id,
        user_id: owner.id,
        token_id: "test".into(),
        scope: orgstore_core::auth::Scope::Admin,
    };
    let service = orgstore_core::service::Service::new(store);
    let field = orgstore_core::schema::NewCustomField {
        api_name: api_name.into(),
        field_type: field_type.into(),
        ..Default::default()
    };
    service
        .define_custom_field(&who, "accounts", field)
        .await
        .expect("define the field");
}

fn by_name<'a>(accounts: &'a [Value], name: &str) -> &'a Value {
    accounts
        .iter()
        .find(|a| a["name"] == name)
        .unwrap_or_else(|| panic!("no account {name}"))
}

fn error_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .expect("errors file")
        .lines()
        .map(|l| serde_json::from_str(l).expect("error line"))
        .collect()
}

async fn csv_headers_and_domain_spellings(backend: Backend) {
    let db = fresh_database(backend).await;
    let dir = Scratch::new();
    ok(&["workspace", "create", "acme"], &db.url);
    define_field(&db.url, "acme", "lead_source", "text").await;
    let csv = dir.file(
        "companies.csv",
        "Company Name,Web Site,Company Domain,Head-count,Annual Revenue,City,country,Tags,Lead Source\n\
         Acme,https://acme.com,https://www.Acme.com/,120,\"$1,500,000\",Paris,FR,vip;tier:gold,web\n\
         Acme Again,,ACME.COM,51-200,,,,,\n\
         Acme Third,,acme.com.,,,,,,\n\
         Globex,,globex.com,,,,,,\n\
         Initech,,initech.com;initech.io,,,,,,\n\
         Bad Domain,,nodots,,,,,,\n\
         Initech IO,,INITECH.IO,,,,,,\n",
    );
    let (created, existing, failed, stderr) = import(&csv, "acme", &db.url, &[]);
    assert_eq!((created, existing, failed), (3, 3, 1), "{stderr}");
    assert!(
        stderr.contains("Lead Source -> custom_fields.lead_source"),
        "{stderr}"
    );
    let errors_path = dir.path("companies.csv.errors.ndjson");
    assert!(
        stderr.contains(&format!("(errors in {})", errors_path.display())),
        "{stderr}"
    );
    let errors = error_lines(&errors_path);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["line"], 7);
    assert_eq!(errors[0]["row"]["Company Name"], "Bad Domain");
    assert_eq!(errors[0]["error"]["field"], "domains[0]");
    assert_eq!(errors[0]["error"]["value"], "nodots");

    let stored = accounts("acme", &db.url);
    assert_eq!(stored.len(), 3);
    let acme = by_name(&stored, "Acme");
    assert_eq!(acme["domains"], json!(["acme.com"]));
    assert_eq!(acme["websites"][0]["url"], "https://acme.com");
    assert_eq!(acme["number_of_employees"], 120);
    assert_eq!(acme["annual_revenue"].as_f64(), Some(1_500_000.0));
    assert_eq!(acme["addresses"][0]["city"], "Paris");
    assert_eq!(acme["custom_fields"], json!({"lead_source": "web"}));
    assert_eq!(
        by_name(&stored, "Initech")["domains"],
        json!(["initech.com", "initech.io"])
    );

    // Again, in batches of two: every row now matches a stored account.
    let (created, existing, failed, stderr) = import(&csv, "acme", &db.url, &["--batch", "2"]);
    assert_eq!((created, existing, failed), (0, 6, 1), "{stderr}");
    assert_eq!(accounts("acme", &db.url).len(), 3);

    // Without dedupe a taken domain is a conflict, and a clean run leaves no errors file.
    let more = dir.file(
        "more.csv",
        "name,domain\nAcme Dup,acme.com\nHooli,hooli.com\n",
    );
    let errors_path = dir.path("more-errors.ndjson");
    let errors_arg = errors_path.to_str().expect("path");
    let (created, existing, failed, stderr) = import(
        &more,
        "acme",
        &db.url,
        &["--no-dedupe", "--errors", errors_arg],
    );
    assert_eq!((created, existing, failed), (1, 0, 1), "{stderr}");
    assert_eq!(error_lines(&errors_path)[0]["line"], 2);
    let clean = dir.file("clean.csv", "name,domain\nUmbrella,umbrella.com\n");
    let (created, _, failed, stderr) = import(&clean, "acme", &db.url, &[]);
    assert_eq!((created, failed), (1, 0), "{stderr}");
    assert!(!stderr.contains("errors in"), "{stderr}");
    assert!(!dir.path("clean.csv.errors.ndjson").exists());

    // A column naming no defined custom field is ignored, and the summary says so.
    let extra = dir.file(
        "extra.csv",
        "name,domain,Colour\nPied Piper,piedpiper.com,red\n",
    );
    let (created, _, failed, stderr) = import(&extra, "acme", &db.url, &[]);
    assert_eq!((created, failed), (1, 0), "{stderr}");
    assert!(stderr.contains("ignored columns: Colour"), "{stderr}");
    let piper = accounts("acme", &db.url);
    assert_eq!(by_name(&piper, "Pied Piper")["custom_fields"], json!({}));
}

#[tokio::test]
async fn csv_headers_and_domain_spellings_sqlite() {
    csv_headers_and_domain_spellings(Backend::Sqlite).await;
}

#[tokio::test]
async fn csv_headers_and_domain_spellings_postgres() {
    csv_headers_and_domain_spellings(Backend::Postgres).await;
}

async fn ndjson_import(backend: Backend) {
    let db = fresh_database(backend).await;
    let dir = Scratch::new();
    ok(&["workspace", "create", "acme"], &db.url);
    let file = dir.file(
        "accounts.jsonl",
        "{\"name\": \"N1\", \"domains\": [\"n1.com\"], \"industry\": \"Software\"}\n\
         \n\
         {\"name\": \"N1 again\", \"domains\": [\"https://WWW.N1.COM/x\"]}\n\
         not json\n\
         {\"name\": \"N3\", \"domains\": [\"n3.com\"], \"bogus\": 1}\n\
         {\"name\": \"N4\", \"external_refs\": [\"crm-4\"], \"tags\": [\"vip\"]}\n",
    );
    let errors_path = dir.path("failed.ndjson");
    let (created, existing, failed, stderr) = import(
        &file,
        "acme",
        &db.url,
        &["--errors", errors_path.to_str().expect("path")],
    );
    assert_eq!((created, existing, failed), (2, 1, 2), "{stderr}");
    let errors = error_lines(&errors_path);
    let lines: Vec<&Value> = errors.iter().map(|e| &e["line"]).collect();
    assert_eq!(lines, [&json!(4), &json!(5)]);
    assert_eq!(errors[0]["row"], "not json");
    assert_eq!(errors[0]["error"]["type"], "invalid_json");
    assert!(
        errors[1]["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("bogus")),
        "{}",
        errors[1]
    );
    let stored = accounts("acme", &db.url);
    assert_eq!(stored.len(), 2);
    assert_eq!(by_name(&stored, "N1")["industry"], "Software");
    assert_eq!(by_name(&stored, "N4")["external_refs"], json!(["crm-4"]));
}

#[tokio::test]
async fn ndjson_import_sqlite() {
    ndjson_import(Backend::Sqlite).await;
}

#[tokio::test]
async fn ndjson_import_postgres() {
    ndjson_import(Backend::Postgres).await;
}

/// The fields an export carries over to another workspace.
fn essentials(mut accounts: Vec<Value>) -> Vec<Value> {
    accounts.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    accounts
        .iter()
        .map(|a| {
            json!({
                "name": a["name"], "domains": a["domains"], "websites": a["websites"],
                "industry": a["industry"], "company_size": a["company_size"],
                "number_of_employees": a["number_of_employees"],
                "annual_revenue": a["annual_revenue"], "stage": a["stage"],
                "tags": a["tags"].as_array().map(|t| t.iter().map(|t| json!([t["name"], t["value"]])).collect::<Vec<_>>()),
                "external_refs": a["external_refs"], "custom_fields": a["custom_fields"],
                "description": a["description"], "city": a["addresses"][0]["city"],
                "phone": a["phone_numbers"][0]["number"],
            })
        })
        .collect()
}

async fn export_round_trips(backend: Backend) {
    let db = fresh_database(backend).await;
    let dir = Scratch::new();
    for ws in ["src", "from-csv", "from-ndjson"] {
        ok(&["workspace", "create", ws], &db.url);
        define_field(&db.url, ws, "segment", "text").await;
        define_field(&db.url, ws, "score", "integer").await;
    }
    let source = dir.file(
        "source.ndjson",
        &[
            json!({"name": "Acme, \"Inc\"", "domains": ["acme.com", "acme.io"], "websites": ["https://acme.com"],
                   "industry": "Software", "number_of_employees": 120, "annual_revenue": 1234.5, "stage": "customer",
                   "tags": ["vip", {"name": "tier", "value": "gold"}], "external_refs": ["sf-1"],
                   "custom_fields": {"segment": "smb", "score": 7}, "description": "two\nlines",
                   "phone_numbers": ["+1 415 555 2671"], "addresses": [{"city": "Springfield", "country": "US"}]}),
            json!({"name": "Globex", "domains": ["globex.com"], "company_size": "1001-5000"}),
            json!({"name": "No Domain Co"}),
        ]
        .iter()
        .map(|v| format!("{v}\n"))
        .collect::<String>(),
    );
    let (created, _, failed, stderr) = import(&source, "src", &db.url, &[]);
    assert_eq!((created, failed), (3, 0), "{stderr}");

    let csv = dir.path("out.csv");
    let (stdout, stderr) = ok(
        &[
            "export",
            "--workspace",
            "src",
            "--output",
            csv.to_str().expect("path"),
        ],
        &db.url,
    );
    assert!(stdout.is_empty());
    assert!(stderr.contains("exported 3 accounts"), "{stderr}");
    let text = std::fs::read_to_string(&csv).expect("export file");
    assert!(
        text.starts_with("id,display_id,name,domains,"),
        "CSV by extension: {text}"
    );
    let (created, existing, failed, stderr) = import(&csv, "from-csv", &db.url, &[]);
    assert_eq!((created, existing, failed), (3, 0, 0), "{stderr}");
    assert!(
        stderr.contains("ignored columns: id, display_id, owners, created_at"),
        "{stderr}"
    );

    let ndjson = dir.path("out.ndjson");
    ok(
        &[
            "export",
            "--workspace",
            "src",
            "--format",
            "ndjson",
            "--output",
            ndjson.to_str().expect("path"),
        ],
        &db.url,
    );
    let (created, _, failed, stderr) = import(&ndjson, "from-ndjson", &db.url, &[]);
    assert_eq!((created, failed), (3, 0), "{stderr}");

    let original = essentials(accounts("src", &db.url));
    assert_eq!(essentials(accounts("from-csv", &db.url)), original);
    assert_eq!(essentials(accounts("from-ndjson", &db.url)), original);
}

#[tokio::test]
async fn export_round_trips_sqlite() {
    export_round_trips(Backend::Sqlite).await;
}

#[tokio::test]
async fn export_round_trips_postgres() {
    export_round_trips(Backend::Postgres).await;
}

#[tokio::test]
async fn unreadable_input_fails_the_command() {
    let db = fresh_database(Backend::Sqlite).await;
    let dir = Scratch::new();
    ok(&["workspace", "create", "acme"], &db.url);
    let missing = dir.path("missing.csv");
    let out = run(
        &[
            "import",
            missing.to_str().expect("path"),
            "--workspace",
            "acme",
        ],
        &db.url,
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open"));
    let file = dir.file("a.txt", "name\nA\n");
    let out = run(
        &[
            "import",
            file.to_str().expect("path"),
            "--workspace",
            "acme",
        ],
        &db.url,
    );
    assert!(!out.status.success(), "unknown extension without --format");
    let out = run(
        &[
            "import",
            file.to_str().expect("path"),
            "--workspace",
            "nope",
            "--format",
            "csv",
        ],
        &db.url,
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no workspace 'nope'"));
    let out = run(&["export", "--workspace", "nope"], &db.url);
    assert!(!out.status.success());
}

/// A domain of unique company `i`, spelled one of several ways.
fn spelling(i: usize, variant: usize) -> String {
    match variant % 5 {
        0 => format!("company{i}.example"),
        1 => format!("https://www.Company{i}.example/"),
        2 => format!("COMPANY{i}.EXAMPLE"),
        3 => format!("company{i}.example."),
        _ => format!("http://company{i}.example/about?x=1"),
    }
}

/// 100,000 rows, every tenth a duplicate of an earlier company in another spelling: exactly
/// 90,000 accounts, 10,000 existing.
fn big_csv(dir: &Scratch) -> PathBuf {
    let mut text = String::from("Company,Domain,Industry,Employees\n");
    let mut unique = 0usize;
    for row in 0..100_000usize {
        if row % 10 == 9 {
            let earlier = (row * 7_919) % unique;
            let _ = writeln!(
                text,
                "Company {earlier} copy,{},Retail,",
                spelling(earlier, row / 10 + 1)
            );
        } else {
            let _ = writeln!(
                text,
                "Company {unique},{},Software,{}",
                spelling(unique, 0),
                row % 500 + 1
            );
            unique += 1;
        }
    }
    assert_eq!(unique, 90_000);
    dir.file("big.csv", &text)
}

#[tokio::test]
async fn imports_100k_rows_with_10_percent_duplicates() {
    let db = fresh_database(Backend::Sqlite).await;
    let dir = Scratch::new();
    ok(&["workspace", "create", "big"], &db.url);
    let file = big_csv(&dir);
    let started = Instant::now();
    let (created, existing, failed, stderr) = import(&file, "big", &db.url, &[]);
    let import_secs = started.elapsed().as_secs_f64();
    assert_eq!((created, existing, failed), (90_000, 10_000, 0), "{stderr}");
    println!("import of 100,000 rows on SQLite: {import_secs:.1} s");

    let out = dir.path("big-export.csv");
    let started = Instant::now();
    ok(
        &[
            "export",
            "--workspace",
            "big",
            "--output",
            out.to_str().expect("path"),
        ],
        &db.url,
    );
    let export_secs = started.elapsed().as_secs_f64();
    let rows = std::fs::read_to_string(&out)
        .expect("export")
        .lines()
        .count()
        - 1;
    assert_eq!(rows, 90_000, "the store holds exactly the unique accounts");
    println!("export of 90,000 accounts on SQLite: {export_secs:.1} s");
}
