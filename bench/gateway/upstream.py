"""The benchmark's upstream: a trivial endpoint and a database-backed read endpoint.

Plain WSGI under gunicorn, so the figures measure the proxies, not a framework:
``/bench/trivial`` answers a constant; ``/bench/items`` reads 20 rows from
SQLite per request (``BENCH_DB``).
"""

import json
import os
import sqlite3
import threading

_local = threading.local()
TRIVIAL = json.dumps({"ok": True}).encode()


def _db():
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = _local.conn = sqlite3.connect(os.environ["BENCH_DB"], check_same_thread=False)
    return conn


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if path.endswith("/items"):
        rows = _db().execute("SELECT id, name, price FROM items ORDER BY id LIMIT 20 OFFSET 100").fetchall()
        body = json.dumps([{"id": r[0], "name": r[1], "price": r[2]} for r in rows]).encode()
    elif path.endswith("/trivial"):
        body = TRIVIAL
    else:
        start_response("404 Not Found", [("Content-Length", "0")])
        return [b""]
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def create_db(path: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, name TEXT, price INTEGER)")
    conn.execute("DELETE FROM items")
    conn.executemany("INSERT INTO items VALUES (?, ?, ?)", [(i, f"item {i}", i % 97) for i in range(1, 1001)])
    conn.commit()
    conn.close()
