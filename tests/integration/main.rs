//! Integration tests in one binary: golden CLI outputs, the error catalogue, hand-checked vectors, properties.

mod errors;
mod excel;
mod golden;
mod props;
mod util;
mod vectors;
