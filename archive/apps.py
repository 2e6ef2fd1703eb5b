from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "archive"
    verbose_name = "新闻档案"

    def ready(self) -> None:
        # The index code relies on one Whoosh release's internals: refuse any other at
        # start-up, with one clear message, rather than answer wrongly.
        from archive.search import whoosh_adapter

        whoosh_adapter.check_version()
        # jieba's dictionary and the park registry's names, once per process and before
        # serving: gunicorn preloads the app, so its workers inherit them.
        from archive.search import dictionary

        dictionary.load_registry()
