//! `ping <url>`: calls the server's `/readyz` (with curl, so https works as anywhere else) and
//! prints the status and the latency.

use crate::context::OpsError;
use std::process::Command;

pub fn run(url: &str) -> Result<(), OpsError> {
    let target = format!("{}/readyz", url.trim_end_matches('/'));
    let output = Command::new("curl")
        .args([
            "--silent",
            "--show-error",
            "--max-time",
            "10",
            "--write-out",
            "\n%{http_code} %{time_total}",
            &target,
        ])
        .output()
        .map_err(|e| OpsError::Usage(format!("cannot run curl: {e}")))?;
    if !output.status.success() {
        return Err(OpsError::Usage(format!(
            "{target} did not answer: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let (body, trailer) = text.rsplit_once('\n').unwrap_or(("", &text));
    let mut parts = trailer.split_whitespace();
    let status = parts.next().unwrap_or("?");
    let seconds: f64 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0.0);
    println!("{target}: status {status}, {:.1} ms", seconds * 1000.0);
    println!("{body}");
    if status == "200" {
        Ok(())
    } else {
        Err(OpsError::Usage(format!(
            "{target} is not ready (status {status})"
        )))
    }
}
