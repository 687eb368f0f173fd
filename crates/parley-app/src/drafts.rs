//! Documents attached to a form that came back with an error: kept on the server for the
//! person who sent them, so the form can send them again without choosing the file again
//! (FAQ f: nothing typed or attached is lost). A kept document is named by a random token in a
//! hidden field; only its sender can use it, and it is deleted once sent.

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::{App, AppError, Caller, Upload, files};

/// What is kept beside the bytes.
#[derive(Serialize, Deserialize)]
struct Kept {
    filename: String,
    kind: String,
}

/// A document kept for the form: its token (for the hidden field) and what to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptDocument {
    pub token: String,
    pub filename: String,
    pub kind: String,
}

/// Where a caller's kept document lives. The caller is part of the key: a token is worth
/// nothing to anyone else.
fn key(caller: &Caller, token: &str) -> Result<String, AppError> {
    let valid = token.len() == 24 && token.bytes().all(|b| b.is_ascii_alphanumeric());
    if !valid {
        return Err(AppError::NotFound);
    }
    let owner = files::sha256_hex(caller.viewer_key().as_bytes());
    Ok(format!("drafts/{owner}/{token}"))
}

impl App {
    /// Keeps `upload` for the caller's next try of the same form.
    pub async fn keep_draft_document(
        &self,
        caller: &Caller,
        upload: &Upload,
    ) -> Result<KeptDocument, AppError> {
        let token = crate::relay::new_address_token()?;
        let key = key(caller, &token)?;
        let kept = Kept {
            filename: upload.filename.clone(),
            kind: upload.kind.clone(),
        };
        let meta = serde_json::to_vec(&kept).map_err(|e| AppError::internal(e.to_string()))?;
        self.files
            .put(&format!("{key}.pdf"), upload.bytes.clone())
            .await?;
        self.files
            .put(&format!("{key}.json"), Bytes::from(meta))
            .await?;
        Ok(KeptDocument {
            token,
            filename: kept.filename,
            kind: kept.kind,
        })
    }

    /// The document kept under `token` for the caller, as an upload again.
    pub async fn kept_draft_document(
        &self,
        caller: &Caller,
        token: &str,
    ) -> Result<Upload, AppError> {
        let key = key(caller, token)?;
        let missing = |error: AppError| match error {
            AppError::Internal(_) => AppError::NotFound,
            other => other,
        };
        let meta = self
            .files
            .get(&format!("{key}.json"))
            .await
            .map_err(missing)?;
        let kept: Kept = serde_json::from_slice(&meta).map_err(|_| AppError::NotFound)?;
        let bytes = self
            .files
            .get(&format!("{key}.pdf"))
            .await
            .map_err(missing)?;
        Ok(Upload {
            field: "document".to_owned(),
            kind: kept.kind,
            filename: kept.filename,
            bytes,
        })
    }

    /// Deletes a kept document (once sent).
    pub async fn forget_draft_document(&self, caller: &Caller, token: &str) {
        if let Ok(key) = key(caller, token) {
            self.files.delete(&format!("{key}.pdf")).await;
            self.files.delete(&format!("{key}.json")).await;
        }
    }
}
