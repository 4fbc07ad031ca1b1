//! Reads that surfaces need beside the native routes: the users, tags and stages a page of
//! accounts names, looked up in one query each for the whole page (a vendor renders every
//! owner and creator as a user summary), and directory records found by their natural keys
//! (a user by email, a stage by key or label, a tag by name).

use std::collections::HashMap;

use super::Service;
use crate::auth::{Principal, Scope};
use crate::error::{Error, Result};
use crate::list::name_sort_key;
use crate::model::{Stage, Tag, User};
use crate::normalize::normalize_email;

/// The distinct ids, in first-seen order.
fn distinct(ids: &[String]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::with_capacity(ids.len());
    let mut seen = std::collections::HashSet::with_capacity(ids.len());
    for id in ids {
        if seen.insert(id.as_str()) {
            out.push(id);
        }
    }
    out
}

impl Service {
    /// The users with these ids, by id: one query for any number of ids (repeats welcome);
    /// ids that are not the workspace's users are absent from the map.
    pub async fn users_by_ids(
        &self,
        who: &Principal,
        ids: &[String],
    ) -> Result<HashMap<String, User>> {
        who.require(Scope::Read)?;
        let ids = distinct(ids);
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let users = self.store.users_by_ids(&who.workspace_id, &ids).await?;
        Ok(users.into_iter().map(|u| (u.id.clone(), u)).collect())
    }

    /// The tags with these ids, by id: one query for any number of ids; ids that are not the
    /// workspace's tags are absent from the map.
    pub async fn tags_by_ids(
        &self,
        who: &Principal,
        ids: &[String],
    ) -> Result<HashMap<String, Tag>> {
        who.require(Scope::Read)?;
        let ids = distinct(ids);
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let tags = self.store.tags_by_ids(&who.workspace_id, &ids).await?;
        Ok(tags.into_iter().map(|t| (t.id.clone(), t)).collect())
    }

    /// The stages with these keys, by key: one query (a workspace has a handful of stages);
    /// keys that are not the workspace's stages are absent from the map.
    pub async fn stages_by_keys(
        &self,
        who: &Principal,
        keys: &[String],
    ) -> Result<HashMap<String, Stage>> {
        who.require(Scope::Read)?;
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let stages = self.store.list_stages(&who.workspace_id).await?;
        Ok(stages
            .into_iter()
            .filter(|s| keys.contains(&s.key))
            .map(|s| (s.key.clone(), s))
            .collect())
    }

    /// The user with this email (any case, trimmed), if any. Something that is not an email
    /// address is a 400 naming `email`.
    pub async fn find_user_by_email(&self, who: &Principal, email: &str) -> Result<Option<User>> {
        who.require(Scope::Read)?;
        let normalized = normalize_email(email).ok_or_else(|| {
            Error::invalid_value("email", email, format!("'{email}' is not an email address"))
        })?;
        self.store
            .user_by_email(&who.workspace_id, &normalized)
            .await
    }

    /// The stage a vendor names: its key exactly, else its label ignoring case (the first
    /// in the workspace's order when several labels match).
    pub async fn find_stage(&self, who: &Principal, key_or_label: &str) -> Result<Option<Stage>> {
        who.require(Scope::Read)?;
        let wanted = key_or_label.trim();
        let stages = self.store.list_stages(&who.workspace_id).await?;
        let label_key = name_sort_key(wanted);
        let by_key = stages.iter().position(|s| s.key == wanted);
        let by_label = || {
            stages
                .iter()
                .position(|s| name_sort_key(&s.label) == label_key)
        };
        Ok(by_key.or_else(by_label).map(|i| stages[i].clone()))
    }

    /// The tag of this name, compared trimmed and ignoring case, if the workspace has it.
    pub async fn find_tag_by_name(&self, who: &Principal, name: &str) -> Result<Option<Tag>> {
        who.require(Scope::Read)?;
        let key = name_sort_key(name.trim());
        if key.is_empty() {
            return Ok(None);
        }
        self.store.tag_by_name(&who.workspace_id, &key).await
    }
}
