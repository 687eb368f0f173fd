#!/usr/bin/env python3
"""SQLite's own price for storing a relayed 5 KB message, without Parley around it.

Inserts rows shaped like an emailed reply (a 5 KB body and its 5.3 KB raw email) into a
table with one secondary index, in WAL mode with synchronous=FULL, 40 rows per transaction
(about what the relay's fold commits under load), and prints the CPU time per row; then the
same rows without the raw email. Python's sqlite3 adds a few µs per row, so this is an upper
bound of SQLite's share of the fold's cost (bench/relay-cpu.sh shows the fold's thread).

    python3 bench/sqlite-row-floor.py [DIRECTORY]     # default: a temporary directory
"""

import os
import sqlite3
import sys
import tempfile
import time
import uuid

ROWS = 20000
PER_COMMIT = 40
BODY = "La de da de da 1.\n" * 280  # smtp-source's 5 KB filler
RAW = ("Subject: bench\r\n\r\n" + BODY.replace("\n", "\r\n")).encode()


def cpu_per_row(directory, with_raw):
    path = os.path.join(directory, "floor.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.unlink(path + suffix)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute(
        "CREATE TABLE messages (id TEXT PRIMARY KEY, thread_id TEXT, body TEXT, "
        "language TEXT, created_at INTEGER, email_raw BLOB)"
    )
    db.execute("CREATE INDEX messages_thread_idx ON messages (thread_id, created_at, id)")
    raw = RAW if with_raw else None
    start = time.process_time()
    for _ in range(ROWS // PER_COMMIT):
        db.execute("BEGIN IMMEDIATE")
        for _ in range(PER_COMMIT):
            db.execute(
                "INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?)",
                (str(uuid.uuid1()), "thread", BODY, "en", time.time_ns() // 1_000_000, raw),
            )
        db.execute("COMMIT")
    spent = time.process_time() - start
    db.close()
    return spent / ROWS * 1e6


def measure(directory):
    print(f"SQLite {sqlite3.sqlite_version}, {ROWS} rows, {PER_COMMIT} per commit, in {directory}")
    for with_raw in (True, False, True, False):
        label = "body + raw email" if with_raw else "body only"
        print(f"  {label:17} {cpu_per_row(directory, with_raw):5.0f} µs of CPU per row")


def main():
    if len(sys.argv) > 1:
        measure(sys.argv[1])
    else:
        with tempfile.TemporaryDirectory() as directory:
            measure(directory)


if __name__ == "__main__":
    main()
