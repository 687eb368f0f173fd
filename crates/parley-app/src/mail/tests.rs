//! Every email Parley writes, rendered in each of the nine languages: snapshots for review
//! (`snapshots/`), and a check that none but English's carries an English sentence.

use parley_domain::{
    Buyer, BuyerId, CountryCode, Document, DocumentId, DocumentKind, EmailAddress, LanguageCode,
    Member, MemberId, MessageId, OrganizationId, RequestId, ThreadId, Timestamp,
};
use parley_store::outbox::Mail;
use parley_store::relay::HolderKind;

use super::conversation::{self, Conversation, NewMessage, Recipient};
use super::network::{self, Handover};
use super::{automatic_copy, notice, plain};
use crate::{Caller, Settings};

/// Phrases of English emails that a forgotten translation would leave (names and the product
/// in these emails are chosen so that none contains them).
const ENGLISH: [&str; 22] = [
    "Hello ",
    "Reply",
    "wrote to you",
    "Attached documents",
    "Thank you",
    "Reminder",
    "Order confirmed",
    "Billing",
    "Delivery",
    "new messages",
    "Copy:",
    "Your ",
    "Sign in",
    "New request",
    "(quote)",
    "forwarded you",
    "put you in copy",
    "is waiting",
    "expires on",
    "attachments",
    "was held",
    "Forward",
];

fn settings() -> Settings {
    Settings {
        public_url: Some("https://parley.example".to_owned()),
        ..Settings::default()
    }
}

fn address(text: &str) -> EmailAddress {
    EmailAddress::parse(text).expect("address")
}

fn buyer(language: LanguageCode) -> Buyer {
    Buyer {
        id: BuyerId::new(),
        name: "Ana Silva".to_owned(),
        company: Some("Solaris".to_owned()),
        country: CountryCode::parse("PT").expect("country"),
        language,
        email: address("ana@solaris.example"),
        phone: None,
    }
}

fn member(language: LanguageCode) -> Member {
    Member {
        id: MemberId::new(),
        organization_id: OrganizationId::new(),
        name: "Jonas Weber".to_owned(),
        email: address("jonas@alpen.example"),
        phone: None,
        language,
    }
}

fn quote_document(request: RequestId) -> Document {
    Document {
        id: DocumentId::new(),
        message_id: MessageId::new(),
        thread_id: ThreadId::new(),
        request_id: request,
        kind: DocumentKind::Quote,
        filename: "HT-200.pdf".to_owned(),
        content_type: "application/pdf".to_owned(),
        size_bytes: 1000,
        sha256: String::new(),
        storage_key: String::new(),
        created_at: Timestamp(0),
    }
}

/// A mail as its recipient reads it: a notice quoting a message is rendered with it.
fn read(mut mail: Mail) -> Mail {
    if let Some(notice) = &mut mail.notice {
        notice.quote = "HT-200 ×2".to_owned();
    }
    notice::render_stored(&mut mail).expect("stored notice");
    mail
}

/// Every kind of email, each to a person speaking `language`.
fn every_email(language: LanguageCode) -> Vec<Mail> {
    let settings = settings();
    let (buyer, member) = (buyer(language), member(language));
    let request = RequestId::new();
    let conversation = Conversation {
        request_id: request.to_string(),
        thread_id: ThreadId::new().to_string(),
        product: "HT-200",
        party_name: "Alpen Vertrieb",
        buyer: &buyer,
    };
    let documents = [quote_document(request)];
    let message = |quote: bool| NewMessage {
        id: MessageId::new().to_string(),
        author_name: "Jonas Weber",
        body: "HT-200 ×2",
        documents: if quote { &documents } else { &[] },
        quote,
    };
    let member_id = member.id.to_string();
    let mut gathered = conversation::buyer_message_to_member(
        &settings,
        &conversation,
        &message(false),
        &member,
        0,
    )
    .mail;
    notice::gathered(&mut gathered, 3);
    let (caller_buyer, caller_member) =
        (Caller::Buyer(buyer.clone()), Caller::Member(member.clone()));
    let order = plain::OrderConfirmed {
        buyer: "Ana Silva",
        version: 2,
        paid_online: true,
        billing: "Rua 1, Lisboa",
        delivery: "Rua 2, Porto",
        request,
    };
    vec![
        conversation::new_request_to_member(&settings, &conversation, "HT-200 ×2", &member, 0).mail,
        conversation::seller_message_to_buyer(&settings, &conversation, &message(true), 0).mail,
        conversation::seller_message_to_buyer(&settings, &conversation, &message(false), 0).mail,
        conversation::buyer_message_to_member(
            &settings,
            &conversation,
            &message(false),
            &member,
            0,
        )
        .mail,
        gathered,
        conversation::copy_of_message(
            &settings,
            &conversation,
            &message(true),
            Recipient {
                holder_kind: HolderKind::Member,
                holder_id: &member_id,
                email: "jonas@alpen.example",
                language,
            },
            0,
        )
        .mail,
        network::handed_over(
            &settings,
            &conversation,
            "HT-200 ×2",
            &Handover::Forwarded {
                by: "Marie Curie",
                note: "HT-200 ×2",
            },
            &member,
            "token",
            0,
        )
        .mail,
        network::handed_over(
            &settings,
            &conversation,
            "HT-200 ×2",
            &Handover::Copied { by: "Marie Curie" },
            &member,
            "token",
            0,
        )
        .mail,
        network::declined_to_buyer(&settings, &conversation, 0).mail,
        automatic_copy::request_copy(
            &conversation,
            "HT-200 ×2",
            &address("copy@alpen.example"),
            language,
            0,
        ),
        plain::sign_in_link(&settings, &caller_member, "token", 0),
        plain::attachments_set_aside(&caller_buyer, &["photo.heic".to_owned()], 0),
        plain::reply_held(&settings, &caller_buyer, &request.to_string(), 0),
        plain::reminder(&settings, &buyer, "Alpen Vertrieb", "HT-200", "token", 0),
        plain::handle_reminder(&settings, &member, ("HT-200", Some("Solaris")), request, 0),
        plain::quote_reminder(
            &settings,
            &buyer,
            ("Alpen Vertrieb", "HT-200"),
            Some(Timestamp(1_796_083_200_000)),
            "token",
            0,
        ),
        plain::order_confirmed(&settings, &member, &order, 0),
    ]
    .into_iter()
    .map(read)
    .collect()
}

/// The emails as a reviewer reads them: kind, subject, text; ids and tokens replaced.
fn transcript(mails: &[Mail]) -> String {
    let mut out = String::new();
    for mail in mails {
        out.push_str(&format!(
            "=== {}\nSubject: {}\n\n{}\n",
            mail.kind, mail.subject, mail.text_body
        ));
    }
    let ids = uuids_in(&out);
    ids.into_iter()
        .fold(out, |text, id| text.replace(&id, "[id]"))
}

/// The UUIDs in `text` (request ids in links change with every run).
fn uuids_in(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
        .filter(|word| word.len() == 36 && word.matches('-').count() == 4)
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_email_reads_in_its_recipients_language() {
    for language in LanguageCode::ALL {
        let mails = every_email(language);
        for mail in &mails {
            let html = mail.html_body.as_deref().unwrap_or_default();
            if !html.is_empty() {
                assert!(
                    html.contains(&format!("<html lang=\"{}\">", language.code())),
                    "{}",
                    mail.kind
                );
            }
            if language == LanguageCode::En {
                continue;
            }
            for text in [mail.subject.as_str(), mail.text_body.as_str(), html] {
                let left: Vec<&&str> = ENGLISH
                    .iter()
                    .filter(|phrase| text.contains(**phrase))
                    .collect();
                assert!(
                    left.is_empty(),
                    "{} {}: English left {left:?} in\n{text}",
                    language.code(),
                    mail.kind
                );
            }
        }
        insta::assert_snapshot!(format!("emails_{}", language.code()), transcript(&mails));
    }
}

#[test]
fn the_english_emails_still_say_what_they_said() {
    let mails = every_email(LanguageCode::En);
    let text = transcript(&mails);
    for phrase in ENGLISH {
        assert!(text.contains(phrase), "English emails lost {phrase:?}");
    }
}
