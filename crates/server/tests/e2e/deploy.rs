//! `deploy/ninepanels.service` passes `systemd-analyze verify` (where systemd is installed), with
//! its `ExecStart` pointed at the binary under test.

use crate::binary::BINARY;
use std::process::Command;

#[test]
fn the_systemd_unit_verifies() {
    if Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("!!! systemd-analyze is not installed: the systemd unit was not verified");
        return;
    }
    let unit = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../deploy/ninepanels.service"
    ))
    .unwrap();
    assert!(unit.contains("ExecStart=/usr/local/bin/ninepanels serve"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ninepanels.service");
    std::fs::write(&path, unit.replace("/usr/local/bin/ninepanels", BINARY)).unwrap();
    let output = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success() && said.trim().is_empty(), "{said}");
}
