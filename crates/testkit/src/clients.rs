//! Vendor clients (npm and PyPI packages) driven against a real orgstore by the client tests.
//!
//! `scripts/install-clients` installs them, pinned, and `scripts/test` exports where they are:
//! `ORGSTORE_TEST_NODE_MODULES` (Node.js scripts live in `clients/node/` beside their
//! `node_modules`) and `ORGSTORE_TEST_PYTHON` (the venv's interpreter). A client test never
//! skips: without them it fails, saying how to install them.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long one client script may run.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(180);

/// The repository's root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository root")
}

fn installed(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!(
            "{var} is not set: the client tests drive vendor SDKs installed by \
             scripts/install-clients; run the suite with scripts/test, or \
             eval \"$(scripts/install-clients)\" first"
        )
    })
}

/// Runs `clients/node/<script>` with Node.js and `env`; its stdout, or a panic with its output.
pub async fn run_node(script: &str, env: &[(&str, &str)]) -> String {
    let modules = installed("ORGSTORE_TEST_NODE_MODULES");
    assert!(
        Path::new(&modules).is_dir(),
        "{modules} is missing: run scripts/install-clients"
    );
    let path = repo_root().join("clients/node").join(script);
    run("node", &[path.as_os_str()], env).await
}

/// Runs `clients/python/<script>` with the clients' Python and `env`.
pub async fn run_python(script: &str, env: &[(&str, &str)]) -> String {
    let python = installed("ORGSTORE_TEST_PYTHON");
    let path = repo_root().join("clients/python").join(script);
    run(&python, &[path.as_os_str()], env).await
}

async fn run(program: &str, args: &[&std::ffi::OsStr], env: &[(&str, &str)]) -> String {
    let mut command = tokio::process::Command::new(program);
    command.args(args).kill_on_drop(true);
    for (name, value) in env {
        command.env(name, value);
    }
    let output = tokio::time::timeout(SCRIPT_TIMEOUT, command.output())
        .await
        .unwrap_or_else(|_| panic!("{program} {args:?} ran longer than {SCRIPT_TIMEOUT:?}"))
        .unwrap_or_else(|e| panic!("could not start {program}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{program} {args:?} failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        output.status
    );
    stdout
}
