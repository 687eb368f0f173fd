use super::trim_reply;

#[test]
fn keeps_a_plain_reply_whole() {
    assert_eq!(
        trim_reply("  Thanks, the quote is fine.\n"),
        "Thanks, the quote is fine."
    );
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

/// Beyond the fixtures: attributions, forwards and header blocks as other clients and
/// languages write them.
#[test]
fn generalises_to_other_clients_and_languages() {
    let cases = [
        (
            "Va bene, procediamo.\n\nIl giorno lun 3 mag 2026 alle ore 10:02 Ana <ana@example.it> ha scritto:\n> Procediamo?",
            "Va bene, procediamo.",
        ),
        (
            "Combinado.\n\nEm seg., 3 de mai. de 2026 às 10:02, Ana <ana@example.pt> escreveu:\n> Combinado?",
            "Combinado.",
        ),
        (
            "Подходит.\n\nпн, 3 мая 2026 г. в 10:02, Иван <ivan@example.ru>:\n> Подходит?",
            "Подходит.",
        ),
        (
            "了解しました。\n\n2026年5月3日(月) 10:02 Ana <ana@example.jp>:\n> よろしいですか？",
            "了解しました。",
        ),
        (
            "Det passar.\n\nDen 3 maj 2026 kl. 10:02 skrev Ana <ana@example.se>:\n> Passar det?",
            "Det passar.",
        ),
        (
            "D'accord pour la livraison.\n\nDe : Ana Silva <ana@example.fr>\nEnvoyé : lundi 3 mai 2026 10:02\nÀ : Parley\nObjet : Pompes\n\nAncien texte",
            "D'accord pour la livraison.",
        ),
        (
            "Zur Info.\n\n-------- Weitergeleitete Nachricht --------\nBetreff: Pumpe\nDatum: 3. Mai 2026",
            "Zur Info.",
        ),
        ("OK.\n\niPhoneから送信", "OK."),
    ];
    for (body, expected) in cases {
        assert_eq!(trim_reply(body), expected, "{body}");
    }
}

#[test]
fn a_date_first_line_is_an_attribution_only_above_a_quote() {
    assert_eq!(
        trim_reply("Fine.\n\n2016-03-03 17:21 GMT+01:00 Some One\n\n> Is it fine?"),
        "Fine."
    );
    // A person's own line that starts with a date is what they wrote.
    let own = "2016-03-03 17:21 the pump stopped.\nPlease call me.";
    assert_eq!(trim_reply(own), own);
}

#[test]
fn invisible_signs_make_no_text() {
    assert_eq!(
        trim_reply("Thanks.\n\nAna\n\u{200b}\n\u{feff} \n\u{2060}"),
        "Thanks.\n\nAna"
    );
}
