//! Prometheus metrics: one process-global recorder, and a middleware that counts requests.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub const REQUESTS_TOTAL: &str = "http_requests_total";
pub const REQUEST_DURATION: &str = "http_request_duration_seconds";

const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The handle of the process-global recorder, installed on first use. If another recorder was
/// installed first, a detached one is used so that `/metrics` still answers.
pub fn handle() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let builder = || {
            let builder = PrometheusBuilder::new();
            match builder.set_buckets_for_metric(Matcher::Full(REQUEST_DURATION.into()), BUCKETS) {
                Ok(b) => b,
                Err(_) => PrometheusBuilder::new(),
            }
        };
        match builder().install_recorder() {
            Ok(handle) => handle,
            Err(err) => {
                tracing::warn!(error = %err, "a metrics recorder is already installed");
                builder().build_recorder().handle()
            }
        }
    })
}

/// Counts every request and records its latency, by method, matched route, status and the
/// surface that answered.
pub async fn track(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    let surface = response
        .extensions()
        .get::<crate::kit::gate::SurfaceName>()
        .map_or("none", |s| s.0);
    let labels = [
        ("method", method),
        ("route", route),
        ("status", status),
        ("surface", surface.to_string()),
    ];
    metrics::counter!(REQUESTS_TOTAL, &labels).increment(1);
    metrics::histogram!(REQUEST_DURATION, &labels).record(start.elapsed().as_secs_f64());
    response
}
