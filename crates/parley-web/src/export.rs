//! A list as a CSV file (`GET /api/v1/requests/export.csv`, and `/requests/export.csv` from the
//! page): the same filters as the list, every page of it, streamed a page at a time so memory
//! stays flat whatever the size, with the filters in the file's name.

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use parley_app::lists::{ListQuery, Page, RequestSummary};
use parley_app::{App, AppError, Caller};

/// Rows fetched per step of the stream.
const PAGE: u32 = 100;

const HEADER: &str = "id,received_at,status,buyer,company,country,product,marketplace,\
                      answered_at,request\r\n";

/// The CSV response for `caller`'s list narrowed by `query`. The first page is read before
/// answering, so a bad filter is an error response rather than a broken file.
pub async fn csv(app: App, caller: Caller, query: ListQuery) -> Result<Response, AppError> {
    let first = app.list_requests(&caller, &query, None, PAGE).await?;
    let filename = filename(&query);
    let stream = futures_util::stream::unfold(Step::First(first), move |step| {
        let (app, caller, query) = (app.clone(), caller.clone(), query.clone());
        async move {
            let (page, mut chunk) = match step {
                Step::First(page) => (page, HEADER.to_owned()),
                Step::After(cursor) => {
                    match app
                        .list_requests(&caller, &query, Some(&cursor), PAGE)
                        .await
                    {
                        Ok(page) => (page, String::new()),
                        Err(error) => {
                            // The file so far went out: end it short, say so in the log.
                            tracing::error!(error = %error, "CSV export stopped");
                            return Some((
                                Err(std::io::Error::other("export stopped")),
                                Step::Done,
                            ));
                        }
                    }
                }
                Step::Done => return None,
            };
            let Page { items, next } = page;
            for item in &items {
                row(&mut chunk, item);
            }
            let step = next.map_or(Step::Done, Step::After);
            Some((Ok::<_, std::io::Error>(Bytes::from(chunk)), step))
        }
    });
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

enum Step {
    First(Page<RequestSummary>),
    After(String),
    Done,
}

/// `requests-status-new-country-FR.csv`: the filters in use, each reduced to letters, digits
/// and hyphens (they reach a header).
pub fn filename(query: &ListQuery) -> String {
    let mut name = "requests".to_owned();
    for (key, value) in query.in_use() {
        let value: String = value
            .trim()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .take(40)
            .collect();
        if !value.is_empty() {
            name.push_str(&format!("-{key}-{value}"));
        }
    }
    name + ".csv"
}

/// One request as a CSV line (RFC 4180).
fn row(out: &mut String, item: &RequestSummary) {
    let request = &item.request;
    let first_line = request.message.lines().find(|l| !l.trim().is_empty());
    let cells = [
        request.id.to_string(),
        request.created_at.to_rfc3339(),
        item.status.to_string(),
        item.buyer_name.clone(),
        item.buyer_company.clone().unwrap_or_default(),
        item.buyer_country.clone(),
        item.product_name.clone(),
        item.marketplace_name.clone(),
        request
            .answered_at
            .map(|t| t.to_rfc3339())
            .unwrap_or_default(),
        first_line.unwrap_or("").chars().take(200).collect(),
    ];
    for (n, value) in cells.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        cell(out, value);
    }
    out.push_str("\r\n");
}

/// A quoted cell. Text a spreadsheet would run as a formula (a buyer's name is theirs to
/// choose) starts with an apostrophe, as OWASP advises for CSV injection.
fn cell(out: &mut String, value: &str) {
    out.push('"');
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        out.push('\'');
    }
    out.push_str(&value.replace('"', "\"\""));
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        let mut out = String::new();
        cell(&mut out, "=HYPERLINK(\"http://x\")");
        assert_eq!(out, "\"'=HYPERLINK(\"\"http://x\"\")\"");
        let mut out = String::new();
        cell(&mut out, "Müller, \"Bau\"\nGmbH");
        assert_eq!(out, "\"Müller, \"\"Bau\"\"\nGmbH\"");
    }

    #[test]
    fn the_filename_names_the_filters_and_nothing_else() {
        let query = ListQuery {
            status: "won".into(),
            country: "FR\r\nX-Evil: 1".into(),
            ..ListQuery::default()
        };
        assert_eq!(
            filename(&query),
            "requests-status-won-country-FRX-Evil1.csv"
        );
        assert_eq!(filename(&ListQuery::default()), "requests.csv");
    }
}
