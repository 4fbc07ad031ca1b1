//! Mounting a surface: its write routes behind `Idempotency-Key`, its read routes without,
//! both behind the surface's gate (credentials and rate limits), with the OpenAPI paths
//! collected from the handlers' `#[utoipa::path]` annotations so that the document cannot
//! drift from the routes.

use std::marker::PhantomData;

use axum::Router;
use axum::middleware::from_fn_with_state;
use utoipa::openapi::OpenApi;
use utoipa::openapi::path::Operation;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

use super::{Surface, gate, idempotency};
use crate::AppState;

/// The routes of surface `S`, split by whether their POSTs write.
pub struct SurfaceRoutes<S> {
    writes: OpenApiRouter<AppState>,
    reads: OpenApiRouter<AppState>,
    surface: PhantomData<fn() -> S>,
}

impl<S: Surface> Default for SurfaceRoutes<S> {
    fn default() -> Self {
        SurfaceRoutes::with_openapi(OpenApi::default())
    }
}

impl<S: Surface> SurfaceRoutes<S> {
    /// Starts from a document carrying the surface's info, components and tags.
    pub fn with_openapi(openapi: OpenApi) -> Self {
        SurfaceRoutes {
            writes: OpenApiRouter::with_openapi(openapi),
            reads: OpenApiRouter::default(),
            surface: PhantomData,
        }
    }

    /// Routes whose POSTs write: `Idempotency-Key` applies to them.
    pub fn writes(mut self, routes: UtoipaMethodRouter<AppState>) -> Self {
        self.writes = self.writes.routes(routes);
        self
    }

    /// Routes that only read, including POSTs that query, search, list or export.
    pub fn reads(mut self, routes: UtoipaMethodRouter<AppState>) -> Self {
        self.reads = self.reads.routes(routes);
        self
    }

    /// A whole router of write routes (for surfaces that nest one set of routes under
    /// several prefixes).
    pub fn write_router(mut self, router: OpenApiRouter<AppState>) -> Self {
        self.writes = self.writes.merge(router);
        self
    }

    /// A whole router of read routes.
    pub fn read_router(mut self, router: OpenApiRouter<AppState>) -> Self {
        self.reads = self.reads.merge(router);
        self
    }

    /// The surface's OpenAPI document alone, every operation tagged with the surface's name.
    pub fn openapi(self) -> OpenApi {
        let (_, mut openapi) = self.writes.split_for_parts();
        openapi.merge(self.reads.split_for_parts().1);
        tag_operations(&mut openapi, S::NAME);
        openapi
    }

    /// The surface's router, with its layers, and its OpenAPI document, every operation
    /// tagged with the surface's name.
    pub fn build(self, state: &AppState) -> (Router<AppState>, OpenApi) {
        let (writes, mut openapi) = self.writes.split_for_parts();
        let (reads, read_doc) = self.reads.split_for_parts();
        openapi.merge(read_doc);
        tag_operations(&mut openapi, S::NAME);
        let writes = writes.layer(from_fn_with_state(state.clone(), idempotency::guard::<S>));
        let router = writes
            .merge(reads)
            .layer(from_fn_with_state(state.clone(), gate::gate::<S>));
        (router, openapi)
    }
}

fn tag_operations(openapi: &mut OpenApi, tag: &str) {
    for item in openapi.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            add_tag(operation, tag);
        }
    }
}

fn add_tag(operation: &mut Operation, tag: &str) {
    let tags = operation.tags.get_or_insert_with(Vec::new);
    if !tags.iter().any(|t| t == tag) {
        tags.push(tag.to_string());
    }
}
