"""Loaded with `-p tests.testenv` before pytest-django reads the settings: a test run
gets a fresh data directory (secret key, search index) unless the caller chose one, and
static files are served without the hashed manifest (no collectstatic needed)."""

import os
import tempfile

os.environ.setdefault("PARKNEWS_DATA_DIR", tempfile.mkdtemp(prefix="parknews-test-"))
os.environ.setdefault("PARKNEWS_STATIC_MANIFEST", "False")
