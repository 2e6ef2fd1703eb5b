"""gunicorn settings for serving parknews (environment overrides in brackets)."""

import os
from pathlib import Path

bind = os.getenv("BIND", f"127.0.0.1:{os.getenv('PORT', '8000')}")
workers = int(os.getenv("WEB_CONCURRENCY", "4"))
timeout = int(os.getenv("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
# Load Django, jieba's dictionary and the park names once, before forking the workers.
preload_app = True
accesslog = "-"
errorlog = "-"
# The request line (GET /search/?q=… HTTP/1.1) carries a pasted query: a Chinese
# character is 9 bytes URL-encoded, so gunicorn's default of 4,094 bytes refuses about 450
# characters with a bare English "Request Line is too large" instead of our page, and its
# highest finite value, 8,190, still refuses about 900. 0 is gunicorn's "no limit of its
# own", which its parser still caps at 1 MiB (gunicorn 27); the site cuts the query to
# its own length (archive/search/query.py MAX_INPUT_CHARS) and says so on the page.
# [GUNICORN_LIMIT_REQUEST_LINE]
limit_request_line = int(os.getenv("GUNICORN_LIMIT_REQUEST_LINE", "0"))


# The control socket (gunicornc) lives in the data directory, one per instance: gunicorn's
# default, ~/.gunicorn/gunicorn.ctl, is shared by every gunicorn the user runs.
# PARKNEWS_GUNICORN_CONTROL=off turns it off.
_data_dir = Path(os.getenv("PARKNEWS_DATA_DIR", Path(__file__).resolve().parent / "var"))
control_socket = str(_data_dir.resolve() / "gunicorn.ctl")
control_socket_mode = 0o600
# A Unix socket path longer than ~107 bytes cannot be bound: then no socket rather than
# one somewhere shared.
control_socket_disable = (
    os.getenv("PARKNEWS_GUNICORN_CONTROL", "on") == "off" or len(control_socket.encode()) > 100
)
