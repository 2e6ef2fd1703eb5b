"""Loaded with `-p tests.testenv` before pytest-django reads the settings: a test run
gets a fresh data directory (secret key, search index) unless the caller chose one."""

import os
import tempfile

os.environ.setdefault("PARKNEWS_DATA_DIR", tempfile.mkdtemp(prefix="parknews-test-"))
