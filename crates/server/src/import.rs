//! `orgstore import FILE`: accounts from a CSV file with a header row or an NDJSON file, written
//! through the service's bulk create a batch at a time, so that a file of any size is streamed
//! and never held in memory.
//!
//! CSV columns are mapped by header name, compared case-insensitively and ignoring spaces,
//! underscores, dashes and dots (see [`target_of`]):
//!
//! | header (any of)                                                        | becomes |
//! |------------------------------------------------------------------------|---------|
//! | name, company, company name, account name, organization, organisation | `name` |
//! | domain, domains, company domain, domain name                           | `domains` (split on `;`, `,` or whitespace) |
//! | website, websites, url, web site, website url, homepage                | `websites` (split the same way) |
//! | industry, sector; tier; stage; description                            | the same field |
//! | employees, number of employees, employee count, headcount, size, company size | a number is `number_of_employees`, anything else (`51-200`, `10,001+`) is `company_size` |
//! | revenue, annual revenue (`$`, `,` stripped; `k`/`m`/`b` suffixes)     | `annual_revenue` |
//! | phone, phone number, phones, telephone, tel                            | `phone_numbers` (split on `;`) |
//! | street, street 1, address, address 1, street address; street 2, address 2 | `addresses[0].street_1` / `street_2` |
//! | city, town; state, region, province; zip, zip code, postal code, postcode; country | `addresses[0].*` |
//! | tags, tag, labels (`;`-separated, `name` or `name:value`)             | `tags` |
//! | external ref(s), external id(s)                                         | `external_refs` (split on `;`) |
//! | custom fields (a JSON object, as `orgstore export` writes it)          | `custom_fields` |
//! | id, display id, owner(s), created at, updated at, archived at, workspace id, version | ignored: they name records of the workspace the file came from |
//! | a header naming a defined, live custom field of accounts               | `custom_fields.<header>` (lowercased, other characters as `_`), the cell coerced to the field's type |
//! | anything else                                                          | ignored, and listed as such in the summary |
//!
//! Custom field cells are coerced by the field's type: number and integer cells are parsed
//! as numbers (`,` thousands separators dropped), boolean cells from true/false, yes/no, y/n
//! or 1/0, multi_select cells split on `;`; other types pass the text on. A cell that does not
//! parse is sent as text, so that the row fails with the field, the value and the type named.
//! The `custom_fields` JSON column and NDJSON lines are sent as they are and validated the
//! same way.
//!
//! So an `orgstore export` CSV imports back: its `id` is ignored (a foreign id belongs in an
//! `external_id` column). NDJSON lines are account objects in the shape of `POST /v1/accounts`;
//! the read-only fields of an exported account (`id`, `display_id`, timestamps, sub-record ids,
//! `e164`) and `owners` (user ids of another workspace) are dropped, so an export imports back.
//!
//! Rows that fail (unreadable, or refused by the service) go to the errors file as NDJSON,
//! `{"line", "row", "error"}`, and the import goes on; only an unreadable file or a failing
//! store stops it.

use orgstore_core::error::Code;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use orgstore_core::Error;
use orgstore_core::auth::Principal;
use orgstore_core::bulk::{BulkRequest, BulkStatus};
use orgstore_core::schema::{FieldType, ObjectSchema, SchemaObject};
use orgstore_core::service::Service;
use serde_json::{Map, Value, json};

use crate::cli::{FileFormat, ImportArgs};

/// Reads the file, writes it batch by batch and prints the summary on stderr.
pub async fn run(service: &Service, args: &ImportArgs) -> anyhow::Result<()> {
    let who = crate::cli_principal(service, &args.workspace).await?;
    let format = choose_format(args)?;
    // Headers map onto the custom fields defined when the import starts.
    let schema = service
        .object_schema(&who, SchemaObject::Accounts)
        .await
        .context("cannot read the schema of accounts")?;
    let mut source = open_source(&args.file, format, &schema)?;
    let errors_path = args
        .errors
        .clone()
        .unwrap_or_else(|| default_errors_path(&args.file));
    let mut errors = ErrorLog::create(&errors_path)?;
    let total_bytes = std::fs::metadata(&args.file).map_or(0, |m| m.len());
    let progress = Progress::new(total_bytes);
    let started = Instant::now();
    let mut tally = Tally::default();
    let batch_size = usize::try_from(args.batch).unwrap_or(1000);
    let outcome = async {
        loop {
            let batch = source.next_batch(batch_size)?;
            if batch.is_empty() {
                return anyhow::Ok(());
            }
            let importer = Importer {
                service,
                who: &who,
                dedupe: !args.no_dedupe,
            };
            importer.import(batch, &mut errors, &mut tally).await?;
            progress.update(source.position(), tally.rows(), started);
        }
    }
    .await;
    progress.finish();
    let errors_kept = errors.finish()?;
    report(&tally, started, errors_kept.then_some(&errors_path));
    let ignored = source.ignored_columns();
    if !ignored.is_empty() {
        eprintln!("ignored columns: {}", ignored.join(", "));
    }
    outcome
}

/// `--format`, else the file's extension.
fn choose_format(args: &ImportArgs) -> anyhow::Result<FileFormat> {
    args.format
        .or_else(|| FileFormat::from_path(&args.file))
        .with_context(|| {
            format!(
                "cannot tell the format of {} from its extension; pass --format csv or --format ndjson",
                args.file.display()
            )
        })
}

/// `FILE.errors.ndjson` next to the file.
fn default_errors_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".errors.ndjson");
    PathBuf::from(name)
}

fn open_source(
    path: &Path,
    format: FileFormat,
    schema: &ObjectSchema,
) -> anyhow::Result<Box<dyn RowSource>> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let reader = BufReader::with_capacity(1 << 20, file);
    Ok(match format {
        FileFormat::Csv => {
            let source = CsvSource::new(reader, schema)
                .with_context(|| format!("cannot read the CSV header of {}", path.display()))?;
            eprint!("{}", source.describe());
            Box::new(source)
        }
        FileFormat::Ndjson => Box::new(NdjsonSource::new(reader)),
    })
}

/// Created, existing and failed rows so far.
#[derive(Debug, Default)]
struct Tally {
    created: u64,
    existing: u64,
    failed: u64,
}

impl Tally {
    fn rows(&self) -> u64 {
        self.created + self.existing + self.failed
    }
}

fn report(tally: &Tally, started: Instant, errors: Option<&PathBuf>) {
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "read {} rows in {secs:.1} s ({:.0} rows/s)",
        tally.rows(),
        tally.rows() as f64 / secs.max(1e-9)
    );
    let mut line = format!(
        "created {}, existing {}, failed {}",
        tally.created, tally.existing, tally.failed
    );
    if let Some(path) = errors {
        line.push_str(&format!(" (errors in {})", path.display()));
    }
    eprintln!("{line}");
}

// ---------------------------------------------------------------------------------------------
// Writing batches

/// Sends batches to the service and sorts the results.
struct Importer<'a> {
    service: &'a Service,
    who: &'a Principal,
    dedupe: bool,
}

impl Importer<'_> {
    /// Writes one batch; rows that could not be read, and rows the service refused, go to the
    /// errors file. Only a failure of the whole batch (the store) is an error.
    async fn import(
        &self,
        batch: Vec<Row>,
        errors: &mut ErrorLog,
        tally: &mut Tally,
    ) -> anyhow::Result<()> {
        let mut sent = Vec::with_capacity(batch.len());
        let mut accounts = Vec::with_capacity(batch.len());
        for row in batch {
            match row.body {
                Ok(body) => {
                    accounts.push(body);
                    sent.push((row.line, row.raw));
                }
                Err(err) => {
                    tally.failed += 1;
                    errors.write(row.line, &row.raw, &err)?;
                }
            }
        }
        if accounts.is_empty() {
            return Ok(());
        }
        let request = BulkRequest {
            accounts,
            dedupe: self.dedupe,
            append_tags: vec![],
            atomic: false,
        };
        let response = self
            .service
            .bulk_create(self.who, request)
            .await
            .context("the store failed to write a batch")?;
        for result in response.results {
            match result.status {
                BulkStatus::Created => tally.created += 1,
                BulkStatus::Existing => tally.existing += 1,
                BulkStatus::Error => {
                    tally.failed += 1;
                    let err = result
                        .error
                        .unwrap_or_else(|| Error::internal("the row failed without an error"));
                    let (line, raw) = sent
                        .get(result.index)
                        .map_or((0, &Value::Null), |s| (s.0, &s.1));
                    errors.write(line, raw, &err)?;
                }
            }
        }
        Ok(())
    }
}

/// The errors file: one NDJSON line per failed row. It is created (emptied) at the start so
/// that no stale failures from an earlier run remain, and removed when nothing failed.
struct ErrorLog {
    path: PathBuf,
    out: BufWriter<File>,
    count: u64,
}

impl ErrorLog {
    fn create(path: &Path) -> anyhow::Result<Self> {
        let file = File::create(path)
            .with_context(|| format!("cannot create the errors file {}", path.display()))?;
        Ok(ErrorLog {
            path: path.to_path_buf(),
            out: BufWriter::new(file),
            count: 0,
        })
    }

    fn write(&mut self, line: u64, row: &Value, err: &Error) -> anyhow::Result<()> {
        let entry = json!({"line": line, "row": row, "error": row_error(err)});
        serde_json::to_writer(&mut self.out, &entry)
            .map_err(std::io::Error::other)
            .and_then(|()| self.out.write_all(b"\n"))
            .with_context(|| format!("cannot write to {}", self.path.display()))?;
        self.count += 1;
        Ok(())
    }

    /// Flushes; returns whether the file holds any failures (it is removed otherwise).
    fn finish(mut self) -> anyhow::Result<bool> {
        self.out
            .flush()
            .with_context(|| format!("cannot write to {}", self.path.display()))?;
        if self.count == 0 {
            drop(self.out);
            let _ = std::fs::remove_file(&self.path);
        }
        Ok(self.count > 0)
    }
}

/// The native error object, with its field named from the row (`domains[1]`) rather than from
/// the bulk request the row travelled in (`accounts[17].domains[1]`).
fn row_error(err: &Error) -> Value {
    let mut body = orgstore_api::native::error_body(err)["error"].take();
    if let Some(obj) = body.as_object_mut()
        && let Some(field) = obj.get("field").and_then(Value::as_str)
    {
        match relative_field(field) {
            Some(rest) if !rest.is_empty() => {
                obj.insert("field".into(), json!(rest));
            }
            Some(_) => {
                obj.remove("field");
            }
            None => {}
        }
    }
    body
}

/// `accounts[3].domains[0]` -> `domains[0]`; `accounts[3]` -> ``; anything else -> `None`.
fn relative_field(field: &str) -> Option<&str> {
    let rest = field.strip_prefix("accounts[")?;
    let (index, rest) = rest.split_once(']')?;
    if index.is_empty() || !index.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(rest.strip_prefix('.').unwrap_or(rest))
}

// ---------------------------------------------------------------------------------------------
// Progress

/// A progress bar on stderr when it is a terminal; nothing otherwise (logs and pipes stay clean).
struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    fn new(total_bytes: u64) -> Self {
        if !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let style = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] [{wide_bar}] {bytes}/{total_bytes} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        let bar = ProgressBar::new(total_bytes).with_style(style);
        Progress { bar: Some(bar) }
    }

    fn update(&self, bytes: u64, rows: u64, started: Instant) {
        if let Some(bar) = &self.bar {
            let rate = rows as f64 / started.elapsed().as_secs_f64().max(1e-9);
            bar.set_position(bytes);
            bar.set_message(format!("{rows} rows, {rate:.0} rows/s"));
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading rows

/// One input row.
struct Row {
    /// The 1-based line of the file where the row starts.
    line: u64,
    /// The row as the file has it: header -> cell for CSV, the line's JSON (or its text) for
    /// NDJSON. Written to the errors file when the row fails.
    raw: Value,
    /// The account body in the shape of `POST /v1/accounts`, or why the row cannot be one.
    body: Result<Value, Error>,
}

/// A file read a batch of rows at a time.
trait RowSource {
    /// Up to `n` rows, fewer only at the end of the file. Only I/O errors are errors; a row
    /// that cannot be parsed is a row with an error.
    fn next_batch(&mut self, n: usize) -> anyhow::Result<Vec<Row>>;

    /// Bytes read so far.
    fn position(&self) -> u64;

    /// The columns that go nowhere, for the summary.
    fn ignored_columns(&self) -> Vec<String> {
        Vec::new()
    }
}

struct CsvSource<R: std::io::Read> {
    reader: csv::Reader<R>,
    headers: Vec<String>,
    targets: Vec<Target>,
    record: csv::StringRecord,
}

impl<R: std::io::Read> CsvSource<R> {
    fn new(input: R, schema: &ObjectSchema) -> anyhow::Result<Self> {
        let mut reader = csv::ReaderBuilder::new().from_reader(input);
        let headers: Vec<String> = reader
            .headers()?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
            .collect();
        let targets = headers
            .iter()
            .map(|h| defined_only(target_of(h), schema))
            .collect();
        Ok(CsvSource {
            reader,
            headers,
            targets,
            record: csv::StringRecord::new(),
        })
    }

    /// Which column goes where, for the user to check.
    fn describe(&self) -> String {
        let mut mapped = Vec::new();
        let mut custom = Vec::new();
        let mut ignored = Vec::new();
        for (header, target) in self.headers.iter().zip(&self.targets) {
            match target {
                Target::Ignored => ignored.push(header.clone()),
                Target::Custom(key, ty) => {
                    custom.push(format!("{header} -> custom_fields.{key} ({})", ty.as_str()))
                }
                other => mapped.push(format!("{header} -> {}", other.label())),
            }
        }
        let mut text = format!("columns: {}\n", list_or_none(&mapped));
        if !custom.is_empty() {
            text.push_str(&format!("custom fields: {}\n", custom.join(", ")));
        }
        if !ignored.is_empty() {
            text.push_str(&format!("ignored columns: {}\n", ignored.join(", ")));
        }
        text
    }

    fn current_row(&self) -> Row {
        let line = self.record.position().map_or(0, |p| p.line());
        let raw: Map<String, Value> = self
            .headers
            .iter()
            .zip(self.record.iter())
            .map(|(h, cell)| (h.clone(), json!(cell)))
            .collect();
        Row {
            line,
            raw: Value::Object(raw),
            body: csv_body(&self.targets, &self.record),
        }
    }
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

impl<R: std::io::Read> RowSource for CsvSource<R> {
    fn next_batch(&mut self, n: usize) -> anyhow::Result<Vec<Row>> {
        let mut rows = Vec::with_capacity(n);
        while rows.len() < n {
            match self.reader.read_record(&mut self.record) {
                Ok(false) => break,
                Ok(true) => rows.push(self.current_row()),
                Err(err) => rows.push(unreadable_csv_row(err)?),
            }
        }
        Ok(rows)
    }

    fn position(&self) -> u64 {
        self.reader.position().byte()
    }

    fn ignored_columns(&self) -> Vec<String> {
        self.headers
            .iter()
            .zip(&self.targets)
            .filter(|(_, t)| matches!(t, Target::Ignored))
            .map(|(h, _)| h.clone())
            .collect()
    }
}

/// A record the CSV reader refused (wrong number of fields, bad UTF-8) is a failed row; an
/// I/O error stops the import.
fn unreadable_csv_row(err: csv::Error) -> anyhow::Result<Row> {
    let line = err.position().map_or(0, |p| p.line());
    let message = match err.kind() {
        csv::ErrorKind::Io(_) => {
            return Err(anyhow::Error::new(err).context("cannot read the file"));
        }
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("the row has {len} fields; the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "the row is not valid UTF-8".to_string(),
        _ => format!("the row is not valid CSV: {err}"),
    };
    Ok(Row {
        line,
        raw: Value::Null,
        body: Err(Error::bad_request(Code::InvalidCsv, message)),
    })
}

struct NdjsonSource<R: BufRead> {
    reader: R,
    line: u64,
    bytes: u64,
    buf: Vec<u8>,
}

impl<R: BufRead> NdjsonSource<R> {
    fn new(reader: R) -> Self {
        NdjsonSource {
            reader,
            line: 0,
            bytes: 0,
            buf: Vec::new(),
        }
    }
}

impl<R: BufRead> RowSource for NdjsonSource<R> {
    fn next_batch(&mut self, n: usize) -> anyhow::Result<Vec<Row>> {
        let mut rows = Vec::with_capacity(n);
        while rows.len() < n {
            self.buf.clear();
            let read = self
                .reader
                .read_until(b'\n', &mut self.buf)
                .context("cannot read the file")?;
            if read == 0 {
                break;
            }
            self.line += 1;
            self.bytes += read as u64;
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            rows.push(ndjson_row(self.line, &self.buf));
        }
        Ok(rows)
    }

    fn position(&self) -> u64 {
        self.bytes
    }
}

fn ndjson_row(line: u64, bytes: &[u8]) -> Row {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim();
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(obj)) => Row {
            line,
            raw: Value::Object(obj.clone()),
            body: Ok(ndjson_body(obj)),
        },
        Ok(other) => Row {
            line,
            raw: other,
            body: Err(Error::bad_request(
                Code::InvalidJson,
                "each line must be a JSON object: one account",
            )),
        },
        Err(err) => Row {
            line,
            raw: json!(text),
            body: Err(Error::bad_request(
                Code::InvalidJson,
                format!("the line is not JSON: {err}"),
            )),
        },
    }
}

/// Fields of an exported account that describe the source workspace, not the account to write.
const READ_ONLY_FIELDS: [&str; 11] = [
    "id",
    "display_id",
    "workspace_id",
    "owners",
    "created_at",
    "updated_at",
    "created_by",
    "modified_by",
    "last_activity_at",
    "archived_at",
    "version",
];

/// An NDJSON account with the read-only parts of an exported account removed. Anything else is
/// passed on, so that an unknown field is reported by the service with its name.
fn ndjson_body(mut obj: Map<String, Value>) -> Value {
    for key in READ_ONLY_FIELDS {
        obj.remove(key);
    }
    // Counts of related records: computed on read, so not part of the account to write.
    for key in ["contact_count", "open_opportunity_count", "open_case_count"] {
        obj.remove(key);
    }
    strip_in_list(&mut obj, "phone_numbers", &["id", "e164"]);
    strip_in_list(&mut obj, "addresses", &["id"]);
    if let Some(Value::Array(tags)) = obj.get_mut("tags") {
        for tag in tags.iter_mut().filter_map(Value::as_object_mut) {
            if tag.contains_key("name") {
                tag.remove("id");
            }
        }
    }
    Value::Object(obj)
}

fn strip_in_list(obj: &mut Map<String, Value>, list: &str, keys: &[&str]) {
    if let Some(Value::Array(items)) = obj.get_mut(list) {
        for item in items.iter_mut().filter_map(Value::as_object_mut) {
            for key in keys {
                item.remove(*key);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Mapping CSV columns

/// Where a CSV column goes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Name,
    Domains,
    Websites,
    Industry,
    Tier,
    Stage,
    Description,
    Employees,
    Revenue,
    Phones,
    Address(&'static str),
    Tags,
    ExternalRefs,
    CustomFieldsJson,
    /// A custom field: its api_name and type once checked against the schema.
    Custom(String, FieldType),
    Ignored,
}

/// Keeps a custom-field column only when it names a live custom field of accounts.
fn defined_only(target: Target, schema: &ObjectSchema) -> Target {
    let Target::Custom(key, _) = target else {
        return target;
    };
    match schema.field(&key) {
        Some(def) if def.is_live() => Target::Custom(key, def.field_type),
        _ => Target::Ignored,
    }
}

/// A cell as a value of the field's type; text that does not parse goes on as text, for the
/// service to refuse with the field and type named.
fn coerce(field_type: FieldType, cell: &str) -> Value {
    let text = || json!(cell);
    match field_type {
        FieldType::Number => {
            let plain = cell.replace(',', "");
            plain
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .and_then(serde_json::Number::from_f64)
                .map_or_else(text, |n| match plain.parse::<i64>() {
                    Ok(i) => json!(i),
                    Err(_) => Value::Number(n),
                })
        }
        FieldType::Integer => cell
            .replace(',', "")
            .parse::<i64>()
            .map_or_else(|_| text(), |i| json!(i)),
        FieldType::Boolean => match cell.to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "1" => json!(true),
            "false" | "no" | "n" | "0" => json!(false),
            _ => text(),
        },
        FieldType::MultiSelect => Value::Array(split_on(cell, ';').collect()),
        _ => text(),
    }
}

impl Target {
    fn label(&self) -> String {
        match self {
            Target::Name => "name".into(),
            Target::Domains => "domains".into(),
            Target::Websites => "websites".into(),
            Target::Industry => "industry".into(),
            Target::Tier => "tier".into(),
            Target::Stage => "stage".into(),
            Target::Description => "description".into(),
            Target::Employees => "number_of_employees/company_size".into(),
            Target::Revenue => "annual_revenue".into(),
            Target::Phones => "phone_numbers".into(),
            Target::Address(field) => format!("addresses[0].{field}"),
            Target::Tags => "tags".into(),
            Target::ExternalRefs => "external_refs".into(),
            Target::CustomFieldsJson => "custom_fields".into(),
            Target::Custom(key, _) => format!("custom_fields.{key}"),
            Target::Ignored => "(ignored)".into(),
        }
    }
}

/// The target of a header: known names case-insensitively, ignoring spaces, `_`, `-` and `.`;
/// other names are custom field candidates (see [`defined_only`]).
fn target_of(header: &str) -> Target {
    let key: String = header
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '.' | '\t'))
        .flat_map(char::to_lowercase)
        .collect();
    match key.as_str() {
        "name" | "company" | "companyname" | "accountname" | "account" | "organization"
        | "organisation" | "organizationname" | "organisationname" => Target::Name,
        "domain" | "domains" | "companydomain" | "domainname" | "companydomainname" => {
            Target::Domains
        }
        "website" | "websites" | "url" | "websiteurl" | "webaddress" | "homepage" => {
            Target::Websites
        }
        "industry" | "sector" => Target::Industry,
        "tier" => Target::Tier,
        "stage" => Target::Stage,
        "description" | "about" => Target::Description,
        "employees" | "numberofemployees" | "employeecount" | "headcount" | "size"
        | "companysize" | "numemployees" => Target::Employees,
        "revenue" | "annualrevenue" => Target::Revenue,
        "phone" | "phonenumber" | "phones" | "phonenumbers" | "telephone" | "tel" => Target::Phones,
        "street" | "street1" | "address" | "address1" | "streetaddress" | "addressline1" => {
            Target::Address("street_1")
        }
        "street2" | "address2" | "addressline2" => Target::Address("street_2"),
        "city" | "town" => Target::Address("city"),
        "state" | "region" | "province" | "stateprovince" | "stateorprovince" => {
            Target::Address("state")
        }
        "zip" | "zipcode" | "postalcode" | "postcode" => Target::Address("postal_code"),
        "country" => Target::Address("country"),
        "tags" | "tag" | "labels" => Target::Tags,
        "externalref" | "externalrefs" | "externalid" | "externalids" => Target::ExternalRefs,
        "customfields" => Target::CustomFieldsJson,
        "id" | "displayid" | "owner" | "owners" | "createdat" | "updatedat" | "archivedat"
        | "workspaceid" | "version" => Target::Ignored,
        _ => custom_key(header).map_or(Target::Ignored, |key| Target::Custom(key, FieldType::Text)),
    }
}

/// A custom field name from a header: lowercase letters, digits and `_`, at most 64 bytes.
fn custom_key(header: &str) -> Option<String> {
    let mut key = String::new();
    for c in header.trim().trim_start_matches('\u{feff}').chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c.to_ascii_lowercase());
        } else if !key.is_empty() && !key.ends_with('_') {
            key.push('_');
        }
    }
    let key = key.trim_end_matches('_');
    let key = &key[..key.len().min(64)];
    (!key.is_empty()).then(|| key.to_string())
}

/// An account body under construction from the cells of one row.
#[derive(Default)]
struct Draft {
    fields: Map<String, Value>,
    address: Map<String, Value>,
    custom: Map<String, Value>,
}

impl Draft {
    /// The first non-empty cell of a field wins.
    fn text(&mut self, key: &str, cell: &str) {
        self.fields.entry(key).or_insert_with(|| json!(cell));
    }

    fn extend(&mut self, key: &str, items: impl IntoIterator<Item = Value>) {
        let entry = self.fields.entry(key).or_insert_with(|| json!([]));
        if let Value::Array(list) = entry {
            list.extend(items);
        }
    }

    fn apply(&mut self, target: &Target, cell: &str) -> Result<(), Error> {
        match target {
            Target::Name => self.text("name", cell),
            Target::Domains => self.extend("domains", split_list(cell)),
            Target::Websites => self.extend("websites", split_list(cell)),
            Target::Industry => self.text("industry", cell),
            Target::Tier => self.text("tier", cell),
            Target::Stage => self.text("stage", cell),
            Target::Description => self.text("description", cell),
            Target::Employees => {
                let (key, value) = employees(cell);
                self.fields.entry(key).or_insert(value);
            }
            Target::Revenue => {
                let value = revenue(cell)?;
                self.fields.entry("annual_revenue").or_insert(value);
            }
            Target::Phones => self.extend("phone_numbers", split_on(cell, ';')),
            Target::Address(field) => {
                self.address.entry(*field).or_insert_with(|| json!(cell));
            }
            Target::Tags => self.extend("tags", tags(cell)),
            Target::ExternalRefs => self.extend("external_refs", split_on(cell, ';')),
            Target::CustomFieldsJson => {
                for (key, value) in custom_fields_json(cell)? {
                    self.custom.entry(key).or_insert(value);
                }
            }
            Target::Custom(key, field_type) => {
                self.custom.insert(key.clone(), coerce(*field_type, cell));
            }
            Target::Ignored => {}
        }
        Ok(())
    }

    fn finish(mut self) -> Value {
        // A row without a name is refused by the service with the field named.
        self.fields.entry("name").or_insert_with(|| json!(""));
        if !self.address.is_empty() {
            self.fields
                .insert("addresses".into(), json!([Value::Object(self.address)]));
        }
        if !self.custom.is_empty() {
            self.fields
                .insert("custom_fields".into(), Value::Object(self.custom));
        }
        Value::Object(self.fields)
    }
}

/// The account body of a CSV record. Empty cells are absent values.
fn csv_body(targets: &[Target], record: &csv::StringRecord) -> Result<Value, Error> {
    let mut draft = Draft::default();
    for (target, cell) in targets.iter().zip(record.iter()) {
        let cell = cell.trim();
        if !cell.is_empty() {
            draft.apply(target, cell)?;
        }
    }
    Ok(draft.finish())
}

/// Domains and websites: split on `;`, `,` or whitespace.
fn split_list(cell: &str) -> impl Iterator<Item = Value> + '_ {
    cell.split(|c: char| c == ';' || c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(|s| json!(s))
}

fn split_on(cell: &str, separator: char) -> impl Iterator<Item = Value> + '_ {
    cell.split(separator)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| json!(s))
}

/// `vip;tier:gold` -> `["vip", {"name": "tier", "value": "gold"}]`.
fn tags(cell: &str) -> impl Iterator<Item = Value> + '_ {
    cell.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|tag| match tag.split_once(':') {
            Some((name, value)) if !name.trim().is_empty() => {
                json!({"name": name.trim(), "value": value.trim()})
            }
            _ => json!(tag),
        })
}

/// A head count (`1,200`) is `number_of_employees`; anything else (`51-200`, `10,001+`) is a
/// `company_size` bucket, which the service validates.
fn employees(cell: &str) -> (&'static str, Value) {
    let compact: String = cell
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ',')
        .collect();
    if let Ok(n) = compact.parse::<i64>() {
        return ("number_of_employees", json!(n));
    }
    match compact.parse::<f64>() {
        Ok(n) if n.fract() == 0.0 && n.abs() < 1e15 => ("number_of_employees", json!(n as i64)),
        _ => ("company_size", json!(compact)),
    }
}

/// `1250000`, `$1,250,000`, `1.25M`, `300k` -> a number.
fn revenue(cell: &str) -> Result<Value, Error> {
    let compact: String = cell
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, ',' | '$' | '€' | '£'))
        .collect();
    let (digits, scale) = match compact.char_indices().last() {
        Some((i, 'k' | 'K')) => (&compact[..i], 1e3),
        Some((i, 'm' | 'M')) => (&compact[..i], 1e6),
        Some((i, 'b' | 'B')) => (&compact[..i], 1e9),
        _ => (compact.as_str(), 1.0),
    };
    digits
        .parse::<f64>()
        .ok()
        .map(|v| (v * scale * 100.0).round() / 100.0)
        .filter(|v| v.is_finite())
        .and_then(serde_json::Number::from_f64)
        .map(Value::Number)
        .ok_or_else(|| {
            Error::invalid_value(
                "annual_revenue",
                cell,
                format!("'{cell}' is not an amount such as 1250000, $1,250,000 or 1.25M"),
            )
        })
}

fn custom_fields_json(cell: &str) -> Result<Map<String, Value>, Error> {
    match serde_json::from_str::<Value>(cell) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(Error::invalid_value(
            "custom_fields",
            cell,
            "the custom_fields column holds a JSON object, as orgstore export writes it",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The custom fields of these tests: `segment` (text), `arr` (number), `seats`
    /// (integer), `active` (boolean) and `regions` (multi_select).
    fn schema() -> ObjectSchema {
        let object = SchemaObject::Accounts;
        let fields = [
            ("segment", "text", None),
            ("arr", "number", None),
            ("seats", "integer", None),
            ("active", "boolean", None),
            (
                "regions",
                "multi_select",
                Some(vec!["emea".to_string(), "amer".to_string()]),
            ),
        ]
        .into_iter()
        .map(|(name, ty, options)| {
            orgstore_core::schema::NewCustomField {
                api_name: name.into(),
                field_type: ty.into(),
                options,
                ..Default::default()
            }
            .into_def(object, 0)
            .expect("valid definition")
        })
        .collect();
        ObjectSchema { object, fields }
    }

    fn rows_of(csv: &str) -> Vec<Row> {
        let mut source = CsvSource::new(csv.as_bytes(), &schema()).expect("header");
        source.next_batch(100).expect("rows")
    }

    #[test]
    fn custom_columns_need_a_definition_and_take_its_type() {
        let csv = "name,ARR,Seats,Active,Regions,Segment,Colour\nA,\"1,250.5\",12,yes,emea;amer,smb,red\n";
        let mut source = CsvSource::new(csv.as_bytes(), &schema()).expect("header");
        assert_eq!(source.ignored_columns(), vec!["Colour".to_string()]);
        assert!(
            source
                .describe()
                .contains("ARR -> custom_fields.arr (number)")
        );
        let rows = source.next_batch(10).expect("rows");
        let body = rows[0].body.as_ref().expect("body");
        assert_eq!(
            body["custom_fields"],
            json!({"arr": 1250.5, "seats": 12, "active": true, "regions": ["emea", "amer"], "segment": "smb"})
        );
        // Text that does not parse goes on as text, for the service to refuse by name.
        assert_eq!(coerce(FieldType::Integer, "twelve"), json!("twelve"));
        assert_eq!(coerce(FieldType::Number, "10"), json!(10));
    }

    #[test]
    fn headers_map_loosely() {
        assert_eq!(target_of("Company Name"), Target::Name);
        assert_eq!(target_of("company_domain"), Target::Domains);
        assert_eq!(target_of("Web Site"), Target::Websites);
        assert_eq!(target_of("Employee-Count"), Target::Employees);
        assert_eq!(target_of("Annual Revenue"), Target::Revenue);
        assert_eq!(target_of("ZIP"), Target::Address("postal_code"));
        assert_eq!(target_of("External ID"), Target::ExternalRefs);
        assert_eq!(target_of("id"), Target::Ignored);
        assert_eq!(
            target_of("Lead Source (2024)"),
            Target::Custom("lead_source_2024".into(), FieldType::Text)
        );
        assert_eq!(target_of("!!!"), Target::Ignored);
    }

    #[test]
    fn cells_become_an_account_body() {
        let rows = rows_of(
            "Company,Domains,Employees,Size,Revenue,Phone,City,Country,Tags,Segment,id\n\
             Acme,\"acme.com; www.acme.io,x.org\",\"1,200\",51-200,$1.5M,+1 415 555 2671,Paris,FR,vip;tier:gold,smb,acc_1\n",
        );
        let body = rows[0].body.as_ref().expect("body");
        assert_eq!(
            body,
            &json!({
                "name": "Acme",
                "domains": ["acme.com", "www.acme.io", "x.org"],
                "number_of_employees": 1200,
                "company_size": "51-200",
                "annual_revenue": 1500000.0,
                "phone_numbers": ["+1 415 555 2671"],
                "addresses": [{"city": "Paris", "country": "FR"}],
                "tags": ["vip", {"name": "tier", "value": "gold"}],
                "custom_fields": {"segment": "smb"}
            })
        );
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].raw["id"], "acc_1");
    }

    #[test]
    fn bad_rows_fail_alone() {
        let rows = rows_of("name,revenue\nA,lots\nB\nC,10\n");
        assert_eq!(rows.len(), 3);
        let err = rows[0].body.as_ref().expect_err("bad revenue");
        assert_eq!(err.field(), Some("annual_revenue"));
        assert_eq!(rows[1].line, 3);
        assert_eq!(
            rows[1].body.as_ref().expect_err("short").code(),
            "invalid_csv"
        );
        assert_eq!(rows[2].body.as_ref().expect("ok")["annual_revenue"], 10.0);
    }

    #[test]
    fn exported_csv_maps_back() {
        let header = orgstore_core::export::CSV_COLUMNS.join(",");
        let row = "acc_1,ACC-1,Acme,acme.com;acme.io,https://acme.com,Software,,51-200,120,1234.50,customer,usr_1,vip;tier:gold,sf-1,+1 415 555 2671,1 Main St,Springfield,IL,62701,US,hi,\"{\"\"segment\"\":\"\"smb\"\"}\",2024-01-01T00:00:00.000Z,2024-01-01T00:00:00.000Z,";
        let rows = rows_of(&format!("{header}\n{row}\n"));
        let body = rows[0].body.as_ref().expect("body");
        assert_eq!(body["name"], "Acme");
        assert_eq!(body["domains"], json!(["acme.com", "acme.io"]));
        assert_eq!(body["company_size"], "51-200");
        assert_eq!(body["number_of_employees"], 120);
        assert_eq!(body["custom_fields"], json!({"segment": "smb"}));
        assert_eq!(body["addresses"][0]["street_1"], "1 Main St");
        for absent in ["id", "owners", "created_at", "display_id"] {
            assert!(body.get(absent).is_none(), "{absent}");
        }
    }

    #[test]
    fn ndjson_strips_read_only_fields() {
        let line = br#"{"id":"acc_1","name":"A","owners":["usr_1"],"phone_numbers":[{"id":"phn_1","number":"1","e164":null,"type":"work"}],"tags":[{"id":"tag_1","name":"vip","value":null}],"version":3}"#;
        let row = ndjson_row(7, line);
        assert_eq!(
            row.body.expect("body"),
            json!({"name": "A", "phone_numbers": [{"number": "1", "type": "work"}], "tags": [{"name": "vip", "value": null}]})
        );
        assert_eq!(row.line, 7);
        assert!(ndjson_row(1, b"[1]").body.is_err());
        assert!(ndjson_row(1, b"{nope").body.is_err());
    }

    #[test]
    fn fields_are_named_from_the_row() {
        assert_eq!(relative_field("accounts[3].domains[0]"), Some("domains[0]"));
        assert_eq!(relative_field("accounts[3]"), Some(""));
        assert_eq!(relative_field("domains[0]"), None);
        let err = Error::invalid_value("accounts[12].domains[1]", "x", "bad");
        assert_eq!(row_error(&err)["field"], "domains[1]");
    }

    #[test]
    fn amounts_and_head_counts() {
        assert_eq!(revenue("300k").ok(), Some(json!(300000.0)));
        assert_eq!(revenue("€ 1,234.5").ok(), Some(json!(1234.5)));
        assert!(revenue("n/a").is_err());
        assert_eq!(employees("10,001+"), ("company_size", json!("10001+")));
        assert_eq!(employees("250"), ("number_of_employees", json!(250)));
    }
}
