//! Inzage domain core: the vocabulary of the light ECD (newtypes made only by
//! `parse`, the model's enums), the access policy as a pure function, the
//! audit-chain hashing and the injectable clock. No I/O lives here, so every
//! rule can be tested as a table.
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used)]

pub mod audit;
pub mod clock;
pub mod ids;
pub mod model;
pub mod policy;
pub mod smart;
pub mod types;

pub use clock::{Clock, FixedClock, SystemClock};
