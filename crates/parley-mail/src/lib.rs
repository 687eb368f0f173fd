//! Mail logic that needs no I/O, so it can be fuzzed and benchmarked alone: the reply
//! trimmer (quoted history and signatures off an emailed reply), MIME parsing, and hiding
//! real addresses in what the other side reads.

pub mod bounce;
pub mod inbound;
pub mod mask;
pub mod trim;
pub mod wrap;

pub use inbound::{Attachment, ParseError, ParsedEmail, parse_email};
pub use mask::{KnownAddress, mask_addresses};
pub use trim::trim_reply;
pub use wrap::wrap_long_lines;
