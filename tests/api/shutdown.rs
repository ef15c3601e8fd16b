//! Graceful shutdown: requests in flight finish, and the server always exits.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

use crate::helpers::settings_for;

async fn start(
    shutdown_secs: &str,
) -> (
    std::net::SocketAddr,
    CancellationToken,
    tokio::task::JoinHandle<()>,
    tempfile::TempDir,
) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = settings_for(dir.path()).await;
    settings.insert(
        "FARMSTREAM_SHUTDOWN_TIMEOUT_SECS".into(),
        shutdown_secs.into(),
    );
    let config = farmstream::config::Config::from_source(&settings).expect("config");
    let app = farmstream::app::App::start(config).await.expect("starts");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    let server = tokio::spawn(async move {
        app.serve(listener, stop).await.expect("serves");
    });
    (addr, shutdown, server, dir)
}

const BODY: &str = r#"{"query":"{ __typename }"}"#;

/// Sends the headers and the first half of a request, leaving it in flight.
async fn half_request(addr: std::net::SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        BODY.len()
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    stream
        .write_all(&BODY.as_bytes()[..10])
        .await
        .expect("write");
    stream
}

#[tokio::test]
async fn a_request_in_flight_at_shutdown_completes() {
    let (addr, shutdown, server, _dir) = start("10").await;
    let mut stream = half_request(addr).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    shutdown.cancel();
    tokio::time::sleep(Duration::from_millis(200)).await;
    stream
        .write_all(&BODY.as_bytes()[10..])
        .await
        .expect("rest of the body");
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), async {
        let mut buf = [0u8; 4096];
        loop {
            let n = stream.read(&mut buf).await.expect("read");
            if n == 0 {
                break;
            }
            response.extend_from_slice(&buf[..n]);
            if String::from_utf8_lossy(&response).contains("\"Query\"") {
                break;
            }
        }
    })
    .await
    .expect("the response arrives");
    let text = String::from_utf8_lossy(&response);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains(r#""__typename":"Query""#), "{text}");
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("the server stops once the request is done")
        .expect("no panic");
    // New connections are refused after shutdown.
    assert!(TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn a_stuck_request_cannot_keep_the_server_alive_past_the_timeout() {
    let (addr, shutdown, server, _dir) = start("1").await;
    let _stuck = half_request(addr).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = std::time::Instant::now();
    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("the server exits by its deadline")
        .expect("no panic");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "it waited for the request first"
    );
}
