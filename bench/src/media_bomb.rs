//! The `media-bomb` scenario: decompression bombs, PNGs of a few megabytes
//! declaring 12,000 × 12,000 RGBA (576 MB decoded each), uploaded and
//! confirmed all at once. Each must be refused (`BAD_USER_INPUT`, nothing
//! `READY`) and the server's peak memory stay low (target: ≤ 300 MiB).

use std::time::Instant;

use anyhow::Context;
use serde_json::json;

use crate::media::gql;
use crate::server::Server;

/// A valid PNG of `width`×`height` black RGBA pixels whose pixel data is one
/// fixed-Huffman deflate block of 258-byte runs (13 bits per 258 bytes).
fn png_bomb(width: u32, height: u32) -> Vec<u8> {
    let raw = u64::from(height) * (1 + u64::from(width) * 4);
    let mut bits = Bits::default();
    bits.put(1, 1); // last block
    bits.put(1, 2); // fixed Huffman codes
    bits.code(0x30, 8); // literal 0
    let mut left = raw - 1;
    while left >= 258 {
        bits.code(0b1100_0101, 8); // length 258
        bits.code(0, 5); // distance 1
        left -= 258;
    }
    for _ in 0..left {
        bits.code(0x30, 8);
    }
    bits.code(0, 7); // end of block
    let mut zlib = vec![0x78, 0x01];
    zlib.extend(bits.finish());
    let adler = (((raw % 65_521) as u32) << 16) | 1;
    zlib.extend(adler.to_be_bytes());
    let mut ihdr = Vec::new();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(b"IHDR", ihdr), (b"IDAT", zlib), (b"IEND", Vec::new())] {
        out.extend((data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend(kind);
        out.extend(&data);
        let crc = crc32(&out[start..]);
        out.extend(crc.to_be_bytes());
    }
    out
}

#[derive(Default)]
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, value: u32, len: u32) {
        self.acc |= u64::from(value) << self.n;
        self.n += len;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    fn code(&mut self, code: u32, len: u32) {
        self.put(code.reverse_bits() >> (32 - len), len);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Creates and PUTs one upload of `body`; its asset id.
async fn put_upload(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    coop: &str,
    body: &[u8],
) -> anyhow::Result<String> {
    let data = gql(
        client,
        url,
        token,
        "mutation($i: CreateUploadInput!) { createUpload(input: $i) { upload { asset { id } uploadUrl requiredHeaders { name value } } userErrors { code message } } }",
        json!({ "i": { "cooperativeId": coop, "purpose": "PRODUCT_IMAGE", "contentType": "image/png", "byteSize": body.len() } }),
    )
    .await?;
    let upload = &data["createUpload"]["upload"];
    let mut put = client.put(upload["uploadUrl"].as_str().context("uploadUrl")?);
    for h in upload["requiredHeaders"].as_array().context("headers")? {
        let name = h["name"].as_str().unwrap_or_default();
        if !name.eq_ignore_ascii_case("content-length") {
            put = put.header(name, h["value"].as_str().unwrap_or_default());
        }
    }
    let status = put.body(body.to_vec()).send().await?.status();
    anyhow::ensure!(status.is_success(), "PUT to storage: {status}");
    Ok(upload["asset"]["id"]
        .as_str()
        .context("asset id")?
        .to_owned())
}

/// Runs the scenario with `bombs` uploads confirmed at once and prints its
/// figures.
pub async fn run(binary: &std::path::Path, bombs: usize) -> anyhow::Result<()> {
    let server = Server::start(binary).await?;
    let token = server.register("bombs@farmstream.test").await?;
    let client = reqwest::Client::new();
    let url = server.graphql_url();
    let coop = gql(
        &client,
        &url,
        &token,
        "mutation { createCooperative(input: { name: \"HTX Bench\", address: { province: \"Sơn La\", ward: \"Xã Vân Hồ\" } }) { cooperative { id } userErrors { code message } } }",
        json!({}),
    )
    .await?["createCooperative"]["cooperative"]["id"]
        .as_str()
        .context("cooperative id")?
        .to_owned();
    let bomb = png_bomb(12_000, 12_000);
    let mut ids = Vec::new();
    for _ in 0..bombs {
        ids.push(put_upload(&client, &url, &token, &coop, &bomb).await?);
    }
    let rss_before = server.rss_kib()?;
    let started = Instant::now();
    let answers = futures_util::future::join_all(ids.iter().map(|id| {
        client
            .post(&url)
            .bearer_auth(&token)
            .json(&json!({
                "query": "mutation($id: ID!) { confirmUpload(assetId: $id) { mediaAsset { status } userErrors { code message } } }",
                "variables": { "id": id },
            }))
            .send()
    }))
    .await;
    let elapsed = started.elapsed();
    let mut refused = 0;
    let mut ready = 0;
    for answer in answers {
        let body: serde_json::Value = answer?.json().await?;
        if crate::server::failure(&body) == Some("INVALID") {
            refused += 1;
        } else if body["data"]["confirmUpload"]["mediaAsset"]["status"] == "READY" {
            ready += 1;
        } else {
            eprintln!("unexpected answer: {body}");
        }
    }
    println!(
        "scenario: media-bomb ({bombs} PNGs of {:.1} MiB declaring 12,000 × 12,000 RGBA = 576 MB decoded each, confirmed at once)",
        bomb.len() as f64 / (1024.0 * 1024.0)
    );
    println!(
        "answers: {refused} refused (INVALID), {ready} READY (must be 0), in {:.0} ms",
        elapsed.as_secs_f64() * 1000.0
    );
    println!(
        "server RSS: {:.1} MiB before confirming, {:.1} MiB after; peak {:.1} MiB (target ≤ 300 MiB)",
        rss_before as f64 / 1024.0,
        server.rss_kib()? as f64 / 1024.0,
        server.peak_rss_kib()? as f64 / 1024.0
    );
    server.stop().await;
    anyhow::ensure!(ready == 0, "{ready} bombs were confirmed READY");
    Ok(())
}
