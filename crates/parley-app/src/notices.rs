//! Who hears about a new message, and from which masked address.

use parley_domain::{Document, DocumentKind, Member, Message};
use parley_store::relay::HolderKind;

use crate::notify::{self, Conversation, NewMessage, Notice, Recipient};
use crate::{App, Caller};

impl App {
    /// The notices of `message`: the other side hears of it; a web or API sender gets a copy
    /// (guide FAQ f); people a seller copied get it too, and may answer (FAQ d). An emailed
    /// reply gets no copy: it is in its author's mailbox already.
    pub(crate) fn notices(
        &self,
        caller: &Caller,
        message: &Message,
        documents: &[Document],
        conversation: &Conversation<'_>,
        sellers: &[Member],
    ) -> Vec<Notice> {
        let settings = &self.settings;
        let at = message.created_at.0;
        let author_name = caller.actor().name;
        let new_message = NewMessage {
            author_name: &author_name,
            body: &message.body,
            documents: documents.iter().map(document_label).collect(),
        };
        let emailed = message.email.is_some();
        let mut notices = Vec::new();
        match caller {
            Caller::Member(member) => {
                notices.push(notify::seller_message_to_buyer(
                    settings,
                    conversation,
                    &new_message,
                    at,
                ));
                let member_id = member.id.to_string();
                if !emailed {
                    notices.push(notify::copy_of_message(
                        settings,
                        conversation,
                        &new_message,
                        Recipient {
                            holder_kind: HolderKind::Member,
                            holder_id: &member_id,
                            email: message.sender.as_str(),
                            language: member.language,
                        },
                        at,
                    ));
                }
                for cc in &message.cc {
                    notices.push(notify::copy_of_message(
                        settings,
                        conversation,
                        &new_message,
                        Recipient {
                            holder_kind: HolderKind::Cc,
                            holder_id: &member_id,
                            email: cc.as_str(),
                            language: member.language,
                        },
                        at,
                    ));
                }
            }
            Caller::Buyer(buyer) => {
                for seller in sellers {
                    notices.push(notify::buyer_message_to_member(
                        settings,
                        conversation,
                        &new_message,
                        seller,
                        at,
                    ));
                }
                if !emailed {
                    let buyer_id = buyer.id.to_string();
                    notices.push(notify::copy_of_message(
                        settings,
                        conversation,
                        &new_message,
                        Recipient {
                            holder_kind: HolderKind::Buyer,
                            holder_id: &buyer_id,
                            email: buyer.email.as_str(),
                            language: buyer.language,
                        },
                        at,
                    ));
                }
            }
            Caller::Marketplace(_) => {}
        }
        notices
    }
}

fn document_label(document: &Document) -> String {
    match document.kind {
        DocumentKind::Quote => format!("{} (quote)", document.filename),
        DocumentKind::Other => document.filename.clone(),
    }
}
