//! Hiding real email addresses in what one side of a conversation emailed, before the other side
//! reads it (guide FAQ a: the buyer's address stays private, and so do the sellers').
//!
//! An emailed reply carries addresses in places the trimmer cannot always cut: a signature, a
//! quoted attribution ("On Monday, Élodie Fabre <elodie@…> wrote:"), a forwarded header block,
//! a `mailto:` link of an HTML body. Every address found in the text is replaced: a known
//! person's by their name, anyone else's by its first character and an ellipsis (`j…@…`), so
//! the reader still sees that an address stood there. Addresses on the relay domain stay: they
//! are masked addresses already, and only their holder can write to them.

/// Who an address belongs to, when Parley knows (the sender, the buyer…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownAddress {
    /// Lower case.
    pub email: String,
    pub name: String,
}

/// `text` with every address replaced (see the module's documentation).
#[must_use]
pub fn mask_addresses(text: &str, known: &[KnownAddress], relay_domain: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((start, end)) = next_address(rest) {
        let address = &rest[start..end];
        let (_, domain) = address.rsplit_once('@').unwrap_or_default();
        let before = &rest[..start];
        if domain.eq_ignore_ascii_case(relay_domain) {
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        let lower = address.to_lowercase();
        let person = known.iter().find(|k| k.email == lower);
        // "mailto:" before an address is a link that no longer leads anywhere.
        let before = before.strip_suffix("mailto:").unwrap_or(before);
        let bracketed = before.ends_with('<') && rest[end..].starts_with('>');
        match (person, bracketed) {
            // "Élodie Fabre <elodie@…>": the name is there already; the brackets go.
            (Some(person), true) if ends_with_name(&before[..before.len() - 1], &person.name) => {
                out.push_str(before[..before.len() - 1].trim_end());
                rest = &rest[end + 1..];
                continue;
            }
            (Some(person), _) => {
                out.push_str(before);
                out.push_str(&person.name);
            }
            (None, _) => {
                out.push_str(before);
                out.push_str(&hidden(address));
            }
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// `j…@…`: that an address stood here, and nothing of whose.
fn hidden(address: &str) -> String {
    let first = address.chars().next().unwrap_or('…');
    format!("{first}…@…")
}

/// Whether `text`, without trailing spaces and quotes, ends with `name`.
fn ends_with_name(text: &str, name: &str) -> bool {
    let text = text.trim_end().trim_end_matches(['"', '\'']).trim_end();
    !name.is_empty() && text.to_lowercase().ends_with(&name.to_lowercase())
}

fn is_local_char(c: char) -> bool {
    c.is_alphanumeric() || "._%+-!#$&'*/=?^`{|}~".contains(c)
}

fn is_domain_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '.'
}

/// The byte range of the first address in `text`: a local part, `@`, and a domain with a dot.
fn next_address(text: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(at) = text[from..].find('@').map(|i| i + from) {
        let start = text[..at]
            .char_indices()
            .rev()
            .take_while(|(_, c)| is_local_char(*c))
            .last()
            .map_or(at, |(i, _)| i);
        let local = text[start..at].trim_start_matches(['.', '\'']);
        let start = at - local.len();
        let domain_len = text[at + 1..]
            .char_indices()
            .take_while(|(_, c)| is_domain_char(*c))
            .last()
            .map_or(0, |(i, c)| i + c.len_utf8());
        let domain = text[at + 1..at + 1 + domain_len].trim_end_matches(['.', '-']);
        let end = at + 1 + domain.len();
        if !local.is_empty() && domain.contains('.') && !domain.starts_with('.') {
            return Some((start, end));
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn elodie() -> Vec<KnownAddress> {
        vec![KnownAddress {
            email: "elodie.fabre@acheteur.example".to_owned(),
            name: "Élodie Fabre".to_owned(),
        }]
    }

    fn mask(text: &str) -> String {
        mask_addresses(text, &elodie(), "reply.parley.localhost")
    }

    #[test]
    fn a_known_address_becomes_the_name() {
        assert_eq!(
            mask("Écrivez-moi à elodie.fabre@acheteur.example."),
            "Écrivez-moi à Élodie Fabre."
        );
        assert_eq!(
            mask("Le 3 mars, Élodie Fabre <Elodie.Fabre@acheteur.example> a écrit :"),
            "Le 3 mars, Élodie Fabre a écrit :"
        );
        assert_eq!(
            mask("From: \"Élodie Fabre\" <elodie.fabre@acheteur.example>\nSent: Monday"),
            "From: \"Élodie Fabre\"\nSent: Monday"
        );
        assert_eq!(
            mask("De : <elodie.fabre@acheteur.example>"),
            "De : <Élodie Fabre>"
        );
        assert_eq!(
            mask("[mailto:elodie.fabre@acheteur.example]"),
            "[Élodie Fabre]"
        );
    }

    #[test]
    fn other_addresses_are_hidden_and_masked_ones_stay() {
        assert_eq!(
            mask("Cc: jean.dupont@acheteur.example, compta@acheteur.fr"),
            "Cc: j…@…, c…@…"
        );
        let relay = "Hydrotech <abcdefabcdefabcdefabcdef@reply.parley.localhost> wrote:";
        assert_eq!(mask(relay), relay);
        assert_eq!(
            mask("no address @ all, a@b, x@localhost"),
            "no address @ all, a@b, x@localhost"
        );
        assert_eq!(mask("(elodie.fabre@acheteur.example)"), "(Élodie Fabre)");
    }
}
