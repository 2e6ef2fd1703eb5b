"""A database of its own for a test that runs `manage.py` (or gunicorn) in a subprocess.

Such a subprocess does not see pytest-django's test database: it connects to whatever
`DATABASE_URL` names. On SQLite that is a file in the subprocess's own data directory, but
on PostgreSQL (`bin/test`'s second run) every subprocess would share the one real database,
so pages one test ingests (the dev pages, say) would show up on another test's site.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

POSTGRES_SCHEMES = ("postgres://", "postgresql://")


@contextmanager
def database_of_its_own(env: dict[str, str], purpose: str) -> Iterator[dict[str, str]]:
    """`env` with a `DATABASE_URL` no other test uses, dropped on exit.

    Without PostgreSQL, `DATABASE_URL` is removed: the subprocess then keeps SQLite in its
    `PARKNEWS_DATA_DIR`, which the caller has made its own.
    """
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(POSTGRES_SCHEMES):
        yield {k: v for k, v in env.items() if k != "DATABASE_URL"}
        return
    import psycopg

    name = f"parknews_{purpose}_{uuid.uuid4().hex[:8]}"
    base, _ = url.rsplit("/", 1)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**env, "DATABASE_URL": f"{base}/{name}"}
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
