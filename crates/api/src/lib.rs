//! orgstore's HTTP surfaces: the native `/v1` API and the vendor APIs, each a module of one
//! HTTP kit ([`kit`]) over the one service layer. Handlers only translate HTTP to
//! [`Service`] calls and back.
//!
//! A surface is mounted with one line in [`router_with`].

pub mod kit;
pub mod metrics;
pub mod native;

use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use orgstore_core::service::Service;
use utoipa::openapi::OpenApi;

use kit::fallback::Fallbacks;
use kit::{RateLimitConfig, RateLimiter, Surface, SurfaceRoutes};

/// What the server's operator configures about the HTTP layer.
#[derive(Debug, Clone, Default)]
pub struct ApiConfig {
    pub rate_limit: RateLimitConfig,
}

/// The state every handler of every surface shares.
#[derive(Clone)]
pub struct AppState {
    pub service: Service,
    pub limiter: Arc<RateLimiter>,
    /// The OpenAPI document of every mounted surface, as JSON, set once the app is built.
    pub openapi: Arc<OnceLock<Bytes>>,
}

/// The app being assembled: surfaces are mounted one by one, then [`App::finish`] adds the
/// fallbacks and the layers every request goes through.
pub struct App {
    state: AppState,
    router: Router<AppState>,
    openapi: Option<OpenApi>,
    fallbacks: Fallbacks,
}

impl App {
    pub fn new(service: Service, config: ApiConfig) -> Self {
        App {
            state: AppState {
                service,
                limiter: Arc::new(RateLimiter::new(config.rate_limit)),
                openapi: Arc::default(),
            },
            router: Router::new(),
            openapi: None,
            fallbacks: Fallbacks::default(),
        }
    }

    /// Adds a surface: its routes, its paths in the OpenAPI document and its fallbacks. The
    /// first surface mounted answers for paths no surface claims.
    pub fn mount<S: Surface>(mut self, routes: SurfaceRoutes<S>) -> Self {
        let (router, doc) = routes.build(&self.state);
        self.router = self.router.merge(router);
        match &mut self.openapi {
            Some(openapi) => openapi.merge(doc),
            None => self.openapi = Some(doc),
        }
        self.fallbacks.add::<S>();
        self
    }

    pub fn finish(self) -> Router {
        // Install the global recorder now, so that the first request is counted.
        let _ = metrics::handle();
        let document = self
            .openapi
            .and_then(|doc| serde_json::to_vec(&doc).ok())
            .unwrap_or_default();
        let _ = self.state.openapi.set(Bytes::from(document));
        let fallbacks = Arc::new(self.fallbacks);
        let (not_found, not_allowed) = (Arc::clone(&fallbacks), fallbacks);
        self.router
            .fallback(move |uri: axum::http::Uri| async move { not_found.not_found(&uri) })
            .method_not_allowed_fallback(
                move |method: axum::http::Method, uri: axum::http::Uri| async move {
                    not_allowed.method_not_allowed(&method, &uri)
                },
            )
            // Each route reads its body with its own limit (bulk create takes more).
            .layer(DefaultBodyLimit::disable())
            .layer(axum::middleware::from_fn(metrics::track))
            .with_state(self.state)
    }
}

/// Every surface, with the default configuration.
pub fn router(service: Service) -> Router {
    router_with(service, ApiConfig::default())
}

/// Every surface: one line each.
pub fn router_with(service: Service, config: ApiConfig) -> Router {
    App::new(service, config).mount(native::routes()).finish()
}
