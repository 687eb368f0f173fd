//! Delivered mail is kept whole for `mail_retention_days`, then pruned to what was sent to
//! whom and when; the requests' history stays whole.

use crate::both;
use crate::helpers::{Db, TestApp, raw_write};

both!(delivered_mail_is_pruned_to_its_metadata_after_the_retention);

async fn delivered_mail_is_pruned_to_its_metadata_after_the_retention(db: Db) {
    let t = TestApp::spawn_with_dev_mailbox(db).await;
    let (request, buyer) = t.request_from("FR", "ana@buyer.example").await;
    assert_eq!(
        t.say(&t.maker, &request, "Our quote follows.")
            .await
            .status(),
        201
    );
    let history = t.history_kinds(&buyer, &request).await;
    let queued = t.app.dev_mailbox(50).await.expect("mailbox");
    let announced = queued
        .iter()
        .find(|q| q.mail.kind == "new_request")
        .expect("the new request was announced")
        .clone();
    assert!(!announced.mail.text_body.is_empty());

    // Everything queued so far was delivered long ago; what follows is recent.
    raw_write(&t, "UPDATE outbox SET sent_at = 1000").await;
    let (later, _) = t.request_from("FR", "bea@buyer.example").await;
    let (mark, pruned) = t
        .app
        .prune_delivered_mail((i64::MIN, String::new()))
        .await
        .expect("prune");
    assert!(pruned >= queued.len(), "{pruned} of {}", queued.len());
    assert_eq!(mark.0, 1000);

    let mailbox = t.app.dev_mailbox(50).await.expect("mailbox");
    for mail in mailbox.iter().filter(|q| q.sent_at == Some(1000)) {
        assert!(mail.mail.text_body.is_empty(), "{:?}", mail.mail.kind);
        assert_eq!(mail.mail.html_body, None);
        assert_eq!(mail.mail.notice, None);
    }
    let kept = mailbox
        .iter()
        .find(|q| q.mail.id == announced.mail.id)
        .expect("its metadata stays");
    assert_eq!(
        (&kept.mail.recipient, &kept.mail.subject, &kept.mail.kind),
        (
            &announced.mail.recipient,
            &announced.mail.subject,
            &announced.mail.kind
        )
    );
    // Recent mail is whole; the history is untouched; a second pass starts where it stopped.
    let recent = mailbox
        .iter()
        .find(|q| q.sent_at != Some(1000) && q.mail.kind == "new_request")
        .expect("the later request's mail");
    assert!(!recent.mail.text_body.is_empty());
    assert_eq!(t.history_kinds(&buyer, &request).await, history);
    assert_eq!(
        t.get(&t.maker.token, &format!("/api/v1/requests/{later}"))
            .await
            .status(),
        200
    );
    let (_, again) = t.app.prune_delivered_mail(mark).await.expect("prune");
    assert_eq!(again, 0);
}
