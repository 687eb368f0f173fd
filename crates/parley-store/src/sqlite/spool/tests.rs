//! The spool's appends, replay and segments (its frames: `frame_tests`), with a folder that
//! only collects (the fold itself is the writer's: see `crash_tests`, and the relay's tests end
//! to end).

use std::sync::Mutex;

use parley_domain::{
    Actor, Audience, AuthorKind, Channel, EmailAddress, EmailOrigin, Event, EventId, EventKind,
    LanguageCode, Message, MessageId, RequestId, ThreadId, Timestamp,
};

use super::*;

pub(super) fn record(body: &str, raw: Option<&[u8]>) -> MessageRecord {
    MessageRecord {
        original: raw.map(<[u8]>::to_vec),
        ..record_in(body, RequestId::new(), ThreadId::new())
    }
}

/// An emailed reply from a buyer in `thread` of `request`.
pub(super) fn record_in(body: &str, request_id: RequestId, thread_id: ThreadId) -> MessageRecord {
    let message = Message {
        id: MessageId::new(),
        thread_id,
        request_id,
        author_kind: AuthorKind::Buyer,
        author_id: "buyer".to_owned(),
        sender: EmailAddress::parse("buyer@example.com").expect("address"),
        cc: Vec::new(),
        body: body.to_owned(),
        language: LanguageCode::En,
        channel: Channel::Email,
        created_at: Timestamp(1_700_000_000_000),
        read_at: None,
        email: Some(EmailOrigin {
            full_body: format!("{body}\n> quoted"),
            message_id: Some("<1@example.com>".to_owned()),
        }),
    };
    MessageRecord {
        sent: Event {
            id: EventId::new(),
            request_id,
            party: None,
            kind: EventKind::MessageSent,
            audience: Audience::PartyAndBuyer,
            actor: Actor {
                kind: AuthorKind::Buyer,
                id: None,
                name: "Buyer".to_owned(),
            },
            data: serde_json::json!({ "message_id": message.id }),
            created_at: message.created_at,
        },
        message,
        original: None,
        documents: Vec::new(),
        contacted: None,
        answers_request: false,
        request_created_at: None,
    }
}

pub(super) fn frames(records: &[MessageRecord]) -> Vec<u8> {
    numbered(1, records)
}

/// The frames of `records`, numbered from `first` on.
pub(super) fn numbered(first: u64, records: &[MessageRecord]) -> Vec<u8> {
    let mut out = Vec::new();
    for (n, record) in records.iter().enumerate() {
        let mut spooled = Spooled {
            seq: first + n as u64,
            record: record.clone(),
        };
        encode(&mut spooled, &mut out).expect("encode");
        assert_eq!(&spooled.record.message, &record.message, "texts put back");
    }
    out
}

/// A folder that keeps what it is given and counts it folded at once.
#[derive(Clone, Default)]
struct Collect {
    got: Arc<Mutex<Vec<(u64, MessageId)>>>,
    through: Arc<AtomicU64>,
}

impl Folder for Collect {
    fn fold(&self, records: Vec<Spooled>) -> oneshot::Receiver<()> {
        let mut got = self.got.lock().expect("lock");
        got.extend(records.iter().map(|s| (s.seq, s.record.message.id)));
        let last = got.iter().map(|g| g.0).max().unwrap_or(0);
        self.through.fetch_max(last, Ordering::AcqRel);
        let (done, folded) = oneshot::channel();
        let _ = done.send(());
        folded
    }

    fn folded_through(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.through)
    }
}

impl Collect {
    fn ids(&self) -> Vec<(u64, MessageId)> {
        self.got.lock().expect("lock").clone()
    }
}

fn segment_files(paths: &SpoolPaths) -> Vec<u64> {
    paths
        .segments()
        .expect("list")
        .into_iter()
        .map(|(n, _)| n)
        .collect()
}

#[tokio::test]
async fn what_a_crashed_run_spooled_is_folded_at_the_next_open_then_deleted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let paths = SpoolPaths::new(&dir.path().join("parley.db"));
    // A run that crashed left two acknowledged messages, and a torn third append (in a
    // segment without a header, as runs before segments had one wrote them: still read).
    let left = [record("one", Some(b"raw one")), record("two", None)];
    let mut bytes = frames(&left);
    let torn = frames(&[record("three", None)]);
    bytes.extend_from_slice(&torn[..torn.len() / 2]);
    std::fs::write(paths.segment(7), &bytes).expect("write segment");

    let folder = Collect::default();
    let spool = Spool::open(paths.clone(), folder.clone(), FOLD_INTERVAL)
        .await
        .expect("open")
        .expect("this process spools");
    let replayed: Vec<MessageId> = folder.ids().into_iter().map(|(_, id)| id).collect();
    assert_eq!(replayed, [left[0].message.id, left[1].message.id]);
    // The old segment is gone (folded); appends go to a new one, numbered on.
    assert_eq!(segment_files(&paths), [8]);

    // New appends continue the numbering, reach the folder in order, and a close deletes
    // the segment once they are folded.
    let fresh = record("four", Some(b"raw four"));
    spool.append(fresh.clone(), None).await.expect("append");
    spool.settle().await.expect("settle");
    assert_eq!(folder.ids().last(), Some(&(3, fresh.message.id)));
    spool.close().await;
    assert!(segment_files(&paths).is_empty());
}

#[tokio::test]
async fn one_process_spools_per_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let paths = SpoolPaths::new(&dir.path().join("parley.db"));
    let first = Spool::open(paths.clone(), Collect::default(), FOLD_INTERVAL)
        .await
        .expect("open");
    assert!(first.is_some());
    let second = Spool::open(paths.clone(), Collect::default(), FOLD_INTERVAL)
        .await
        .expect("open");
    assert!(
        second.is_none(),
        "the lock is held: the second writes directly"
    );
}

#[tokio::test]
async fn an_appended_message_is_on_disk_before_it_is_acknowledged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let paths = SpoolPaths::new(&dir.path().join("parley.db"));
    let folder = Collect::default();
    let spool = Spool::open(paths.clone(), folder.clone(), FOLD_INTERVAL)
        .await
        .expect("open")
        .expect("spools");
    let sent = record("kept", Some(b"raw"));
    spool.append(sent.clone(), None).await.expect("append");
    // Read the segment as a restart would, while the spool still runs and nothing is folded.
    let (_, segment) = paths.segments().expect("list").pop().expect("segment");
    let on_disk = decode_segment(&std::fs::read(segment).expect("read"));
    assert_eq!(on_disk.len(), 1);
    assert_eq!(on_disk[0].record.message, sent.message);
    assert_eq!(on_disk[0].record.original.as_deref(), Some(&b"raw"[..]));
}

#[test]
fn appends_wait_for_company_only_while_a_message_is_being_received() {
    assert!(company::worth_waiting(1, 1), "someone is sending: wait");
    assert!(company::worth_waiting(3, 2));
    assert!(!company::worth_waiting(1, 0), "nobody else is sending");
    assert!(
        !company::worth_waiting(company::GROUP_MIN, 5),
        "enough company"
    );
}

/// Runs `append` with a guard against a wait that never ends (the appends below would wait
/// an hour for company if the rule were wrong).
async fn within_a_minute<T>(append: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), append)
        .await
        .expect("the append waited for company that could not come")
}

#[tokio::test]
async fn a_lone_append_is_synced_at_once_and_one_waits_for_a_message_being_received() {
    let dir = tempfile::tempdir().expect("tempdir");
    let paths = SpoolPaths::new(&dir.path().join("parley.db"));
    let hour = Duration::from_secs(3600);
    let spool = Spool::open_waiting(
        paths,
        Collect::default(),
        FOLD_INTERVAL,
        hour,
        SEGMENT_BYTES,
    )
    .await
    .expect("open")
    .expect("spools");

    // Nobody else is sending: no wait.
    within_a_minute(spool.append(record("alone", None), None))
        .await
        .expect("append");
    assert_eq!(spool.syncs(), 1);

    // A ticket given back unused (the message was refused) is not waited for.
    drop(spool.receiving());
    within_a_minute(spool.append(record("alone again", None), None))
        .await
        .expect("append");
    assert_eq!(spool.syncs(), 2);

    // Someone is receiving a message: the first append waits for it, and both share a sync.
    let ticket = spool.receiving();
    let first = spool.append(record("first", None), None);
    let second = spool.append(record("second", None), Some(ticket));
    let (first, second) = within_a_minute(async { tokio::join!(first, second) }).await;
    first.expect("first");
    second.expect("second");
    assert_eq!(spool.syncs(), 3, "one sync for both");
    assert_eq!(spool.commands.queue().receiving(), 0);

    // A message being received is refused: the append waiting for it goes on.
    let ticket = spool.receiving();
    let waiting = spool.append(record("waits", None), None);
    drop(ticket);
    within_a_minute(waiting).await.expect("append");
    assert_eq!(spool.syncs(), 4);
}

#[tokio::test]
async fn the_ticket_of_the_message_being_stored_reaches_the_store() {
    let (queue, _sender) = Queue::new();
    let ticket = Receiving::new(queue.clone());
    assert_eq!(queue.receiving(), 1);
    let taken = while_receiving(Some(ticket), async {
        let ticket = take_ticket();
        (ticket.is_some(), take_ticket().is_none())
    })
    .await;
    assert_eq!(taken, (true, true), "taken once, inside the scope");
    assert_eq!(queue.receiving(), 0, "and given back");
    assert!(take_ticket().is_none(), "outside any message");
}

#[tokio::test]
async fn an_append_after_the_spool_stopped_fails_rather_than_waits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let paths = SpoolPaths::new(&dir.path().join("parley.db"));
    let spool = Spool::open(paths, Collect::default(), FOLD_INTERVAL)
        .await
        .expect("open")
        .expect("spools");
    spool.close().await;
    let late = within_a_minute(spool.append(record("late", None), None)).await;
    assert!(matches!(late, Err(StoreError::Closed)), "{late:?}");
}

#[tokio::test]
async fn a_folded_segment_is_reused_and_its_earlier_frames_are_never_read_again() {
    use std::os::unix::fs::MetadataExt as _;
    let inode = |path: std::path::PathBuf| std::fs::metadata(path).expect("metadata").ino();
    let dir = tempfile::tempdir().expect("tempdir");
    let paths = SpoolPaths::new(&dir.path().join("parley.db"));
    let hour = Duration::from_secs(3600);
    // Segments of one byte: every group closes its segment; folds only when settled.
    let spool = Spool::open_waiting(paths.clone(), Collect::default(), hour, hour, 1)
        .await
        .expect("open")
        .expect("spools");
    // Frames of the same size, so that a new one ends exactly where an old one starts.
    let [a, b, c, d, e] = ["aaaa", "bbbb", "cccc", "dddd", "eeee"].map(|body| record(body, None));
    assert_eq!(
        frames(std::slice::from_ref(&a)).len(),
        frames(std::slice::from_ref(&d)).len()
    );

    // Two messages share a sync in segment 1; once folded, it becomes the spare.
    let ticket = spool.receiving();
    let first = spool.append(a, None);
    let second = spool.append(b, Some(ticket));
    let (first, second) = within_a_minute(async { tokio::join!(first, second) }).await;
    first.expect("first");
    second.expect("second");
    spool.settle().await.expect("settle");
    assert_eq!(segment_files(&paths), [2]);
    let first_file = inode(paths.spare());

    // The next segment is the spare, renamed; segment 2, folded, is the spare now.
    spool.append(c, None).await.expect("append");
    spool.settle().await.expect("settle");
    assert_eq!(segment_files(&paths), [3]);
    assert_eq!(
        inode(paths.segment(3)),
        first_file,
        "segment 1's file, reused"
    );
    let second_file = inode(paths.spare());

    // Written over the earlier lives: d over a (just before b), e over c.
    spool.append(d.clone(), None).await.expect("append");
    spool.append(e.clone(), None).await.expect("append");
    assert_eq!(
        inode(paths.segment(4)),
        second_file,
        "segment 2's file, reused"
    );
    assert!(!paths.spare().exists());

    // What a restart would replay now: d and e, each once, nothing of the earlier lives.
    let mut replayed = Vec::new();
    for (_, path) in paths.segments().expect("list") {
        replayed.extend(decode_segment(&std::fs::read(path).expect("read")));
    }
    let replayed: Vec<(u64, MessageId)> = replayed
        .iter()
        .map(|s| (s.seq, s.record.message.id))
        .collect();
    assert_eq!(replayed, [(4, d.message.id), (5, e.message.id)]);

    // A clean close leaves no spool file behind, the spare included.
    spool.close().await;
    assert!(segment_files(&paths).is_empty());
    assert!(!paths.spare().exists());
}
