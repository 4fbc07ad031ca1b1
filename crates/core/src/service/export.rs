//! Streaming export. Placeholder.
