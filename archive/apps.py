from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "archive"
    verbose_name = "新闻档案"

    def ready(self) -> None:
        # jieba's dictionary and the park registry's names, once per process and before
        # serving: gunicorn preloads the app, so its workers inherit them.
        from archive.search import dictionary

        dictionary.load_registry()
