//! A small HTTP client for the run: one keep-alive pool, the bearer token on every request,
//! and non-2xx answers turned into errors that show the body.

use std::time::Duration;

use anyhow::{Context, bail};
use bytes::Bytes;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde_json::Value;

#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    base: String,
}

impl Http {
    pub fn new(base: &str, token: &str, concurrency: usize) -> anyhow::Result<Http> {
        let mut headers = HeaderMap::new();
        let bearer = HeaderValue::from_str(&format!("Bearer {token}"))
            .context("the admin token is not a valid header value")?;
        headers.insert(AUTHORIZATION, bearer);
        let client = reqwest::Client::builder()
            .default_headers(headers)
            .pool_max_idle_per_host(concurrency.max(1) * 2)
            .tcp_nodelay(true)
            // Large enough for a full export of a million accounts.
            .timeout(Duration::from_secs(600))
            .no_proxy()
            .build()
            .context("building the HTTP client")?;
        Ok(Http {
            client,
            base: base.to_string(),
        })
    }

    /// Sends the request and reads the whole body (so the connection is reused).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> anyhow::Result<(StatusCode, Bytes)> {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            req = req.header("content-type", "application/json").body(body);
        }
        let resp = req
            .send()
            .await
            .with_context(|| format!("sending {path}"))?;
        let status = resp.status();
        let body = resp
            .bytes()
            .await
            .with_context(|| format!("reading {path}"))?;
        Ok((status, body))
    }

    /// As [`Http::send`], failing unless the status is 2xx.
    pub async fn ok(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> anyhow::Result<Bytes> {
        let (status, bytes) = self.send(method, path, body).await?;
        if !status.is_success() {
            let text = String::from_utf8_lossy(&bytes);
            let shown: String = text.chars().take(300).collect();
            bail!("{path} answered {status}: {shown}");
        }
        Ok(bytes)
    }

    pub async fn get(&self, path: &str) -> anyhow::Result<Bytes> {
        self.ok(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> anyhow::Result<Bytes> {
        self.ok(Method::POST, path, Some(serde_json::to_vec(body)?))
            .await
    }

    /// Streams a GET body, counting its lines, without holding it in memory.
    pub async fn count_lines(&self, path: &str) -> anyhow::Result<u64> {
        let mut resp = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .with_context(|| format!("sending {path}"))?;
        if !resp.status().is_success() {
            bail!("{path} answered {}", resp.status());
        }
        let mut lines = 0u64;
        while let Some(chunk) = resp
            .chunk()
            .await
            .with_context(|| format!("reading {path}"))?
        {
            lines += chunk.iter().filter(|b| **b == b'\n').count() as u64;
        }
        Ok(lines)
    }
}
