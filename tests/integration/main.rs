//! Integration tests in one binary: golden CLI outputs, the error catalogue, hand-checked vectors, properties.

mod errors;
mod golden;
mod props;
mod reconcile;
mod util;
mod vectors;
