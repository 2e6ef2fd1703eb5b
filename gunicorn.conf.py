"""gunicorn settings for serving parknews (environment overrides in brackets)."""

import os

bind = os.getenv("BIND", f"127.0.0.1:{os.getenv('PORT', '8000')}")
workers = int(os.getenv("WEB_CONCURRENCY", "4"))
timeout = int(os.getenv("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
# Load Django, jieba's dictionary and the park names once, before forking the workers.
preload_app = True
accesslog = "-"
errorlog = "-"

