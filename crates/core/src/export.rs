//! Export encodings (NDJSON, CSV). Placeholder.
