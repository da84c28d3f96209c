//! Integration tests in one binary: golden CLI outputs, the error catalogue, hand-checked vectors, properties.

mod bombs;
mod certificates;
mod errors;
mod excel;
mod golden;
mod props;
mod reconcile;
mod robust;
mod scenario;
mod util;
mod vectors;
