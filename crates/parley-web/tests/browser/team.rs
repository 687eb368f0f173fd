//! "My team" on a phone: an admin invites a colleague from /team, the colleague signs in from
//! the link in the dev mailbox and answers a request of their organization.

use crate::driver::{Driver, available, find, screenshot, text_with};
use crate::flows::sign_in;
use crate::helpers::{Db, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_invites_a_colleague_who_answers_a_request() {
    if !available() {
        return;
    }
    let app = TestApp::spawn_with_dev_mailbox(Db::Sqlite).await;
    let (request, _) = app.request_from("FR", "jeanne@b.example").await;
    let driver = Driver::start();
    let browser = driver.browser().await;

    sign_in(&app, &browser, "claire@hydrotech.example", "/team").await;
    find(&browser, "#t-name")
        .await
        .send_keys("Nina Roux")
        .await
        .expect("name");
    find(&browser, "#t-email")
        .await
        .send_keys("nina@hydrotech.example")
        .await
        .expect("email");
    screenshot(&browser, "team-invite").await;
    find(&browser, "#invite button[type=submit]")
        .await
        .click()
        .await
        .expect("invite");
    let team = text_with(&browser, "team", "Nina Roux").await;
    assert!(team.contains("Nina Roux"), "{team}");

    // Nina opens the link of the invitation, from the dev mailbox.
    browser.delete_all_cookies().await.expect("cookies");
    browser.goto(&app.url("/dev/mail")).await.expect("mailbox");
    let link = browser
        .execute(
            "for (const mail of document.querySelectorAll('li.mail')) {
               if (mail.querySelector('.to').textContent.trim() === arguments[0]) {
                 return mail.querySelector(\"a[href*='/signin/']\").href;
               }
             }
             return null;",
            vec![serde_json::json!("nina@hydrotech.example")],
        )
        .await
        .expect("find the invitation");
    let link = link
        .as_str()
        .expect("a sign-in link in Nina's mail")
        .to_owned();
    browser.goto(&link).await.expect("sign in");
    find(&browser, &format!("a[href='/requests/{request}']"))
        .await
        .click()
        .await
        .expect("open the request");
    find(&browser, "#body")
        .await
        .send_keys("Bonjour Jeanne, Nina de Hydrotech : voici notre prix.")
        .await
        .expect("type");
    find(&browser, "#reply button[type=submit]")
        .await
        .click()
        .await
        .expect("send");
    let sent = text_with(&browser, "message", "Nina de Hydrotech").await;
    assert!(sent.contains("Nina de Hydrotech"), "{sent}");
    assert!(sent.contains("Nina Roux"), "written as herself: {sent}");
}
