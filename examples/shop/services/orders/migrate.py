"""One-shot job: brings the orders database schema up to date, then exits."""

import contextlib
import sys

import db


def main():
    path = db.default_path()
    print(f"migrate: database {path}", flush=True)
    with contextlib.closing(db.connect(path)) as conn:
        applied = db.migrate(conn)
    for name in applied:
        print(f"migrate: applied {name}", flush=True)
    print(f"migrate: schema up to date ({len(applied)} applied, {len(db.MIGRATIONS)} known)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
