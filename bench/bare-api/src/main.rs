//! `bare-api PORT DB_FILE`: `POST /messages` with `{"body": "…"}` inserts a row (WAL,
//! `synchronous = NORMAL`: not synced at each commit, unlike Parley) and answers 201 with its
//! id. What bench/api.sh compares Parley's `POST /api/v1/requests/{id}/messages` with.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

#[derive(Deserialize)]
struct NewMessage {
    body: String,
}

async fn post_message(
    State(pool): State<SqlitePool>,
    Json(message): Json<NewMessage>,
) -> Result<(StatusCode, Json<serde_json::Value>), StatusCode> {
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query("INSERT INTO messages (id, body, created_at) VALUES ($1, $2, unixepoch())")
        .bind(&id)
        .bind(&message.body)
        .execute(&pool)
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))))
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let port = args.next().unwrap_or_else(|| "8090".to_owned());
    let file = args.next().unwrap_or_else(|| "bare.db".to_owned());
    let options = SqliteConnectOptions::new()
        .filename(&file)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal);
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .expect("database");
    sqlx::query("CREATE TABLE IF NOT EXISTS messages (id TEXT PRIMARY KEY, body TEXT NOT NULL, created_at INTEGER NOT NULL)")
        .execute(&pool)
        .await
        .expect("table");
    let app = Router::new()
        .route("/messages", post(post_message))
        .with_state(pool);
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}"))
        .await
        .expect("bind");
    axum::serve(listener, app).await.expect("serve");
}
