//! Assert ("upsert"): create the account when nothing matches the key, update it when exactly
//! one account does, fail with `ambiguous_match` when several do. Surfaces call
//! [`Service::assert_account_with`] with an [`AssertCommand`]; the native route decodes its
//! JSON body into one.

use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::Service;
use super::engine::domain_arg;
use crate::auth::{Principal, Scope};
use crate::decode::from_value;
use crate::error::{Code, Error, Result};
use crate::ids;
use crate::model::{Account, AccountData, AccountInput, AccountPatch};
use crate::store::MatchKeys;

/// How often an assert that lost a creation race looks again for the winner.
const ASSERT_ATTEMPTS: usize = 3;

/// The key an assert matches on: one or more of `id`, `external_ref` and `domain`. An account
/// matches when it holds any of them.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchKey {
    pub id: Option<String>,
    pub external_ref: Option<String>,
    /// Any spelling: it is normalized like the domains of an account.
    pub domain: Option<String>,
}

/// The body of `POST /v1/accounts/assert`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssertRequest {
    #[serde(rename = "match")]
    pub key: MatchKey,
    /// An account to create (all of `AccountInput`) or a merge patch for the matched account.
    #[schema(value_type = Object)]
    pub account: Value,
}

/// A typed assert. Each branch's input may already have failed decoding on the surface: the
/// error is reported only when that branch is taken (a body that is a fine patch need not be
/// a complete account).
#[derive(Debug, Clone)]
pub struct AssertCommand {
    pub key: MatchKey,
    /// The account to create when nothing matches; it gets the key's domain (first, as the
    /// primary, unless it has it) and external ref.
    pub create: Result<AccountInput>,
    /// The patch applied to the one matching account.
    pub update: Result<AccountPatch>,
    /// The request field holding the account: errors of its fields are named
    /// `{account_field}.name` (`account.name` natively), or `name` when it is empty. Errors of
    /// the key are named `match.id`, `match.domain`, `match.external_ref`.
    pub account_field: String,
}

/// What an assert did.
#[derive(Debug, Clone, PartialEq)]
pub enum Asserted {
    Created(Account),
    Updated(Account),
}

impl MatchKey {
    pub(super) fn keys(&self) -> Result<MatchKeys> {
        let mut keys = MatchKeys::default();
        if let Some(id) = &self.id {
            ids::check(ids::ACCOUNT, "match.id", id)?;
            keys.ids.push(id.clone());
        }
        if let Some(domain) = &self.domain {
            keys.domains.push(domain_arg("match.domain", domain)?);
        }
        if let Some(external_ref) = &self.external_ref {
            if external_ref.trim().is_empty() {
                return Err(Error::invalid(
                    Code::InvalidValue,
                    "match.external_ref",
                    external_ref.as_str(),
                    "match.external_ref must not be empty",
                ));
            }
            keys.external_refs.push(external_ref.trim().to_string());
        }
        if keys.is_empty() {
            return Err(Error::BadRequest {
                code: Code::MissingField,
                message: "`match` needs at least one of id, external_ref and domain".into(),
                field: Some("match".into()),
                value: None,
            });
        }
        Ok(keys)
    }
}

impl AssertCommand {
    /// The error with its field named inside the account.
    fn within(&self, err: Error) -> Error {
        if self.account_field.is_empty() {
            err
        } else {
            err.within(&self.account_field)
        }
    }

    /// The path of the account's custom fields in the request.
    fn custom_fields_path(&self) -> String {
        if self.account_field.is_empty() {
            "custom_fields".to_string()
        } else {
            format!("{}.custom_fields", self.account_field)
        }
    }

    /// The account to create for an assert that matched nothing: the input, carrying the
    /// match key's domain (first, as the primary, unless it has it) and external ref.
    fn creation_data(&self, keys: &MatchKeys) -> Result<AccountData> {
        let input = self.create.clone()?;
        let mut data = input.normalize().map_err(|e| self.within(e))?;
        for domain in &keys.domains {
            if !data.domains.contains(domain) {
                data.domains.insert(0, domain.clone());
                data.website_domains.retain(|d| d != domain);
            }
        }
        for external_ref in &keys.external_refs {
            if !data.external_refs.contains(external_ref) {
                data.external_refs.push(external_ref.clone());
            }
        }
        Ok(data)
    }
}

fn is_unique_conflict(err: &Error) -> bool {
    matches!(
        err,
        Error::Conflict {
            code: Code::DomainConflict | Code::ExternalRefConflict,
            ..
        }
    )
}

impl Service {
    /// `POST /v1/accounts/assert`: the body's `account` is the account to create and the
    /// patch to apply, decoded (and named) under `account`.
    pub async fn assert_account(
        &self,
        who: &Principal,
        request: AssertRequest,
    ) -> Result<Asserted> {
        let command = AssertCommand {
            create: from_value(&request.account, "account"),
            update: from_value(&request.account, "account"),
            key: request.key,
            account_field: "account".to_string(),
        };
        self.assert_account_with(who, command).await
    }

    /// Creates the account when nothing matches the key, updates it when exactly one account
    /// does, and fails with `ambiguous_match` when several do. Two asserts racing on one key
    /// make one account: the loser's insert hits the unique index, and it updates the winner.
    pub async fn assert_account_with(
        &self,
        who: &Principal,
        command: AssertCommand,
    ) -> Result<Asserted> {
        who.require(Scope::Write)?;
        let keys = command.key.keys()?;
        let mut update = Some(command.update.clone());
        for attempt in 1..=ASSERT_ATTEMPTS {
            let found = self
                .store
                .find_accounts(&who.workspace_id, &keys, false)
                .await?;
            match found.as_slice() {
                [] if !keys.ids.is_empty() => {
                    return Err(Error::not_found("account", keys.ids[0].as_str()));
                }
                [] => {
                    let mut data = command.creation_data(&keys)?;
                    // The created account's custom fields, checked like a create's.
                    let schema = self
                        .object_schema(who, crate::schema::SchemaObject::Accounts)
                        .await?;
                    let path = command.custom_fields_path();
                    self.check_new_account(who, &schema, &mut data, &path)
                        .await?;
                    let created = self
                        .store
                        .insert_account(&who.workspace_id, &who.user_id, data)
                        .await;
                    match created {
                        Ok(account) => return Ok(Asserted::Created(account)),
                        Err(err) if is_unique_conflict(&err) && attempt < ASSERT_ATTEMPTS => {}
                        Err(err) => return Err(command.within(err)),
                    }
                }
                [id] => {
                    let patch = update
                        .take()
                        .ok_or_else(|| Error::internal("an assert updated twice"))?;
                    let account = self.assert_update(who, id, patch?, &command).await?;
                    return Ok(Asserted::Updated(account));
                }
                candidates => {
                    return Err(Error::Conflict {
                        code: Code::AmbiguousMatch,
                        message: format!(
                            "the match key matches {} accounts: {}",
                            candidates.len(),
                            candidates.join(", ")
                        ),
                        field: Some("match".into()),
                        value: Some(Value::from(candidates.to_vec())),
                        existing_id: None,
                    });
                }
            }
        }
        Err(Error::Conflict {
            code: Code::ConcurrentUpdate,
            message: "the matching account kept changing while it was asserted; retry".into(),
            field: Some("match".into()),
            value: None,
            existing_id: None,
        })
    }

    /// The update branch: the patch, checked like a PATCH's, applied to the matched account.
    async fn assert_update(
        &self,
        who: &Principal,
        id: &str,
        mut patch: AccountPatch,
        command: &AssertCommand,
    ) -> Result<Account> {
        self.check_account_patch(who, &mut patch, &command.custom_fields_path())
            .await?;
        // The patch's own errors and the store's (a taken domain) alike are named inside
        // the account, once.
        self.rewrite_account(who, id, None, move |current| patch.apply(current))
            .await
            .map_err(|err| command.within(err))
    }
}
