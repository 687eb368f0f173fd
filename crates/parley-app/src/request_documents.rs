//! The documents a buyer sends with the request itself (a drawing, a specification): checked
//! like a message's (PDF, the same size limit), stored before the request's transaction, and
//! seen, like the request's text, by everyone who may see the request.

use bytes::Bytes;
use parley_domain::policy::Action;
use parley_domain::{DocumentId, FieldError, RequestId};
pub use parley_store::request_documents::RequestDocument;
use parley_store::{Connection, request_documents as store};

use crate::files::{self, CheckedUpload};
use crate::requests::authorize;
use crate::{App, AppError, Caller, Settings, Upload, now};

/// The most documents sent with one request.
pub const MAX_REQUEST_DOCUMENTS: usize = 5;

/// Applies the document rules to the request's uploads, collecting every problem.
pub(crate) fn check(
    uploads: Vec<Upload>,
    settings: &Settings,
    errors: &mut Vec<FieldError>,
) -> Vec<CheckedUpload> {
    if uploads.len() > MAX_REQUEST_DOCUMENTS {
        errors.push(FieldError {
            field: "documents".to_owned(),
            code: "too_many_documents".to_owned(),
            message: format!("At most {MAX_REQUEST_DOCUMENTS} documents with a request."),
        });
        return Vec::new();
    }
    files::check_uploads(uploads, settings.max_document_bytes, errors)
}

/// A file in the object store whose row waits for its request's id.
#[derive(Debug, Clone)]
pub(crate) struct StoredFile {
    id: DocumentId,
    filename: String,
    size_bytes: i64,
    sha256: String,
    storage_key: String,
    created_at: i64,
}

/// Inserts the request's documents (stored already) in the request's transaction.
pub(crate) async fn insert(
    tx: &mut Connection,
    request: RequestId,
    files: &[StoredFile],
) -> Result<(), AppError> {
    for file in files {
        let document = RequestDocument {
            id: file.id,
            request_id: request,
            filename: file.filename.clone(),
            content_type: "application/pdf".to_owned(),
            size_bytes: file.size_bytes,
            sha256: file.sha256.clone(),
            storage_key: file.storage_key.clone(),
            created_at: file.created_at,
        };
        store::insert(tx, &document).await?;
    }
    Ok(())
}

impl App {
    /// Puts the files in the object store (synced); their rows wait for the request's id.
    pub(crate) async fn store_request_files(
        &self,
        files: Vec<CheckedUpload>,
    ) -> Result<Vec<StoredFile>, AppError> {
        let mut documents: Vec<StoredFile> = Vec::with_capacity(files.len());
        for upload in files {
            let id = DocumentId::new();
            let document = StoredFile {
                id,
                filename: upload.filename,
                size_bytes: i64::try_from(upload.bytes.len()).unwrap_or(i64::MAX),
                sha256: files::sha256_hex(&upload.bytes),
                storage_key: files::storage_key(id),
                created_at: now().0,
            };
            if let Err(error) = self.files.put(&document.storage_key, upload.bytes).await {
                self.forget_request_files(&documents).await;
                return Err(error);
            }
            documents.push(document);
        }
        Ok(documents)
    }

    pub(crate) async fn forget_request_files(&self, documents: &[StoredFile]) {
        for document in documents {
            self.files.delete(&document.storage_key).await;
        }
    }

    /// A document the buyer sent with a request, for anyone who may see the request.
    pub async fn open_request_document(
        &self,
        caller: &Caller,
        id: DocumentId,
    ) -> Result<(RequestDocument, Bytes), AppError> {
        let document = store::by_id(&mut *self.store.read().await?, id)
            .await?
            .ok_or(AppError::NotFound)?;
        authorize(
            &self.store,
            caller,
            document.request_id,
            Action::ViewRequest,
        )
        .await?;
        let bytes = self.files.get(&document.storage_key).await?;
        Ok((document, bytes))
    }
}
