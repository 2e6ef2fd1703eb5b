"""WSGI entry point. With gunicorn's preload, the warm-up runs once before forking."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parknews.settings")

application = get_wsgi_application()

from archive.warmup import warm_up  # noqa: E402 - needs Django set up first

warm_up()
