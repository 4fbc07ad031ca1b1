//! Workspaces, users and tokens, shared by both stores.

use orgstore_core::auth::{Principal, Scope};
use orgstore_core::error::Code;
use orgstore_core::model::{DEFAULT_STAGES, OWNER_USER_NAME, TokenRecord, User, Workspace};
use orgstore_core::time::now_ms;
use orgstore_core::{Error, Result, ids};

use super::{Param, Row, SqlBuilder, Tx};

pub async fn create<T: Tx>(tx: &mut T, slug: &str, name: &str) -> Result<(Workspace, User)> {
    let now = now_ms();
    let workspace = Workspace {
        id: ids::new_id(ids::WORKSPACE),
        slug: slug.to_string(),
        name: name.to_string(),
        created_at: now,
    };
    let inserted = tx
        .query(
            "INSERT INTO workspaces (id, slug, name, account_seq, created_at) VALUES ($1, $2, $3, 0, $4) \
             ON CONFLICT (slug) DO NOTHING RETURNING id",
            &[
                (&workspace.id).into(),
                slug.into(),
                name.into(),
                Param::Int(now),
            ],
        )
        .await?;
    if inserted.is_empty() {
        return Err(Error::Conflict {
            code: Code::SlugTaken,
            message: format!("a workspace with slug '{slug}' already exists"),
            field: Some("slug".into()),
            value: Some(slug.into()),
            existing_id: None,
        });
    }
    let mut q =
        SqlBuilder::new("INSERT INTO stages (workspace_id, id, key, label, position) VALUES ");
    q.values_rows(DEFAULT_STAGES.iter().enumerate().map(|(i, (key, label))| {
        [
            (&workspace.id).into(),
            Param::Owned(ids::new_id(ids::STAGE)),
            (*key).into(),
            (*label).into(),
            Param::Int(i as i64),
        ]
    }));
    tx.execute(&q.sql, &q.params).await?;
    let owner = User {
        id: ids::new_id(ids::USER),
        workspace_id: workspace.id.clone(),
        name: OWNER_USER_NAME.to_string(),
        email: None,
        created_at: now,
    };
    tx.execute(
        "INSERT INTO users (workspace_id, id, name, email, created_at) VALUES ($1, $2, $3, NULL, $4)",
        &[
            (&owner.workspace_id).into(),
            (&owner.id).into(),
            (&owner.name).into(),
            Param::Int(now),
        ],
    )
    .await?;
    Ok((workspace, owner))
}

pub async fn by_slug<T: Tx>(tx: &mut T, slug: &str) -> Result<Option<Workspace>> {
    let rows = tx
        .query(
            "SELECT id, slug, name, created_at FROM workspaces WHERE slug = $1",
            &[slug.into()],
        )
        .await?;
    match rows.into_iter().next() {
        Some(mut r) => Ok(Some(Workspace {
            id: r.text(0)?,
            slug: r.text(1)?,
            name: r.text(2)?,
            created_at: r.int(3)?,
        })),
        None => Ok(None),
    }
}

pub async fn count<T: Tx>(tx: &mut T) -> Result<i64> {
    let mut rows = tx.query("SELECT count(*) FROM workspaces", &[]).await?;
    match rows.pop() {
        Some(mut r) => r.int(0),
        None => Ok(0),
    }
}

pub async fn owner_user<T: Tx>(tx: &mut T, ws: &str) -> Result<User> {
    let rows = tx
        .query(
            "SELECT id, workspace_id, name, email, created_at FROM users WHERE workspace_id = $1 \
             ORDER BY created_at, id LIMIT 1",
            &[ws.into()],
        )
        .await?;
    let mut r = rows
        .into_iter()
        .next()
        .ok_or_else(|| Error::internal(format!("workspace {ws} has no users")))?;
    Ok(User {
        id: r.text(0)?,
        workspace_id: r.text(1)?,
        name: r.text(2)?,
        email: r.opt_text(3)?,
        created_at: r.int(4)?,
    })
}

pub async fn insert_token<T: Tx>(tx: &mut T, token: &TokenRecord) -> Result<()> {
    tx.execute(
        "INSERT INTO tokens (token_hash, id, workspace_id, user_id, scope, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            (&token.token_hash).into(),
            (&token.id).into(),
            (&token.workspace_id).into(),
            (&token.user_id).into(),
            token.scope.as_str().into(),
            Param::Int(token.created_at),
        ],
    )
    .await?;
    Ok(())
}

pub async fn principal<T: Tx>(tx: &mut T, token_hash: &str) -> Result<Option<Principal>> {
    let rows = tx
        .query(
            "SELECT workspace_id, user_id, id, scope FROM tokens \
             WHERE token_hash = $1 AND revoked_at IS NULL",
            &[token_hash.into()],
        )
        .await?;
    let Some(mut r) = rows.into_iter().next() else {
        return Ok(None);
    };
    let scope = r.text(3)?;
    Ok(Some(Principal {
        workspace_id: r.text(0)?,
        user_id: r.text(1)?,
        token_id: r.text(2)?,
        scope: Scope::parse(&scope)
            .ok_or_else(|| Error::internal(format!("stored token scope '{scope}' is unknown")))?,
    }))
}
