use super::trim_reply;

#[test]
fn keeps_a_plain_reply_whole() {
    assert_eq!(trim_reply("  Thanks, the quote is fine.\n"), "Thanks, the quote is fine.");
    assert_eq!(trim_reply(""), "");
}

#[test]
fn cuts_the_quoted_history_in_french() {
    let body = "Bonjour,\n\nLe devis nous convient.\n\nLe 3 mai 2026 à 10:02, Hydrotech <r-abc@reply.example> a écrit :\n> Voici notre devis.\n";
    assert_eq!(trim_reply(body), "Bonjour,\n\nLe devis nous convient.");
}

#[test]
fn keeps_inline_answers_between_quotes() {
    let body = "Hello,\n\nOn Mon, 3 May 2026 at 10:02, Ana <ana@example.com> wrote:\n> Which size?\nDN 50.\n> Which flow?\n20 m3/h.\n";
    assert_eq!(trim_reply(body), body.trim());
}

#[test]
fn a_horizontal_bullet_is_not_a_delimiter() {
    let body = "Options:\n-\nnone yet\n*\nstill none";
    assert_eq!(trim_reply(body), body);
}

#[test]
fn cuts_an_outlook_header_block() {
    let body = "Agreed.\n\nFrom: Ana <ana@example.com>\nSent: Monday, 3 May 2026 10:02\nTo: Parley\nSubject: Pumps\n\nOld text";
    assert_eq!(trim_reply(body), "Agreed.");
}

#[test]
fn handles_crlf_and_lone_cr() {
    assert_eq!(trim_reply("a\r\nb\rc"), "a\nb\nc");
}

