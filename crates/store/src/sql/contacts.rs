//! Contacts: the [`Kind`] for the generic statements of [`super::related`], their emails as
//! rows of `contact_emails` (an index lookup for `email=`), and linking from the account side.

use orgstore_core::model::{Contact, ContactData};
use orgstore_core::related::RelatedListQuery;
use orgstore_core::schema::SchemaObject;
use orgstore_core::time::now_ms;
use orgstore_core::{Error, Result};
use serde::de::DeserializeOwned;

use super::related::{self, Kind, account_exists};
use super::{Param, Row, SqlBuilder, Tx, decode_error};

pub(crate) struct Contacts;

fn json<T: DeserializeOwned>(what: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| decode_error(what, e))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(Error::internal)
}

/// What `q` matches: the lowercased names and emails, one per line.
fn search_text(data: &ContactData) -> String {
    let names = [&data.first_name, &data.last_name]
        .into_iter()
        .flatten()
        .map(|n| n.to_lowercase())
        .collect::<Vec<_>>()
        .join(" ");
    let mut text = names;
    for email in &data.emails {
        text.push('\n');
        text.push_str(email);
    }
    text
}

impl Kind for Contacts {
    type Record = Contact;
    type Data = ContactData;
    const TABLE: &'static str = "contacts";
    const PREFIX: &'static str = orgstore_core::ids::CONTACT;
    const RESOURCE: &'static str = "contact";
    const COLUMNS: &'static [&'static str] = &[
        "first_name",
        "last_name",
        "emails",
        "phone_numbers",
        "title",
        "stage",
        "account_id",
        "custom_fields",
        "search_text",
    ];

    fn params(data: &ContactData) -> Result<Vec<Param<'_>>> {
        Ok(vec![
            data.first_name.as_ref().into(),
            data.last_name.as_ref().into(),
            to_json(&data.emails)?.into(),
            to_json(&data.phone_numbers)?.into(),
            data.title.as_ref().into(),
            data.stage.as_ref().into(),
            data.account_id.as_ref().into(),
            to_json(&data.custom_fields)?.into(),
            search_text(data).into(),
        ])
    }

    fn decode<R: Row>(mut r: R) -> Result<Contact> {
        Ok(Contact {
            id: r.text(0)?,
            workspace_id: r.text(1)?,
            created_at: r.int(2)?,
            updated_at: r.int(3)?,
            created_by: r.opt_text(4)?,
            modified_by: r.opt_text(5)?,
            version: r.int(6)?,
            first_name: r.opt_text(7)?,
            last_name: r.opt_text(8)?,
            emails: json("emails", &r.text(9)?)?,
            phone_numbers: json("phone_numbers", &r.text(10)?)?,
            title: r.opt_text(11)?,
            stage: r.opt_text(12)?,
            account_id: r.opt_text(13)?,
            custom_fields: json("custom_fields", &r.text(14)?)?,
        })
    }

    fn account_id(data: &ContactData) -> Option<&str> {
        data.account_id.as_deref()
    }

    fn linked_account(record: &Contact) -> Option<&str> {
        record.account_id.as_deref()
    }

    fn version(record: &Contact) -> i64 {
        record.version
    }

    async fn write_children<T: Tx>(
        tx: &mut T,
        ws: &str,
        id: &str,
        data: Option<&ContactData>,
    ) -> Result<()> {
        if let Some(stage) = data.and_then(|d| d.stage.as_deref()) {
            super::directory::check_stage_exists(tx, ws, stage).await?;
        }
        // Unique custom values: a rewrite releases the old claims and claims the new values;
        // a delete (no data) only releases.
        super::schema::release_values(tx, ws, id).await?;
        if let Some(data) = data {
            super::schema::claim_values(tx, ws, SchemaObject::Contacts, id, &data.custom_fields)
                .await?;
        }
        tx.execute(
            "DELETE FROM contact_emails WHERE workspace_id = $1 AND contact_id = $2",
            &[ws.into(), id.into()],
        )
        .await?;
        let emails = data.map(|d| d.emails.as_slice()).unwrap_or_default();
        if emails.is_empty() {
            return Ok(());
        }
        let mut q =
            SqlBuilder::new("INSERT INTO contact_emails (workspace_id, contact_id, email) VALUES ");
        q.values_rows(emails.iter().map(|e| [ws.into(), id.into(), e.into()]));
        tx.execute(&q.sql, &q.params).await?;
        Ok(())
    }
}

/// One account's contacts; `None` when the workspace has no such account.
pub(crate) async fn list_for_account<T: Tx>(
    tx: &mut T,
    ws: &str,
    account_id: &str,
    query: &RelatedListQuery,
) -> Result<Option<Vec<Contact>>> {
    let found = tx
        .query(
            "SELECT 1 FROM accounts WHERE workspace_id = $1 AND id = $2",
            &[ws.into(), account_id.into()],
        )
        .await?;
    if found.is_empty() {
        return Ok(None);
    }
    let mut query = query.clone();
    query.filter.account_id = Some(account_id.to_string());
    related::list::<Contacts, T>(tx, ws, &query).await.map(Some)
}

/// Links the contact to the account, moving it from any other; linking it where it already
/// is changes nothing. Both accounts get a new last activity, locked before the contact (the
/// lock order of an account delete).
pub(crate) async fn link<T: Tx>(
    tx: &mut T,
    ws: &str,
    account_id: &str,
    contact_id: &str,
    actor: &str,
) -> Result<Contact> {
    let previous = linked_account(tx, ws, contact_id).await?;
    if previous
        .as_ref()
        .is_some_and(|p| p.as_deref() == Some(account_id))
    {
        if !account_exists(tx, ws, account_id).await? {
            return Err(Error::not_found("account", account_id));
        }
        return read(tx, ws, contact_id).await;
    }
    let mut accounts = vec![account_id];
    accounts.extend(previous.as_ref().and_then(|p| p.as_deref()));
    let touched = related::touch_accounts(tx, ws, &accounts).await?;
    if !touched.iter().any(|t| t == account_id) {
        return Err(Error::not_found("account", account_id));
    }
    if previous.is_none() {
        // The error rolls the account's new last activity back.
        return Err(Error::not_found("contact", contact_id));
    }
    tx.execute(
        "UPDATE contacts SET account_id = $1, updated_at = $2, modified_by = $3, \
         version = version + 1 WHERE workspace_id = $4 AND id = $5 \
         AND (account_id IS NULL OR account_id <> $1)",
        &[
            account_id.into(),
            now_ms().into(),
            actor.into(),
            ws.into(),
            contact_id.into(),
        ],
    )
    .await?;
    read(tx, ws, contact_id).await
}

/// Unlinks the contact from the account: `NotFound` unless it is linked to that account. The
/// account gets a new last activity, locked before the contact.
pub(crate) async fn unlink<T: Tx>(
    tx: &mut T,
    ws: &str,
    account_id: &str,
    contact_id: &str,
    actor: &str,
) -> Result<Contact> {
    related::touch_accounts(tx, ws, &[account_id]).await?;
    let changed = tx
        .execute(
            "UPDATE contacts SET account_id = NULL, updated_at = $1, modified_by = $2, \
             version = version + 1 WHERE workspace_id = $3 AND id = $4 AND account_id = $5",
            &[
                now_ms().into(),
                actor.into(),
                ws.into(),
                contact_id.into(),
                account_id.into(),
            ],
        )
        .await?;
    if changed == 0 {
        // The error rolls the account's new last activity back.
        return Err(Error::not_found("contact", contact_id));
    }
    read(tx, ws, contact_id).await
}

/// The account the contact is linked to: `None` when there is no such contact.
async fn linked_account<T: Tx>(
    tx: &mut T,
    ws: &str,
    contact_id: &str,
) -> Result<Option<Option<String>>> {
    let rows = tx
        .query(
            "SELECT account_id FROM contacts WHERE workspace_id = $1 AND id = $2",
            &[ws.into(), contact_id.into()],
        )
        .await?;
    rows.into_iter()
        .next()
        .map(|mut r| r.opt_text(0))
        .transpose()
}

async fn read<T: Tx>(tx: &mut T, ws: &str, contact_id: &str) -> Result<Contact> {
    related::get::<Contacts, T>(tx, ws, contact_id)
        .await?
        .ok_or_else(|| Error::not_found("contact", contact_id))
}
