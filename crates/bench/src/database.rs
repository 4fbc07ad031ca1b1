//! Fresh stores for one run: a SQLite file in a temporary directory (removed at the end), or
//! a new database on the given PostgreSQL server (dropped at the end).

use anyhow::{Context, bail};
use tempfile::TempDir;

pub enum Fresh {
    Sqlite {
        url: String,
        _dir: TempDir,
    },
    Postgres {
        url: String,
        admin: String,
        name: String,
    },
}

impl Fresh {
    pub fn url(&self) -> &str {
        match self {
            Fresh::Sqlite { url, .. } | Fresh::Postgres { url, .. } => url,
        }
    }

    /// A fresh store like `base` (`None`: SQLite in a temporary directory). `tag` tells the
    /// stores of one run apart.
    pub async fn create(base: Option<&str>, tag: &str) -> anyhow::Result<Fresh> {
        let Some(base) = base else {
            let dir = tempfile::Builder::new()
                .prefix("orgstore-bench-")
                .tempdir()
                .context("creating a temporary directory")?;
            let url = format!(
                "sqlite://{}",
                dir.path().join(format!("{tag}.db")).display()
            );
            return Ok(Fresh::Sqlite { url, _dir: dir });
        };
        if !(base.starts_with("postgres://") || base.starts_with("postgresql://")) {
            bail!("--database must be a postgres:// URL (SQLite is the default)");
        }
        let name = format!("orgstore_bench_{tag}_{}", std::process::id());
        let client = connect(base).await?;
        // Two statements: several in one batch would run as one transaction, which
        // CREATE/DROP DATABASE refuse.
        for sql in [
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            format!("CREATE DATABASE {name}"),
        ] {
            client
                .batch_execute(&sql)
                .await
                .with_context(|| format!("creating database {name}"))?;
        }
        Ok(Fresh::Postgres {
            url: with_database(base, &name),
            admin: base.to_string(),
            name,
        })
    }

    /// Leaves the store in place and prints where it is.
    pub fn keep(self) {
        match self {
            Fresh::Sqlite { url, _dir } => {
                let _ = _dir.keep();
                println!("kept {url}");
            }
            Fresh::Postgres { url, .. } => println!("kept {url}"),
        }
    }

    /// Drops a PostgreSQL database (a SQLite directory goes with the value).
    pub async fn drop_database(self) -> anyhow::Result<()> {
        if let Fresh::Postgres { admin, name, .. } = self {
            let client = connect(&admin).await?;
            client
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .with_context(|| format!("dropping database {name}"))?;
        }
        Ok(())
    }
}

async fn connect(url: &str) -> anyhow::Result<tokio_postgres::Client> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .context("connecting to PostgreSQL")?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

/// `base` with its database name replaced by `database`.
fn with_database(base: &str, database: &str) -> String {
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let (head, rest) = base.split_at(scheme_end);
    let (authority, after) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let query = after.find('?').map(|i| &after[i..]).unwrap_or("");
    format!("{head}{authority}/{database}{query}")
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            with_database("postgres://u@h:5432/postgres?sslmode=disable", "x"),
            "postgres://u@h:5432/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
    }
}
