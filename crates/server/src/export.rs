//! `orgstore export`: every account of a workspace, streamed page by page from the store to
//! stdout or a file in the encodings of `GET /v1/accounts/export`, so memory stays flat
//! whatever the size of the workspace.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::time::Instant;

use anyhow::Context;
use futures::StreamExt;
use orgstore_core::export::{ExportFormat, ExportWriter};
use orgstore_core::list::ListParams;
use orgstore_core::service::Service;

use crate::cli::{ExportArgs, FileFormat};

/// Writes the export and a one-line summary on stderr.
pub async fn run(service: &Service, args: &ExportArgs) -> anyhow::Result<()> {
    let who = crate::cli_principal(service, &args.workspace).await?;
    let format = choose_format(args);
    let (out, shown) = open_output(args)?;
    let started = Instant::now();
    let accounts = service
        .export_accounts(&who, ListParams::default())
        .await
        .context("cannot read the accounts")?;
    let mut accounts = std::pin::pin!(accounts);
    let mut writer = ExportWriter::new(format, out).context("cannot write the export")?;
    let mut count: u64 = 0;
    while let Some(account) = accounts.next().await {
        let account = account.context("reading the accounts failed")?;
        writer
            .write(&account)
            .with_context(|| format!("cannot write to {shown}"))?;
        count += 1;
    }
    writer
        .into_inner()
        .and_then(|mut out| out.flush())
        .with_context(|| format!("cannot write to {shown}"))?;
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "exported {count} accounts to {shown} in {secs:.1} s ({:.0} rows/s)",
        count as f64 / secs.max(1e-9)
    );
    Ok(())
}

/// `--format`, else the extension of `--output`, else NDJSON.
fn choose_format(args: &ExportArgs) -> ExportFormat {
    args.format
        .or_else(|| args.output.as_deref().and_then(FileFormat::from_path))
        .unwrap_or(FileFormat::Ndjson)
        .export_format()
}

/// The buffered output and how to name it in messages.
fn open_output(args: &ExportArgs) -> anyhow::Result<(BufWriter<Box<dyn Write>>, String)> {
    let (out, shown): (Box<dyn Write>, String) = match &args.output {
        Some(path) => {
            let file =
                File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
            (Box::new(file), path.display().to_string())
        }
        None => (Box::new(std::io::stdout()), "stdout".to_string()),
    };
    Ok((BufWriter::with_capacity(256 * 1024, out), shown))
}
