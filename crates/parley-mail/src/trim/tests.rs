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
    // The quotes stay for the answers to make sense; the attribution above them goes.
    let body = "Hello,\n\nOn Mon, 3 May 2026 at 10:02, Ana <ana@example.com> wrote:\n> Which size?\nDN 50.\n> Which flow?\n20 m3/h.\n";
    assert_eq!(
        trim_reply(body),
        "Hello,\n\n> Which size?\nDN 50.\n> Which flow?\n20 m3/h."
    );
}

#[test]
fn an_answer_under_an_empty_quote_line_is_kept() {
    let body = "Agreed.\n\nOn 8 May 2026 6:51 pm, Ana <ana@example.com> wrote:\n\n> Can you ship in June?\n>\nYes, in the first week.\n\nTom";
    assert_eq!(
        trim_reply(body),
        "Agreed.\n\n\n> Can you ship in June?\n>\nYes, in the first week.\n\nTom"
    );
    // Straight under a quoted line, it may be that line's wrapped end: history.
    let wrapped =
        "Agreed.\n\nOn 8 May 2026 6:51 pm, Ana <ana@example.com> wrote:\n> Can you ship in\nJune?";
    assert_eq!(trim_reply(wrapped), "Agreed.");
}

#[test]
fn only_earlier_emails_is_nothing_written() {
    let chain = "> On Thu, Apr 30, 2026 at 10:07 AM, Ana <ana@example.com> wrote:\n>\n>> On Thu, Apr 30, 2026 at 10:06 AM, Tom <tom@example.com> wrote:\n>>";
    assert_eq!(trim_reply(chain), "");
    // A quote alone is what was sent: kept.
    assert_eq!(
        trim_reply("> Email with only a quote."),
        "> Email with only a quote."
    );
}

#[test]
fn a_date_first_attribution_with_its_time_zone_needs_no_quote_below() {
    assert_eq!(
        trim_reply("Before\n\n2016-03-03 17:21 GMT+01:00 Some One\n\nAfter"),
        "Before"
    );
}

#[test]
fn an_inline_image_mark_is_not_text() {
    let body = "Thanks!\n\n[cid:image001.png@01DA2B3C.4D5E6F70]\nTom Baker\nSales\n[cid:logo]\n\nFrom: Ana <ana@example.com>\nSent: Thursday, 3 December 2026 09:15\nTo: Tom\nSubject: pumps\n\nold";
    assert_eq!(trim_reply(body), "Thanks!\n\nTom Baker\nSales");
    // Written by a person, with words, it stays.
    let own = "See [cid: the logo] above.";
    assert_eq!(trim_reply(own), own);
}

#[test]
fn initials_quotes_and_a_tracker_mark_are_history() {
    assert_eq!(
        trim_reply("Fine.\n\nC>\nC> Is it fine?\nC>\n\n____\nTom"),
        "Fine."
    );
    assert_eq!(trim_reply("Thanks.\n\nTom\n\nᐧ"), "Thanks.\n\nTom");
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
fn a_line_ending_with_an_address_and_a_colon_above_a_quote_is_an_attribution() {
    // Arabic-Indic digits, so no year a rule could read: the address and the quote tell.
    assert_eq!(
        trim_reply(
            "مرحبا، العرض مرفق.\n\nفي الثلاثاء، ١ ديسمبر ٢٠٢٦، كتب Ana <ana@example.com>:\n> السعر؟"
        ),
        "مرحبا، العرض مرفق."
    );
    // Without a quote below, it is what the person wrote.
    let own = "Please write to our sales office <sales@example.com>:\nthey answer within a day.";
    assert_eq!(trim_reply(own), own);
}

/// Gmail in Hebrew and Arabic puts direction marks around the name, the address and the colon.
#[test]
fn direction_marks_do_not_hide_an_attribution() {
    let body = "תודה.\n\n\u{202b}בתאריך יום ג׳, 1 בדצמ׳ 2026 ב-10:12 מאת \u{202a}Ana\u{202c}\u{200f} <\u{202a}ana@example.com\u{202c}\u{200f}>:\u{202c}\n\nשלום";
    assert_eq!(trim_reply(body), "תודה.");
}

#[test]
fn polish_korean_and_hungarian_attributions() {
    for (body, expected) in [
        (
            "Przesyłam ofertę.\n\nW dniu 1.12.2026 o 10:12, Jan pisze:\n> Cena?",
            "Przesyłam ofertę.",
        ),
        (
            "견적서를 첨부합니다.\n\n2026년 12월 1일 (화) 오전 10:12, Ana <ana@example.com>님이 작성:\n> 견적?",
            "견적서를 첨부합니다.",
        ),
        (
            "Csatolom.\n\nAna <ana@example.com> ezt írta (időpont: 2026. dec. 1., K, 10:12):\n> Ár?",
            "Csatolom.",
        ),
    ] {
        assert_eq!(trim_reply(body), expected, "{body}");
    }
}

#[test]
fn invisible_signs_make_no_text() {
    assert_eq!(
        trim_reply("Thanks.\n\nAna\n\u{200b}\n\u{feff} \n\u{2060}"),
        "Thanks.\n\nAna"
    );
}
