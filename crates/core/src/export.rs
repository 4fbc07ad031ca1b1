//! Export encodings shared by `GET /v1/accounts/export` and `orgstore export`: NDJSON (one
//! account per line, the same JSON as `GET /v1/accounts/{id}`) and CSV with the stable column
//! set [`CSV_COLUMNS`] and a header row.
//!
//! CSV is lossy by design (one phone number, one address) but round-trips through
//! `orgstore import`: list cells are joined with `;`, tags are `name` or `name:value`, and
//! `custom_fields` is the JSON object text. Columns are only ever appended, never renamed or
//! reordered, so that spreadsheets and scripts built on an export keep working.

use std::io::{self, Write};

use crate::model::Account;
use crate::schema::account_fields::{FieldKey, account_fields};

/// The CSV columns, in order: those the registry of account fields gives each exported field
/// (`phone_numbers` is the first number's `phone`, `addresses` the first address's parts).
/// `id`, `display_id`, `owners` and the timestamps describe the source workspace and are
/// ignored by `orgstore import`.
pub use crate::schema::account_fields::CSV_COLUMNS;

/// Separator of list cells (`domains`, `websites`, `owners`, `tags`, `external_refs`).
pub const LIST_SEPARATOR: &str = ";";

/// An export encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Ndjson,
    Csv,
}

impl ExportFormat {
    /// `ndjson` or `csv` (case-insensitive); `None` for anything else.
    pub fn parse(text: &str) -> Option<ExportFormat> {
        match text.trim().to_ascii_lowercase().as_str() {
            "ndjson" | "jsonl" => Some(ExportFormat::Ndjson),
            "csv" => Some(ExportFormat::Csv),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Ndjson => "ndjson",
            ExportFormat::Csv => "csv",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Ndjson => "application/x-ndjson",
            ExportFormat::Csv => "text/csv; charset=utf-8",
        }
    }

    /// The file name a download suggests.
    pub fn file_name(self) -> &'static str {
        match self {
            ExportFormat::Ndjson => "accounts.ndjson",
            ExportFormat::Csv => "accounts.csv",
        }
    }
}

enum Sink<W: Write> {
    Ndjson(W),
    Csv(Box<csv::Writer<W>>),
}

/// Writes accounts in one [`ExportFormat`].
pub struct ExportWriter<W: Write> {
    sink: Sink<W>,
}

impl<W: Write> ExportWriter<W> {
    /// A writer that starts with the CSV header, so that an empty export is still a valid CSV
    /// file.
    pub fn new(format: ExportFormat, out: W) -> io::Result<Self> {
        let mut writer = Self::without_header(format, out);
        if let Sink::Csv(csv) = &mut writer.sink {
            csv.write_record(CSV_COLUMNS).map_err(csv_error)?;
        }
        Ok(writer)
    }

    /// A writer that continues a body whose header was already sent.
    pub fn without_header(format: ExportFormat, out: W) -> Self {
        let sink = match format {
            ExportFormat::Ndjson => Sink::Ndjson(out),
            ExportFormat::Csv => Sink::Csv(Box::new(csv::Writer::from_writer(out))),
        };
        ExportWriter { sink }
    }

    pub fn write(&mut self, account: &Account) -> io::Result<()> {
        match &mut self.sink {
            Sink::Ndjson(out) => {
                serde_json::to_writer(&mut *out, account).map_err(io::Error::other)?;
                out.write_all(b"\n")
            }
            Sink::Csv(writer) => writer.write_record(csv_row(account)).map_err(csv_error),
        }
    }

    pub fn flush(&mut self) -> io::Result<()> {
        match &mut self.sink {
            Sink::Ndjson(out) => out.flush(),
            Sink::Csv(writer) => writer.flush(),
        }
    }

    /// Flushes and returns the underlying writer.
    pub fn into_inner(self) -> io::Result<W> {
        match self.sink {
            Sink::Ndjson(mut out) => {
                out.flush()?;
                Ok(out)
            }
            Sink::Csv(writer) => writer.into_inner().map_err(|e| e.into_error()),
        }
    }
}

/// The start of an export body: the CSV header row, or nothing for NDJSON.
pub fn encode_header(format: ExportFormat) -> io::Result<Vec<u8>> {
    ExportWriter::new(format, Vec::new())?.into_inner()
}

/// Rows that continue an export body started with [`encode_header`]: lets a caller stream an
/// export in chunks without holding more than one chunk.
pub fn encode_rows<'a>(
    format: ExportFormat,
    accounts: impl IntoIterator<Item = &'a Account>,
) -> io::Result<Vec<u8>> {
    let mut writer = ExportWriter::without_header(format, Vec::new());
    for account in accounts {
        writer.write(account)?;
    }
    writer.into_inner()
}

fn csv_error(err: csv::Error) -> io::Error {
    match err.into_kind() {
        csv::ErrorKind::Io(err) => err,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// One account as the cells of [`CSV_COLUMNS`].
pub fn csv_row(a: &Account) -> Vec<String> {
    let mut cells = Vec::with_capacity(CSV_COLUMNS.len());
    for field in account_fields().filter(|f| !f.csv_columns.is_empty()) {
        push_cells(&mut cells, field.key, a);
    }
    cells
}

/// The cells of one exported field, as many as the registry gives it columns.
fn push_cells(cells: &mut Vec<String>, key: FieldKey, a: &Account) {
    let address = a.addresses.first();
    let addr = |f: fn(&crate::model::Address) -> &Option<String>| {
        address.and_then(|x| f(x).clone()).unwrap_or_default()
    };
    let time = crate::time::format_ms;
    match key {
        FieldKey::Id => cells.push(a.id.clone()),
        FieldKey::DisplayId => cells.push(a.display_id.clone()),
        FieldKey::Name => cells.push(a.name.clone()),
        FieldKey::Domains => cells.push(a.domains.join(LIST_SEPARATOR)),
        FieldKey::Websites => cells.push(join(a.websites.iter().map(|w| w.url.as_str()))),
        FieldKey::Industry => cells.push(text(&a.industry)),
        FieldKey::Tier => cells.push(text(&a.tier)),
        FieldKey::CompanySize => cells.push(text(&a.company_size)),
        FieldKey::NumberOfEmployees => cells.push(
            a.number_of_employees
                .map(|n| n.to_string())
                .unwrap_or_default(),
        ),
        FieldKey::AnnualRevenue => {
            cells.push(a.annual_revenue.map(|d| d.to_string()).unwrap_or_default())
        }
        FieldKey::Stage => cells.push(text(&a.stage)),
        FieldKey::Owners => cells.push(a.owners.join(LIST_SEPARATOR)),
        FieldKey::Tags => cells.push(join(a.tags.iter().map(tag_cell))),
        FieldKey::ExternalRefs => cells.push(a.external_refs.join(LIST_SEPARATOR)),
        FieldKey::PhoneNumbers => cells.push(
            a.phone_numbers
                .first()
                .map(|p| p.number.clone())
                .unwrap_or_default(),
        ),
        FieldKey::Addresses => cells.extend([
            addr(|x| &x.street_1),
            addr(|x| &x.city),
            addr(|x| &x.state),
            addr(|x| &x.postal_code),
            addr(|x| &x.country),
        ]),
        FieldKey::Description => cells.push(text(&a.description)),
        FieldKey::CustomFields => cells.push(custom_fields_cell(a)),
        FieldKey::CreatedAt => cells.push(time(a.created_at)),
        FieldKey::UpdatedAt => cells.push(time(a.updated_at)),
        FieldKey::ArchivedAt => cells.push(a.archived_at.map(time).unwrap_or_default()),
        // Not exported today; each has its cell ready, so exporting one is a registry change.
        FieldKey::LastActivityAt => cells.push(a.last_activity_at.map(time).unwrap_or_default()),
        FieldKey::CreatedBy => cells.push(text(&a.created_by)),
        FieldKey::ModifiedBy => cells.push(text(&a.modified_by)),
        FieldKey::WorkspaceId => cells.push(a.workspace_id.clone()),
        FieldKey::Version => cells.push(a.version.to_string()),
        FieldKey::ContactCount => cells.push(a.contact_count.to_string()),
        FieldKey::OpenOpportunityCount => cells.push(a.open_opportunity_count.to_string()),
        FieldKey::OpenCaseCount => cells.push(a.open_case_count.to_string()),
        FieldKey::Artifacts => cells.push(a.artifacts.join(LIST_SEPARATOR)),
        FieldKey::RemoteData => cells.push(
            a.remote_data
                .as_ref()
                .map(|v| v.to_string())
                .unwrap_or_default(),
        ),
    }
}

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

fn join<S: AsRef<str>>(items: impl Iterator<Item = S>) -> String {
    let mut out = String::new();
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push_str(LIST_SEPARATOR);
        }
        out.push_str(item.as_ref());
    }
    out
}

/// `name`, or `name:value` when the account gives the tag a value.
fn tag_cell(tag: &crate::model::AccountTag) -> String {
    match &tag.value {
        Some(value) => format!("{}:{value}", tag.name),
        None => tag.name.clone(),
    }
}

/// The JSON object text, or empty when there are no custom fields.
fn custom_fields_cell(a: &Account) -> String {
    if a.custom_fields.is_empty() {
        String::new()
    } else {
        serde_json::Value::Object(a.custom_fields.clone()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AccountTag, Address, AddressType, Website};
    use serde_json::json;

    fn account() -> Account {
        Account {
            id: "acc_1".into(),
            display_id: "ACC-1".into(),
            workspace_id: "ws_1".into(),
            name: "Acme, Inc.".into(),
            description: Some("line one\nline \"two\"".into()),
            domains: vec!["acme.com".into(), "acme.io".into()],
            websites: vec![Website {
                url: "https://acme.com".into(),
                kind: None,
            }],
            industry: Some("Software".into()),
            tier: None,
            company_size: Some("51-200".into()),
            number_of_employees: Some(120),
            annual_revenue: Some(rust_decimal::Decimal::new(123_450, 2)),
            stage: None,
            owners: vec![],
            phone_numbers: vec![],
            addresses: vec![Address {
                id: "adr_1".into(),
                kind: AddressType::Other,
                street_1: None,
                street_2: None,
                city: Some("Berlin".into()),
                state: None,
                postal_code: None,
                country: Some("DE".into()),
            }],
            tags: vec![
                AccountTag {
                    id: "tag_1".into(),
                    name: "vip".into(),
                    value: None,
                },
                AccountTag {
                    id: "tag_2".into(),
                    name: "tier".into(),
                    value: Some("gold".into()),
                },
            ],
            external_refs: vec!["sf-1".into()],
            custom_fields: json!({"segment": "smb"})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            artifacts: vec![],
            remote_data: None,
            created_at: 1_700_000_000_000,
            updated_at: 1_700_000_000_000,
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

    #[test]
    fn csv_has_header_and_quotes() {
        let mut w = ExportWriter::new(ExportFormat::Csv, Vec::new()).expect("writer");
        w.write(&account()).expect("write");
        let bytes = w.into_inner().expect("flush");
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let header: Vec<String> = reader
            .headers()
            .expect("header")
            .iter()
            .map(String::from)
            .collect();
        assert_eq!(header, CSV_COLUMNS);
        assert_eq!(csv_row(&account()).len(), CSV_COLUMNS.len());
        let row = reader.records().next().expect("row").expect("parses");
        assert_eq!(&row[2], "Acme, Inc.");
        assert_eq!(&row[3], "acme.com;acme.io");
        assert_eq!(&row[9], "1234.50");
        assert_eq!(&row[12], "vip;tier:gold");
        assert_eq!(&row[19], "DE");
        assert_eq!(&row[20], "line one\nline \"two\"");
        assert_eq!(&row[21], r#"{"segment":"smb"}"#);
        assert_eq!(&row[22], "2023-11-14T22:13:20.000Z");
        assert_eq!(&row[24], "");
    }

    #[test]
    fn ndjson_is_one_account_per_line() {
        let bytes = encode_rows(ExportFormat::Ndjson, &[account(), account()]).expect("rows");
        let text = String::from_utf8(bytes).expect("utf-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        let value: serde_json::Value = serde_json::from_str(lines[0]).expect("json");
        assert_eq!(value["domains"], json!(["acme.com", "acme.io"]));
        assert!(
            encode_header(ExportFormat::Ndjson)
                .expect("header")
                .is_empty()
        );
    }

    #[test]
    fn empty_csv_export_is_a_header() {
        let bytes = encode_header(ExportFormat::Csv).expect("header");
        assert_eq!(
            String::from_utf8(bytes).expect("utf-8"),
            format!("{}\n", CSV_COLUMNS.join(","))
        );
    }

    #[test]
    fn formats_parse() {
        assert_eq!(ExportFormat::parse("CSV"), Some(ExportFormat::Csv));
        assert_eq!(ExportFormat::parse("ndjson"), Some(ExportFormat::Ndjson));
        assert_eq!(ExportFormat::parse("xml"), None);
    }
}
