//! Command-line interface: every flag has an `ORGSTORE_*` environment variable.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use orgstore_core::auth::Scope;
use orgstore_core::export::ExportFormat;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://orgstore.db";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DATABASE_ENV: &str = "ORGSTORE_DATABASE_URL";
pub const LISTEN_ENV: &str = "ORGSTORE_LISTEN";

#[derive(Debug, Parser)]
#[command(
    name = "orgstore",
    version,
    about = "orgstore: a self-hosted system of record for CRM accounts",
    after_help = "Logging: ORGSTORE_LOG (filter, default `info`), ORGSTORE_LOG_FORMAT=json for JSON lines. Logs go to stderr."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API (creates the store, a `default` workspace and an admin token on first start).
    Serve(ServeArgs),
    /// Apply the database migrations and exit.
    Migrate(DatabaseArgs),
    /// Manage workspaces.
    #[command(subcommand)]
    Workspace(WorkspaceCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Import accounts from a CSV (with a header row) or NDJSON file, deduplicating by domain
    /// and external ref.
    Import(ImportArgs),
    /// Export every account of a workspace as CSV or NDJSON.
    Export(ExportArgs),
}

/// The file formats of `import` and `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FileFormat {
    Csv,
    Ndjson,
}

impl FileFormat {
    /// `.csv` is CSV; `.ndjson`, `.jsonl` and `.json` are NDJSON.
    pub fn from_path(path: &std::path::Path) -> Option<FileFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(FileFormat::Csv),
            "ndjson" | "jsonl" | "json" => Some(FileFormat::Ndjson),
            _ => None,
        }
    }

    pub fn export_format(self) -> ExportFormat {
        match self {
            FileFormat::Csv => ExportFormat::Csv,
            FileFormat::Ndjson => ExportFormat::Ndjson,
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// The file to import: CSV with a header row, or NDJSON (one account object per line).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Slug of the workspace to import into.
    #[arg(long, value_name = "SLUG")]
    pub workspace: String,
    /// The file's format (default: by extension; .csv is CSV, .ndjson/.jsonl is NDJSON).
    #[arg(long, value_enum)]
    pub format: Option<FileFormat>,
    /// Create every row, even when its domain or external ref matches an existing account
    /// (those rows then fail as conflicts).
    #[arg(long)]
    pub no_dedupe: bool,
    /// Where failed rows are written as NDJSON (default: FILE.errors.ndjson).
    #[arg(long, value_name = "FILE")]
    pub errors: Option<PathBuf>,
    /// Rows written per transaction.
    #[arg(long, value_name = "N", default_value_t = 1000,
        value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub batch: u64,
    #[command(flatten)]
    pub db: DatabaseArgs,
}

#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// Slug of the workspace to export.
    #[arg(long, value_name = "SLUG")]
    pub workspace: String,
    /// The output format (default: by the extension of --output, else ndjson).
    #[arg(long, value_enum)]
    pub format: Option<FileFormat>,
    /// The file to write (default: stdout).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub db: DatabaseArgs,
}

#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// Database URL: `sqlite://PATH` (created if missing) or `postgres://...`.
    #[arg(
        long = "database",
        value_name = "URL",
        env = DATABASE_ENV,
        default_value = DEFAULT_DATABASE_URL
    )]
    pub database_url: String,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// Address to listen on (`host:port`; port 0 picks a free port).
    #[arg(long, value_name = "ADDR", env = LISTEN_ENV, default_value = DEFAULT_LISTEN)]
    pub listen: String,
    /// Requests each token may send per minute (a burst of that many, then at that pace);
    /// 0 turns rate limits off. Counted per server process.
    #[arg(
        long,
        value_name = "N",
        env = "ORGSTORE_RATE_LIMIT_PER_MINUTE",
        default_value_t = orgstore_api::kit::rate_limit::DEFAULT_PER_MINUTE
    )]
    pub rate_limit_per_minute: u32,
}

#[derive(Debug, Subcommand)]
pub enum WorkspaceCommand {
    /// Create a workspace and print its id.
    Create {
        /// The new workspace's slug.
        slug: String,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it (it is shown only once).
    Create {
        /// Slug of the workspace the token belongs to.
        #[arg(long, value_name = "SLUG")]
        workspace: String,
        /// What the token may do: read < write < admin.
        #[arg(long, value_name = "read|write|admin", value_parser = parse_scope)]
        scope: Scope,
        /// The user the token acts as, by id (`usr_...`) or email (default: the workspace's
        /// owner). Writes made with the token record this user.
        #[arg(long, value_name = "ID_OR_EMAIL")]
        user: Option<String>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

fn parse_scope(text: &str) -> Result<Scope, String> {
    Scope::parse(text)
        .ok_or_else(|| format!("unknown scope '{text}' (expected read, write or admin)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn env_set(name: &str) -> bool {
        std::env::var_os(name).is_some()
    }

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn serve_defaults() {
        let cli = Cli::try_parse_from(["orgstore", "serve"]).expect("parses");
        let Command::Serve(args) = cli.command else {
            panic!("expected serve");
        };
        if !env_set(DATABASE_ENV) {
            assert_eq!(args.db.database_url, "sqlite://orgstore.db");
        }
        if !env_set(LISTEN_ENV) {
            assert_eq!(args.listen, "127.0.0.1:8080");
        }
    }

    #[test]
    fn serve_flags_override() {
        let cli = Cli::try_parse_from([
            "orgstore",
            "serve",
            "--database",
            "postgres://u@h/db",
            "--listen",
            "0.0.0.0:0",
        ])
        .expect("parses");
        let Command::Serve(args) = cli.command else {
            panic!("expected serve");
        };
        assert_eq!(args.db.database_url, "postgres://u@h/db");
        assert_eq!(args.listen, "0.0.0.0:0");
    }

    #[test]
    fn env_names_and_defaults() {
        let cmd = Cli::command();
        for sub in ["serve", "migrate"] {
            let sub = cmd.find_subcommand(sub).expect("subcommand");
            let db = sub
                .get_arguments()
                .find(|a| a.get_id() == "database_url")
                .expect("--database");
            assert_eq!(db.get_long(), Some("database"));
            assert_eq!(
                db.get_env(),
                Some(std::ffi::OsStr::new("ORGSTORE_DATABASE_URL"))
            );
            assert_eq!(db.get_default_values(), ["sqlite://orgstore.db"]);
        }
        let serve = cmd.find_subcommand("serve").expect("serve");
        let listen = serve
            .get_arguments()
            .find(|a| a.get_id() == "listen")
            .expect("--listen");
        assert_eq!(
            listen.get_env(),
            Some(std::ffi::OsStr::new("ORGSTORE_LISTEN"))
        );
        assert_eq!(listen.get_default_values(), ["127.0.0.1:8080"]);
        for sub in ["import", "export"] {
            let sub = cmd.find_subcommand(sub).expect("subcommand");
            let db = sub
                .get_arguments()
                .find(|a| a.get_id() == "database_url")
                .expect("--database");
            assert_eq!(
                db.get_env(),
                Some(std::ffi::OsStr::new("ORGSTORE_DATABASE_URL"))
            );
        }
        for path in [["workspace", "create"], ["token", "create"]] {
            let sub = cmd
                .find_subcommand(path[0])
                .and_then(|c| c.find_subcommand(path[1]))
                .expect("subcommand");
            let db = sub
                .get_arguments()
                .find(|a| a.get_id() == "database_url")
                .expect("--database");
            assert_eq!(
                db.get_env(),
                Some(std::ffi::OsStr::new("ORGSTORE_DATABASE_URL"))
            );
        }
    }

    #[test]
    fn migrate_parses() {
        let cli = Cli::try_parse_from(["orgstore", "migrate", "--database", "sqlite:///tmp/x.db"])
            .expect("parses");
        let Command::Migrate(db) = cli.command else {
            panic!("expected migrate");
        };
        assert_eq!(db.database_url, "sqlite:///tmp/x.db");
    }

    #[test]
    fn workspace_create_parses() {
        let cli = Cli::try_parse_from(["orgstore", "workspace", "create", "acme"]).expect("parses");
        let Command::Workspace(WorkspaceCommand::Create { slug, .. }) = cli.command else {
            panic!("expected workspace create");
        };
        assert_eq!(slug, "acme");
        assert!(Cli::try_parse_from(["orgstore", "workspace", "create"]).is_err());
    }

    #[test]
    fn token_create_parses_scopes() {
        for (text, scope) in [
            ("read", Scope::Read),
            ("write", Scope::Write),
            ("admin", Scope::Admin),
        ] {
            let cli = Cli::try_parse_from([
                "orgstore",
                "token",
                "create",
                "--workspace",
                "default",
                "--scope",
                text,
            ])
            .expect("parses");
            let Command::Token(TokenCommand::Create {
                workspace,
                scope: parsed,
                ..
            }) = cli.command
            else {
                panic!("expected token create");
            };
            assert_eq!(workspace, "default");
            assert_eq!(parsed, scope);
        }
    }

    #[test]
    fn import_parses_with_defaults() {
        let cli = Cli::try_parse_from(["orgstore", "import", "a.csv", "--workspace", "acme"])
            .expect("parses");
        let Command::Import(args) = cli.command else {
            panic!("expected import");
        };
        assert_eq!(args.file, PathBuf::from("a.csv"));
        assert_eq!(
            (args.format, args.no_dedupe, args.batch),
            (None, false, 1000)
        );
        assert_eq!(args.errors, None);
        let cli = Cli::try_parse_from([
            "orgstore",
            "import",
            "a.txt",
            "--workspace",
            "acme",
            "--format",
            "ndjson",
            "--no-dedupe",
            "--errors",
            "e.ndjson",
            "--batch",
            "50",
        ])
        .expect("parses");
        let Command::Import(args) = cli.command else {
            panic!("expected import");
        };
        assert_eq!(args.format, Some(FileFormat::Ndjson));
        assert!(args.no_dedupe);
        assert_eq!(args.errors, Some(PathBuf::from("e.ndjson")));
        assert_eq!(args.batch, 50);
        for bad in ["0", "10001", "x"] {
            let parsed = Cli::try_parse_from([
                "orgstore",
                "import",
                "a.csv",
                "--workspace",
                "acme",
                "--batch",
                bad,
            ]);
            assert!(parsed.is_err(), "{bad}");
        }
        assert!(Cli::try_parse_from(["orgstore", "import", "a.csv"]).is_err());
    }

    #[test]
    fn export_parses() {
        let cli = Cli::try_parse_from([
            "orgstore",
            "export",
            "--workspace",
            "acme",
            "--format",
            "csv",
            "--output",
            "o.csv",
        ])
        .expect("parses");
        let Command::Export(args) = cli.command else {
            panic!("expected export");
        };
        assert_eq!(args.format, Some(FileFormat::Csv));
        assert_eq!(args.output, Some(PathBuf::from("o.csv")));
        assert!(
            Cli::try_parse_from(["orgstore", "export", "--workspace", "a", "--format", "xml"])
                .is_err()
        );
    }

    #[test]
    fn formats_by_extension() {
        let of = |p: &str| FileFormat::from_path(std::path::Path::new(p));
        assert_eq!(of("a.CSV"), Some(FileFormat::Csv));
        assert_eq!(of("a.jsonl"), Some(FileFormat::Ndjson));
        assert_eq!(of("a.txt"), None);
        assert_eq!(of("a"), None);
    }

    #[test]
    fn token_create_rejects_bad_input() {
        let bad_scope = Cli::try_parse_from([
            "orgstore",
            "token",
            "create",
            "--workspace",
            "default",
            "--scope",
            "root",
        ]);
        assert!(bad_scope.is_err());
        let no_workspace = Cli::try_parse_from(["orgstore", "token", "create", "--scope", "read"]);
        assert!(no_workspace.is_err());
    }
}
