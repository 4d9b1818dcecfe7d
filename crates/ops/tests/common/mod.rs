//! Running the built `ninepanels-ops` binary in a folder, with only the variables given.
#![allow(dead_code)] // Each test file uses its own part.

use std::path::Path;
use std::process::Command;

pub const SECRET: &str = "an-operator-test-secret-of-32-bytes!!";

pub fn ops_in(dir: &Path, vars: &[(&str, &str)], args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_ninepanels-ops"))
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("NINEPANELS_OPERATOR", "tester")
        .envs(vars.iter().copied())
        .args(args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

pub fn ok(dir: &Path, url: &str, args: &[&str]) -> String {
    let (success, out) = ops_in(dir, &[("DATABASE_URL", url)], args);
    assert!(success, "{args:?}: {out}");
    out
}

/// The variables of a MAIN installation on `url` (with a real secret), and `more`.
pub fn on_main<'a>(url: &'a str, more: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut vars = vec![
        ("DATABASE_URL", url),
        ("NINEPANELS_ENV", "MAIN"),
        ("JWT_SECRET", SECRET),
    ];
    vars.extend_from_slice(more);
    vars
}
