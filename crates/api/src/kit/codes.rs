//! The table of error codes as documentation: one Markdown table, the same in the README and
//! in the OpenAPI document's description (a test keeps the README's copy current).

use orgstore_core::error::Code;

/// `| code | status | meaning |` for every code, in table order.
pub fn markdown_table() -> String {
    let mut table = String::from("| code | status | meaning |\n|---|---|---|\n");
    for code in Code::ALL {
        table.push_str(&format!(
            "| `{}` | {} | {} |\n",
            code.as_str(),
            code.status(),
            code.meaning()
        ));
    }
    table
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_readme_lists_every_code() {
        let readme = include_str!("../../../../README.md");
        let table = super::markdown_table();
        assert!(
            readme.contains(&table),
            "the README's table of error codes is out of date; it should read:\n{table}"
        );
    }
}
