//! Integration tests in one binary: golden CLI outputs, the error catalogue, hand-checked vectors, properties.

mod allocation;
mod audit;
mod bombs;
mod certificates;
mod errors;
mod excel;
mod fixes;
mod fixes2;
mod golden;
mod hostile;
mod ledger;
mod model_a;
mod model_b;
mod model_c;
mod pipeline;
mod props;
mod reconcile;
mod robust;
mod scenario;
mod util;
mod vectors;
