//! Slow clients cannot hold connections: headers sent too slowly and idle keep-alive connections
//! are closed after `HEADER_READ_TIMEOUT_SECS`, and past `MAX_CONNECTIONS` new connections wait
//! until one frees, while normal clients are served throughout.

use crate::support::TestServer;
use ninepanels_persistence::testing::TestEngine;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Far longer than the one-second header timeout these tests set.
const BOUND: Duration = Duration::from_secs(15);

async fn server(max_connections: usize) -> TestServer {
    TestServer::start_with(TestEngine::Sqlite, |config| {
        config.http.connections.header_read_timeout_secs = 1;
        config.http.connections.max_connections = max_connections;
    })
    .await
    .expect("SQLite is always available")
}

/// Reads until the server closes the connection (a reset counts), within [`BOUND`].
async fn closed_by_server(stream: &mut TcpStream) -> Vec<u8> {
    let mut seen = Vec::new();
    let read = tokio::time::timeout(BOUND, stream.read_to_end(&mut seen)).await;
    assert!(
        read.is_ok(),
        "the server kept the connection open: {seen:?}"
    );
    seen
}

/// Whether the server has already closed `stream`, without waiting.
fn already_closed(stream: &TcpStream) -> bool {
    let mut byte = [0u8; 1];
    match stream.try_read(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
    }
}

#[tokio::test]
async fn headers_sent_a_byte_at_a_time_are_cut_off_and_others_are_served() {
    let server = server(64).await;
    let mut slow = TcpStream::connect(server.addr).await.unwrap();
    let drip = async {
        for byte in b"GET /healthz HTTP/1.1\r\nHost: slow\r\nX-Padding: "
            .iter()
            .cycle()
        {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if slow.write_all(&[*byte]).await.is_err() {
                return;
            }
            if already_closed(&slow) {
                return;
            }
        }
    };
    let others = async {
        for _ in 0..5 {
            let (status, _) = server.get("/healthz").await;
            assert_eq!(status, 200, "a normal client is served meanwhile");
        }
    };
    let (cut_off, ()) = tokio::join!(tokio::time::timeout(BOUND, drip), others);
    assert!(cut_off.is_ok(), "the slow client was never disconnected");
    server.stop().await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let server = server(64).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: idle\r\n\r\n")
        .await
        .unwrap();
    let answered = closed_by_server(&mut stream).await;
    assert!(
        answered.starts_with(b"HTTP/1.1 200"),
        "served before it went idle: {}",
        String::from_utf8_lossy(&answered)
    );
    server.stop().await;
}

#[tokio::test]
async fn past_the_cap_a_connection_waits_until_one_frees() {
    let server = server(2).await;
    let silent = [
        TcpStream::connect(server.addr).await.unwrap(),
        TcpStream::connect(server.addr).await.unwrap(),
    ];
    let (status, _) = tokio::time::timeout(BOUND, server.get("/healthz"))
        .await
        .expect("served once a slot freed");
    assert_eq!(status, 200);
    assert!(
        silent.iter().any(already_closed),
        "the third connection was served while both slots were taken"
    );
    server.stop().await;
}
