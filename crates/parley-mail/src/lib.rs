//! Mail logic that needs no I/O, so it can be fuzzed and benchmarked alone: the reply
//! trimmer (quoted history and signatures off an emailed reply) and MIME parsing.

pub mod inbound;
pub mod trim;

pub use inbound::{Attachment, ParseError, ParsedEmail, parse_email};
pub use trim::trim_reply;
