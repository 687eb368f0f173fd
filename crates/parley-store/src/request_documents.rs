//! The documents a buyer sent with the request itself (not with a message of a thread).

use parley_domain::{DocumentId, RequestId};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::rows::parse;
use crate::{Connection, StoreError};

/// A document of the request.
#[derive(Debug, Clone)]
pub struct RequestDocument {
    pub id: DocumentId,
    pub request_id: RequestId,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage_key: String,
    pub created_at: i64,
}

fn document(row: &AnyRow) -> Result<RequestDocument, StoreError> {
    Ok(RequestDocument {
        id: parse(&row.try_get::<String, _>("id")?, "document id")?,
        request_id: parse(&row.try_get::<String, _>("request_id")?, "request id")?,
        filename: row.try_get("filename")?,
        content_type: row.try_get("content_type")?,
        size_bytes: row.try_get("size_bytes")?,
        sha256: row.try_get("sha256")?,
        storage_key: row.try_get("storage_key")?,
        created_at: row.try_get("created_at")?,
    })
}

pub async fn insert(conn: &mut Connection, document: &RequestDocument) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO request_documents \
           (id, request_id, filename, content_type, size_bytes, sha256, storage_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(document.id.to_string())
    .bind(document.request_id.to_string())
    .bind(&document.filename)
    .bind(&document.content_type)
    .bind(document.size_bytes)
    .bind(&document.sha256)
    .bind(&document.storage_key)
    .bind(document.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The request's documents, in the order sent.
pub async fn of_request(
    conn: &mut Connection,
    request: RequestId,
) -> Result<Vec<RequestDocument>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, request_id, filename, content_type, size_bytes, sha256, storage_key, \
           created_at \
         FROM request_documents WHERE request_id = $1 ORDER BY created_at, id",
    )
    .bind(request.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter().map(document).collect()
}

/// The document `id`, if it is a request's.
pub async fn by_id(
    conn: &mut Connection,
    id: DocumentId,
) -> Result<Option<RequestDocument>, StoreError> {
    let row = sqlx::query(
        "SELECT id, request_id, filename, content_type, size_bytes, sha256, storage_key, \
           created_at \
         FROM request_documents WHERE id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(document).transpose()
}
