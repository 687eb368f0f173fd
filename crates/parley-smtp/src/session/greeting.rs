//! EHLO and HELO.

use smtp_proto::{
    EXT_8BIT_MIME, EXT_ENHANCED_STATUS_CODES, EXT_PIPELINING, EXT_SIZE, EXT_START_TLS, EhloResponse,
};
use tokio::io::{AsyncRead, AsyncWrite};

use super::{Envelope, Session};

impl<S: AsyncRead + AsyncWrite + Unpin + Send> Session<S> {
    pub(super) fn ehlo(&mut self, host: String) {
        self.envelope = Envelope {
            helo: Some(host),
            ..Envelope::default()
        };
        let mut response = EhloResponse::new(self.config.hostname.as_str());
        response.capabilities =
            EXT_SIZE | EXT_PIPELINING | EXT_8BIT_MIME | EXT_ENHANCED_STATUS_CODES;
        if self.config.tls.is_some() && !self.tls {
            response.capabilities |= EXT_START_TLS;
        }
        response.size = self.config.max_message_bytes;
        // Writing to a Vec cannot fail.
        let _ = response.write(&mut self.out);
    }

    pub(super) fn helo(&mut self, host: String) {
        self.envelope = Envelope {
            helo: Some(host),
            ..Envelope::default()
        };
        let hostname = self.config.hostname.clone();
        self.reply(250, &hostname);
    }
}
