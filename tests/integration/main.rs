//! Integration tests in one binary: golden CLI outputs, the error catalogue, hand-checked vectors, properties.

mod allocation;
mod bombs;
mod certificates;
mod errors;
mod examples_east;
mod examples_west;
mod excel;
mod fixes;
mod fixes2;
mod golden;
mod group;
mod hostile;
mod ledger;
mod library;
mod model_a;
mod model_b;
mod model_c;
mod open_model;
mod pipeline;
mod props;
mod reconcile;
mod robust;
mod scenario;
mod units_open;
mod util;
mod vectors;
