//! Uploaded documents: checked by content, hashed, and kept in the object store.

use bytes::Bytes;
use object_store::ObjectStore;
use object_store::path::Path as StorePath;
use parley_domain::message::check_document;
use parley_domain::{DocumentId, DocumentKind, FieldError, SendErrorCode};
use sha2::{Digest, Sha256};

use crate::AppError;

/// A file as received from a form, an API call or an email.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The field it came in (for error messages).
    pub field: String,
    /// Quote or other document, as typed by the client (checked here).
    pub kind: String,
    pub filename: String,
    pub bytes: Bytes,
}

/// An upload that passed the rules.
pub(crate) struct CheckedUpload {
    pub kind: DocumentKind,
    pub filename: String,
    pub bytes: Bytes,
}

/// Applies the document rules to every upload, collecting every problem.
pub(crate) fn check_uploads(
    uploads: Vec<Upload>,
    max_bytes: usize,
    errors: &mut Vec<FieldError>,
) -> Vec<CheckedUpload> {
    let mut checked = Vec::new();
    for upload in uploads {
        let is_pdf = infer::get(&upload.bytes).is_some_and(|t| t.mime_type() == "application/pdf");
        let problems = check_document(
            &upload.field,
            &upload.filename,
            upload.bytes.len(),
            max_bytes,
            is_pdf,
        );
        let kind = DocumentKind::parse(upload.kind.trim());
        if kind.is_err() {
            errors.push(FieldError::send(
                &format!("{}_kind", upload.field),
                SendErrorCode::DocumentKindInvalid,
                "Choose Quote or Other document.",
            ));
        }
        if problems.is_empty() {
            if let Ok(kind) = kind {
                checked.push(CheckedUpload {
                    kind,
                    filename: clean_filename(&upload.filename),
                    bytes: upload.bytes,
                });
            }
        } else {
            errors.extend(problems);
        }
    }
    checked
}

/// A filename safe to show and to put in a Content-Disposition header.
pub(crate) fn clean_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !parley_domain::text::is_forbidden_in_line(*c) && *c != '"')
        .take(200)
        .collect();
    if cleaned.trim().is_empty() {
        "document.pdf".to_owned()
    } else {
        cleaned.trim().to_owned()
    }
}

/// The hex SHA-256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The object-store key of a document.
pub(crate) fn storage_key(id: DocumentId) -> String {
    format!("documents/{id}.pdf")
}

pub(crate) async fn put(store: &dyn ObjectStore, key: &str, bytes: Bytes) -> Result<(), AppError> {
    store.put(&StorePath::from(key), bytes.into()).await?;
    Ok(())
}

pub(crate) async fn get(store: &dyn ObjectStore, key: &str) -> Result<Bytes, AppError> {
    Ok(store.get(&StorePath::from(key)).await?.bytes().await?)
}

pub(crate) async fn delete(store: &dyn ObjectStore, key: &str) {
    if let Err(error) = store.delete(&StorePath::from(key)).await {
        tracing::warn!(%error, key, "could not remove an orphaned document");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filenames_lose_paths_and_quotes() {
        assert_eq!(clean_filename("../../etc/pass\"wd.pdf"), "passwd.pdf");
        assert_eq!(clean_filename("C:\\Users\\me\\quote.pdf"), "quote.pdf");
        assert_eq!(clean_filename("   "), "document.pdf");
    }

    #[test]
    fn only_pdf_content_passes() {
        let mut errors = Vec::new();
        let uploads = vec![
            Upload {
                field: "document".into(),
                kind: "quote".into(),
                filename: "fake.pdf".into(),
                bytes: Bytes::from_static(b"MZ\x90\x00 not a pdf"),
            },
            Upload {
                field: "document".into(),
                kind: "other".into(),
                filename: "real.pdf".into(),
                bytes: Bytes::from_static(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"),
            },
        ];
        let checked = check_uploads(uploads, 1024, &mut errors);
        assert_eq!(checked.len(), 1);
        assert_eq!(checked[0].filename, "real.pdf");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code, "document_not_pdf");
    }
}
