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

/// Where documents' bytes live: an object store (a local folder by default), and for a local
/// folder its path, so that what is written is synced (file and folder) before Parley answers:
/// object_store's local store does not sync, and a document must be as durable as the message
/// that names it.
#[derive(Clone)]
pub(crate) struct Files {
    store: std::sync::Arc<dyn ObjectStore>,
    local_root: Option<std::path::PathBuf>,
    location: std::sync::Arc<DocumentStore>,
}

/// Where documents are kept.
#[derive(Clone)]
pub enum DocumentStore {
    /// A local folder (the default: `DATA_DIR/files`).
    Local(std::path::PathBuf),
    /// An S3-compatible object store: what several processes on one PostgreSQL database share.
    S3(S3Settings),
}

/// An S3 bucket (`s3://bucket/prefix`) and how to reach it.
#[derive(Clone)]
pub struct S3Settings {
    pub bucket: String,
    /// Keys start with it (no leading or trailing `/`); may be empty.
    pub prefix: String,
    /// An S3-compatible server's URL (`http://127.0.0.1:9000`); AWS when `None`.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
}

// By hand: the secret key never reaches a log.
impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "s3://{}/{} ({:?})",
            self.bucket, self.prefix, self.endpoint
        )
    }
}

impl S3Settings {
    /// Parses `s3://bucket/prefix`; `None` when `location` is not an `s3://` URL.
    #[must_use]
    pub fn parse_location(location: &str) -> Option<(String, String)> {
        let rest = location.strip_prefix("s3://")?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        Some((bucket.to_owned(), prefix.trim_matches('/').to_owned()))
    }
}

impl Files {
    pub(crate) fn open(location: &DocumentStore) -> Result<Self, AppError> {
        let mut files = match location {
            DocumentStore::Local(root) => {
                std::fs::create_dir_all(root)
                    .map_err(|e| AppError::internal(format!("creating {}: {e}", root.display())))?;
                Self::local(root)?
            }
            DocumentStore::S3(s3) => Self::s3(s3)?,
        };
        files.location = std::sync::Arc::new(location.clone());
        Ok(files)
    }

    /// Where the documents are.
    pub(crate) fn location(&self) -> &DocumentStore {
        &self.location
    }

    /// Documents in an S3 bucket: a put is durable once the server answers it.
    fn s3(settings: &S3Settings) -> Result<Self, AppError> {
        let mut builder = object_store::aws::AmazonS3Builder::new()
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region);
        if let Some(endpoint) = &settings.endpoint {
            // A self-hosted server answers at its own address, path-style, often on http.
            builder = builder
                .with_endpoint(endpoint)
                .with_virtual_hosted_style_request(false)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        if let Some(key) = &settings.access_key_id {
            builder = builder.with_access_key_id(key);
        }
        if let Some(secret) = &settings.secret_access_key {
            builder = builder.with_secret_access_key(secret);
        }
        let store = builder
            .build()
            .map_err(|e| AppError::Internal(Box::new(e)))?;
        let store: std::sync::Arc<dyn ObjectStore> = if settings.prefix.is_empty() {
            std::sync::Arc::new(store)
        } else {
            std::sync::Arc::new(object_store::prefix::PrefixStore::new(
                store,
                settings.prefix.as_str(),
            ))
        };
        Ok(Self {
            store,
            local_root: None,
            location: std::sync::Arc::new(DocumentStore::S3(settings.clone())),
        })
    }

    /// Documents in the local folder `root`.
    fn local(root: &std::path::Path) -> Result<Self, AppError> {
        let store = object_store::local::LocalFileSystem::new_with_prefix(root)
            .map_err(|e| AppError::Internal(Box::new(e)))?;
        Ok(Self {
            store: std::sync::Arc::new(store),
            local_root: Some(root.to_owned()),
            location: std::sync::Arc::new(DocumentStore::Local(root.to_owned())),
        })
    }

    /// Writes `bytes` under `key`, synced to disk when the store is local.
    pub(crate) async fn put(&self, key: &str, bytes: Bytes) -> Result<(), AppError> {
        self.store.put(&StorePath::from(key), bytes.into()).await?;
        if let Some(root) = &self.local_root {
            let path = root.join(key);
            tokio::task::spawn_blocking(move || sync_file_and_folder(&path))
                .await
                .map_err(|e| AppError::Internal(Box::new(e)))?
                .map_err(|e| AppError::Internal(Box::new(e)))?;
        }
        Ok(())
    }

    /// The local folder documents are kept in (`None` for a remote store).
    pub(crate) fn local_root(&self) -> Option<&std::path::Path> {
        self.local_root.as_deref()
    }

    pub(crate) async fn get(&self, key: &str) -> Result<Bytes, AppError> {
        Ok(self.store.get(&StorePath::from(key)).await?.bytes().await?)
    }

    pub(crate) async fn delete(&self, key: &str) {
        if let Err(error) = self.store.delete(&StorePath::from(key)).await {
            tracing::warn!(%error, key, "could not remove an orphaned document");
        }
    }
}

/// `fsync` of a file, then of its folder (so the file's name survives a crash too).
fn sync_file_and_folder(path: &std::path::Path) -> std::io::Result<()> {
    std::fs::File::open(path)?.sync_all()?;
    if let Some(folder) = path.parent() {
        std::fs::File::open(folder)?.sync_all()?;
    }
    Ok(())
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
