//! The `ninepanels` binary run as a child process on a free loopback port, as an operator runs it.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const BINARY: &str = env!("CARGO_BIN_EXE_ninepanels");

/// The binary running with only the given variables, ready to serve.
pub struct Running {
    child: std::process::Child,
    port: u16,
}

fn free_port() -> u16 {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    probe.local_addr().unwrap().port()
}

/// Starts the binary in `dir` and waits (with a bound) until `GET /readyz` answers 200.
pub fn start_binary(dir: &std::path::Path, vars: &[(&str, &str)]) -> Running {
    let mut command = Command::new(BINARY);
    command.stdout(Stdio::piped());
    launch(command, dir, vars)
}

/// As [`start_binary`], but no file the server writes may grow past `bytes` (a file system
/// that is full, without root): writes past it fail, and the process is not killed for it.
/// What it prints is dropped, so a long run never blocks on a full pipe.
pub fn start_binary_with_file_limit(
    dir: &std::path::Path,
    vars: &[(&str, &str)],
    bytes: u64,
) -> Running {
    let mut command = Command::new("bash");
    command
        .args([
            "-c",
            r#"trap '' XFSZ; ulimit -S -f "$1"; exec "$2""#,
            "limited",
            &(bytes / 1024).to_string(),
            BINARY,
        ])
        .stdout(Stdio::null());
    launch(command, dir, vars)
}

fn launch(mut command: Command, dir: &std::path::Path, vars: &[(&str, &str)]) -> Running {
    let port = free_port();
    let mut child = command
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(vars.iter().copied())
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let reply = loop {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            let mut reply = String::new();
            let asked =
                stream.write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            if asked.is_ok() && stream.read_to_string(&mut reply).is_ok() {
                break reply;
            }
        }
        if Instant::now() > deadline {
            break String::new();
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    if !reply.starts_with("HTTP/1.1 200") {
        child.kill().ok();
        let output = child.wait_with_output().unwrap();
        panic!(
            "the server did not become ready: {reply}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Running { child, port }
}

impl Running {
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn signal(&self, signal: &str) {
        Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap();
    }

    /// Lifts the limit of [`start_binary_with_file_limit`]: the space comes back.
    pub fn lift_file_limit(&self) {
        let lifted = Command::new("prlimit")
            .args([
                "--pid",
                &self.child.id().to_string(),
                "--fsize=unlimited:unlimited",
            ])
            .status()
            .expect("prlimit (util-linux) is installed");
        assert!(lifted.success(), "prlimit lifted the file size limit");
    }

    /// SIGTERM, then the exit status and what it printed.
    pub fn stop(self) -> (bool, String) {
        self.signal("-TERM");
        let output = self.child.wait_with_output().unwrap();
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    }

    /// SIGKILL: no shutdown at all, as in a crash.
    pub fn kill(mut self) {
        self.signal("-KILL");
        self.child.wait().unwrap();
    }
}
