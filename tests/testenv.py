"""Loaded with `-p tests.testenv` before pytest-django reads the settings: a test run
gets a fresh data directory (secret key, search index) unless the caller chose one, and
static files are served without the hashed manifest (no collectstatic needed).

The directory this module makes is removed when the run ends: each run left ~25 MB in
the temporary directory otherwise (113 of them had piled up on the development
machine). One the caller chose is theirs and is kept."""

import atexit
import os
import shutil
import tempfile

if "PARKNEWS_DATA_DIR" not in os.environ:
    _data_dir = tempfile.mkdtemp(prefix="parknews-test-")
    os.environ["PARKNEWS_DATA_DIR"] = _data_dir
    atexit.register(shutil.rmtree, _data_dir, ignore_errors=True)
os.environ.setdefault("PARKNEWS_STATIC_MANIFEST", "False")
