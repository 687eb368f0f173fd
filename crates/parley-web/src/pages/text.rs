//! Message text for HTML: escaped, with web links made clickable.

/// Escapes `text` for HTML and turns `http(s)://` links into anchors that open safely.
pub fn linkify(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(start) = find_link(rest) {
        escape_into(&mut out, &rest[..start]);
        let link = &rest[start..];
        let end = link
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"'))
            .unwrap_or(link.len());
        // Trailing punctuation belongs to the sentence, not the link.
        let trimmed = link[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
        let url = &link[..trimmed.len()];
        out.push_str("<a href=\"");
        escape_into(&mut out, url);
        out.push_str("\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">");
        escape_into(&mut out, url);
        out.push_str("</a>");
        rest = &link[url.len()..];
    }
    escape_into(&mut out, rest);
    out
}

fn find_link(text: &str) -> Option<usize> {
    [text.find("https://"), text.find("http://")]
        .into_iter()
        .flatten()
        .min()
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::linkify;

    #[test]
    fn escapes_markup_and_links_urls() {
        assert_eq!(
            linkify("<b>Hi</b> see https://example.com/q?a=1&b=2."),
            "&lt;b&gt;Hi&lt;/b&gt; see <a href=\"https://example.com/q?a=1&amp;b=2\" \
             rel=\"noopener noreferrer nofollow\" target=\"_blank\">https://example.com/q?a=1&amp;b=2</a>."
        );
        assert_eq!(linkify("javascript:alert(1)"), "javascript:alert(1)");
        assert_eq!(
            linkify("x\"onmouseover=alert(1) http://a.example\"y"),
            "x&quot;onmouseover=alert(1) <a href=\"http://a.example\" rel=\"noopener noreferrer nofollow\" \
             target=\"_blank\">http://a.example</a>&quot;y"
        );
    }
}
