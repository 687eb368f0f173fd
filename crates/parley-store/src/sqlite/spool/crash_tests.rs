//! The spool with the real store around it: what a crash leaves behind is stored once,
//! however often it is replayed (a crash after the fold's commit and before its segment's
//! deletion replays the segment at the next open).

use parley_domain::{RequestId, ThreadId};

use super::SpoolPaths;
use super::tests::record_in;
use crate::seed::Plan;
use crate::{SqliteOptions, Store, messages};

async fn open(file: &std::path::Path) -> Store {
    let options = SqliteOptions {
        // Nothing is folded while the store is open: only a close or the next open folds.
        relay_fold: std::time::Duration::from_secs(3600),
        ..SqliteOptions::default()
    };
    Store::open(&format!("sqlite://{}", file.display()), options)
        .await
        .expect("open")
}

async fn bodies(store: &Store, thread: ThreadId) -> Vec<String> {
    let mut conn = store.read().await.expect("read");
    messages::with_documents(&mut conn, &[thread])
        .await
        .expect("messages")
        .into_iter()
        .map(|(message, _)| message.body)
        .collect()
}

#[tokio::test]
async fn a_spooled_reply_is_stored_once_however_often_its_segment_is_replayed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("parley.db");
    let paths = SpoolPaths::new(&file);
    let store = open(&file).await;
    store
        .seed(Plan {
            organizations: 1,
            requests: 1,
            messages_per_request: 0,
        })
        .await
        .expect("seed");
    let (thread, request): (String, String) = {
        let mut conn = store.read().await.expect("read");
        sqlx::query_as("SELECT id, request_id FROM threads LIMIT 1")
            .fetch_one(&mut *conn)
            .await
            .expect("a thread")
    };
    let thread: ThreadId = thread.parse().expect("thread id");
    let request: RequestId = request.parse().expect("request id");
    let body = "Replayed after a crash, stored once.";
    let reply = record_in(body, request, thread);
    store
        .email_arriving()
        .within(store.record_message(reply))
        .await
        .expect("spooled");
    assert!(bodies(&store, thread).await.is_empty(), "not folded yet");
    let spooled: Vec<(std::path::PathBuf, Vec<u8>)> = paths
        .segments()
        .expect("segments")
        .into_iter()
        .map(|(_, path)| {
            let bytes = std::fs::read(&path).expect("segment");
            (path, bytes)
        })
        .filter(|(_, bytes)| bytes.windows(body.len()).any(|w| w == body.as_bytes()))
        .collect();
    assert_eq!(spooled.len(), 1, "the reply is in one segment");
    store.close().await;

    let store = open(&file).await;
    assert_eq!(bodies(&store, thread).await, [body], "stored");
    store.close().await;

    // The segment as it was before its fold, as a crash between the fold's commit and the
    // segment's deletion leaves it.
    for (path, bytes) in &spooled {
        std::fs::write(path, bytes).expect("put the segment back");
    }
    let store = open(&file).await;
    assert_eq!(
        bodies(&store, thread).await,
        [body],
        "replayed, stored once"
    );
    assert!(
        !paths.rejected().exists(),
        "the repeat is skipped, not refused"
    );
    store.close().await;
}
