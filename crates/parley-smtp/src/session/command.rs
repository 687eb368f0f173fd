//! Commands as the session handles them: owned, so the parser's buffer is free again.

use std::borrow::Cow;

use smtp_proto::Request;

pub(super) enum Command {
    Ehlo(String),
    Helo(String),
    Mail {
        address: String,
        size: usize,
    },
    Rcpt(String),
    Data,
    Rset,
    Noop,
    Vrfy,
    StartTls,
    Quit,
    /// Known to SMTP, not offered here (AUTH, BDAT, ETRN…).
    Unsupported(&'static str),
    Invalid(smtp_proto::Error),
}

impl From<Request<Cow<'_, str>>> for Command {
    fn from(request: Request<Cow<'_, str>>) -> Self {
        match request {
            Request::Ehlo { host } => Self::Ehlo(host.into_owned()),
            Request::Helo { host } => Self::Helo(host.into_owned()),
            Request::Mail { from } => Self::Mail {
                address: from.address.into_owned(),
                size: from.size,
            },
            Request::Rcpt { to } => Self::Rcpt(to.address.into_owned()),
            Request::Data => Self::Data,
            Request::Rset => Self::Rset,
            Request::Noop { .. } => Self::Noop,
            Request::Vrfy { .. } => Self::Vrfy,
            Request::StartTls => Self::StartTls,
            Request::Quit => Self::Quit,
            other => Self::Unsupported(other.name()),
        }
    }
}

/// The reply to a command that did not parse.
pub(super) fn describe(error: &smtp_proto::Error) -> (u16, &'static str) {
    match error {
        smtp_proto::Error::UnknownCommand => (500, "5.5.1 Unknown command"),
        smtp_proto::Error::InvalidSenderAddress => (501, "5.1.7 Bad sender address syntax"),
        smtp_proto::Error::InvalidRecipientAddress => (501, "5.1.3 Bad recipient address syntax"),
        smtp_proto::Error::ResponseTooLong => (500, "5.5.2 Line too long"),
        smtp_proto::Error::InvalidParameter { .. }
        | smtp_proto::Error::UnsupportedParameter { .. } => {
            (555, "5.5.4 Parameter not recognized or not implemented")
        }
        _ => (501, "5.5.2 Syntax error"),
    }
}
