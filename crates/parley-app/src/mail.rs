//! The emails Parley writes, in the recipient's language (French or English for now; the
//! other languages read English until translated), and the development mailbox.

use parley_domain::LanguageCode;
use parley_store::outbox::{self, Mail};
use uuid::Uuid;

use crate::{App, AppError, Caller, Settings};

fn language_of(caller: &Caller) -> LanguageCode {
    match caller {
        Caller::Member(member) => member.language,
        Caller::Buyer(buyer) => buyer.language,
        Caller::Marketplace(_) => LanguageCode::En,
    }
}

/// A plain-text mail from Parley's own address.
fn plain_mail(
    recipient: String,
    (subject, text_body): (String, String),
    kind: &str,
    at: i64,
) -> Mail {
    Mail {
        id: Uuid::now_v7().to_string(),
        recipient,
        subject,
        text_body,
        kind: kind.to_owned(),
        created_at: at,
        ..Mail::default()
    }
}

/// The sign-in link email.
pub(crate) fn sign_in_link(settings: &Settings, caller: &Caller, token: &str, at: i64) -> Mail {
    let base = settings.public_url.as_deref().unwrap_or_default();
    let url = format!("{base}/signin/{token}");
    let (recipient, name) = match caller {
        Caller::Member(member) => (member.email.to_string(), member.name.clone()),
        Caller::Buyer(buyer) => (buyer.email.to_string(), buyer.name.clone()),
        Caller::Marketplace(marketplace) => (String::new(), marketplace.name.clone()),
    };
    let (subject, text_body) = match language_of(caller) {
        LanguageCode::Fr => (
            "Votre lien de connexion Parley".to_owned(),
            format!(
                "Bonjour {name},\n\nOuvrez ce lien pour vous connecter à Parley (il fonctionne \
                 une fois, pendant 30 minutes) :\n{url}\n\nSi vous ne l'avez pas demandé, ignorez \
                 cet email : personne ne peut se connecter sans ce lien.\n"
            ),
        ),
        _ => (
            "Your Parley sign-in link".to_owned(),
            format!(
                "Hello {name},\n\nOpen this link to sign in to Parley (it works once, for 30 \
                 minutes):\n{url}\n\nIf you did not ask for it, ignore this email: nobody can \
                 sign in without the link.\n"
            ),
        ),
    };
    plain_mail(recipient, (subject, text_body), "sign_in_link", at)
}

/// The one notice an emailed reply's sender gets when some of its attachments were not passed
/// on (only PDF documents are): the reply itself was delivered.
pub(crate) fn attachments_set_aside(caller: &Caller, names: &[String], at: i64) -> Mail {
    let recipient = match caller {
        Caller::Member(member) => member.email.to_string(),
        Caller::Buyer(buyer) => buyer.email.to_string(),
        Caller::Marketplace(_) => String::new(),
    };
    let list: String = names.iter().map(|name| format!("- {name}\n")).collect();
    let (subject, text_body) = match language_of(caller) {
        LanguageCode::Fr => (
            "Parley : pièces jointes non transmises".to_owned(),
            format!(
                "Votre réponse a bien été transmise dans la conversation, sans ces pièces \
                 jointes (seuls les documents PDF le sont) :\n{list}\nEnvoyez-les en PDF pour \
                 qu'elles soient transmises.\n"
            ),
        ),
        _ => (
            "Parley: attachments not passed on".to_owned(),
            format!(
                "Your reply reached the conversation, without these attachments (only PDF \
                 documents are passed on):\n{list}\nSend them as PDF to pass them on.\n"
            ),
        ),
    };
    plain_mail(recipient, (subject, text_body), "attachments_set_aside", at)
}

/// The notice to the holder of a masked address that a reply sent as them was held: its
/// sender could not be verified. They release it if it was theirs (the link), or delete it.
pub(crate) fn reply_held(settings: &Settings, caller: &Caller, request: &str, at: i64) -> Mail {
    let recipient = match caller {
        Caller::Member(member) => member.email.to_string(),
        Caller::Buyer(buyer) => buyer.email.to_string(),
        Caller::Marketplace(_) => String::new(),
    };
    let base = settings.public_url.as_deref().unwrap_or_default();
    let url = format!("{base}/requests/{request}");
    let (subject, text_body) = match language_of(caller) {
        LanguageCode::Fr => (
            "Parley : une réponse à votre nom est retenue".to_owned(),
            format!(
                "Une réponse envoyée depuis votre adresse a été retenue : son expéditeur n'a pas                  pu être vérifié (le domaine de l'adresse ne l'a pas authentifiée). Elle n'est                  pas transmise.\n\nSi vous l'avez bien envoyée, libérez-la ; sinon,                  supprimez-la :\n{url}\n"
            ),
        ),
        _ => (
            "Parley: a reply in your name was held".to_owned(),
            format!(
                "A reply sent from your address was held: its sender could not be verified                  (your address's domain did not vouch for it). It has not been passed on.\n\n\
                 If you did send it, release it; otherwise delete it:\n{url}\n"
            ),
        ),
    };
    plain_mail(recipient, (subject, text_body), "reply_held", at)
}

/// The reminder to a buyer that a seller answered, with a one-time link to the request.
pub(crate) fn reminder(
    settings: &Settings,
    buyer: &parley_domain::Buyer,
    seller: &str,
    product: &str,
    token: &str,
    at: i64,
) -> Mail {
    let base = settings.public_url.as_deref().unwrap_or_default();
    let url = format!("{base}/signin/{token}");
    let name = &buyer.name;
    let (subject, text_body) = match buyer.language {
        LanguageCode::Fr => (
            format!("{seller} attend votre retour sur {product}"),
            format!(
                "Bonjour {name},\n\n{seller} a répondu à votre demande sur {product} et attend \
                 votre retour. Ouvrez la conversation (lien valable une fois, 30 minutes) :\n\
                 {url}\n"
            ),
        ),
        _ => (
            format!("{seller} is waiting for your reply about {product}"),
            format!(
                "Hello {name},\n\n{seller} answered your request about {product} and is \
                 waiting for your reply. Open the conversation (the link works once, for 30 \
                 minutes):\n{url}\n"
            ),
        ),
    };
    plain_mail(
        buyer.email.to_string(),
        (subject, text_body),
        "buyer_reminder",
        at,
    )
}

/// The automatic reminder of a request its handler has not handled yet.
pub(crate) fn handle_reminder(
    settings: &Settings,
    member: &parley_domain::Member,
    (product, company): (&str, Option<&str>),
    request: parley_domain::RequestId,
    at: i64,
) -> Mail {
    let base = settings.public_url.as_deref().unwrap_or_default();
    let url = format!("{base}/requests/{request}");
    let name = &member.name;
    let from = company.map(|c| format!(" ({c})")).unwrap_or_default();
    let (subject, text_body) = match member.language {
        LanguageCode::Fr => (
            format!("Rappel : une demande attend votre réponse — {product}"),
            format!(
                "Bonjour {name},\n\nUne demande sur {product}{from} attend toujours votre \
                 réponse. Traiter la demande :\n{url}\n\nVous pouvez désactiver ces rappels \
                 dans Mon équipe.\n"
            ),
        ),
        _ => (
            format!("Reminder: a request is waiting for your answer — {product}"),
            format!(
                "Hello {name},\n\nA request about {product}{from} is still waiting for your \
                 answer. Handle the request:\n{url}\n\nYou can turn these reminders off in \
                 My team.\n"
            ),
        ),
    };
    plain_mail(
        member.email.to_string(),
        (subject, text_body),
        "handle_reminder",
        at,
    )
}

/// The automatic reminder to a buyer of a quote about to expire.
pub(crate) fn quote_reminder(
    settings: &Settings,
    buyer: &parley_domain::Buyer,
    (seller, product): (&str, &str),
    valid_until: Option<parley_domain::Timestamp>,
    token: &str,
    at: i64,
) -> Mail {
    let base = settings.public_url.as_deref().unwrap_or_default();
    let url = format!("{base}/signin/{token}");
    let name = &buyer.name;
    let day = valid_until
        .map(|t| t.to_rfc3339()[..10].to_owned())
        .unwrap_or_default();
    let (subject, text_body) = match buyer.language {
        LanguageCode::Fr => (
            format!("Le devis de {seller} pour {product} expire le {day}"),
            format!(
                "Bonjour {name},\n\nLe devis de {seller} pour {product} est valable jusqu'au \
                 {day}. Ouvrez-le pour l'accepter ou le refuser (lien valable une fois, 30 \
                 minutes) :\n{url}\n"
            ),
        ),
        _ => (
            format!("{seller}'s quote for {product} expires on {day}"),
            format!(
                "Hello {name},\n\n{seller}'s quote for {product} is valid until {day}. Open \
                 it to accept or decline it (the link works once, for 30 minutes):\n{url}\n"
            ),
        ),
    };
    plain_mail(
        buyer.email.to_string(),
        (subject, text_body),
        "quote_reminder",
        at,
    )
}

impl App {
    /// The latest queued mail, for the development mailbox; `NotFound` unless it is enabled.
    pub async fn dev_mailbox(&self, limit: u32) -> Result<Vec<outbox::Queued>, AppError> {
        Ok(self.dev_mailbox_page(limit, None).await?.0)
    }

    /// A page of the development mailbox: up to `limit` mails queued before the `before`
    /// cursor (none: the latest), and the cursor of the next page when there is one.
    pub async fn dev_mailbox_page(
        &self,
        limit: u32,
        before: Option<&str>,
    ) -> Result<(Vec<outbox::Queued>, Option<String>), AppError> {
        if !self.settings.dev_mailbox {
            return Err(AppError::NotFound);
        }
        let before = before.and_then(|cursor| {
            let (at, id) = cursor.split_once('.')?;
            Some((at.parse().ok()?, id))
        });
        let mut conn = self.store.read().await?;
        let mut mails = outbox::recent_before(&mut conn, limit + 1, before).await?;
        let next = (mails.len() > limit as usize).then(|| {
            mails.truncate(limit as usize);
            mails
                .last()
                .map(|q| format!("{}.{}", q.mail.created_at, q.mail.id))
                .unwrap_or_default()
        });
        Ok((crate::outbox::rendered(mails), next))
    }
}
