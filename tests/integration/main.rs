//! Integration tests in one binary: golden CLI outputs, the error catalogue, hand-checked vectors, properties.

mod errors;
mod golden;
mod props;
mod robust;
mod util;
mod vectors;
