"""Orders storage: one SQLite file that every orders replica shares."""

import os
import sqlite3

# Applied in order by migrate.py; each runs once per database.
MIGRATIONS = [
    ("001_create_orders", """
        CREATE TABLE orders (
            id TEXT PRIMARY KEY,
            sku TEXT NOT NULL,
            qty INTEGER NOT NULL,
            amount INTEGER NOT NULL,
            status TEXT NOT NULL,
            reservation_id TEXT,
            charge_id TEXT,
            created_at TEXT NOT NULL
        )"""),
    ("002_orders_by_status", "CREATE INDEX orders_by_status ON orders (status, created_at)"),
]


def default_path():
    return os.environ.get("ORDERS_DB", ".data/orders.sqlite")


def connect(path=None):
    path = path or default_path()
    if os.path.dirname(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
    # Replicas write concurrently: wait for the lock instead of failing at once.
    conn = sqlite3.connect(path, timeout=5, isolation_level=None)
    conn.row_factory = sqlite3.Row
    return conn


def migrate(conn):
    """Applies pending migrations; returns the names it applied."""
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY)")
    done = {row["name"] for row in conn.execute("SELECT name FROM schema_migrations")}
    applied = []
    for name, sql in MIGRATIONS:
        if name in done:
            continue
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(sql)
        conn.execute("INSERT INTO schema_migrations (name) VALUES (?)", (name,))
        conn.execute("COMMIT")
        applied.append(name)
    return applied
