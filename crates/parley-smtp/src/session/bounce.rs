//! DATA to a return path: a bounce of mail Parley sent (see `parley_app::bounces`). Answered
//! `250` once noted (or found to change nothing); never bounced back.

use tokio::io::{AsyncRead, AsyncWrite};

use super::Session;

impl<S: AsyncRead + AsyncWrite + Unpin + Send> Session<S> {
    pub(super) async fn bounce_received(&mut self, mails: &[String], raw: &[u8], too_big: bool) {
        if too_big {
            let limit = self.config.max_message_bytes;
            self.reply(
                552,
                &format!("5.3.4 Message too big: the limit is {limit} bytes"),
            );
            return;
        }
        for mail in mails {
            if let Err(error) = self.app.receive_bounce(mail, raw).await {
                tracing::error!(peer = %self.peer, %mail, error = %error.chain(), "relay: noting a bounce");
                self.reply(451, "4.3.0 Temporary failure, try again later");
                return;
            }
        }
        self.reply(250, "2.0.0 Bounce noted");
    }
}
