"""Issue metadata (newspaper, page label, where the date came from) and article permalinks.

public_id is added empty, filled for the articles already stored (derived as new ones are,
see archive/permalinks.py), then made unique. Pages already stored get date_source from
issue_date_estimated; a stored date that was not estimated came from --date, a sidecar or
a printed header, which were not told apart then: it is marked given.
"""

import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    from archive.permalinks import derive, identity

    Article = apps.get_model("archive", "Article")
    Page = apps.get_model("archive", "Page")
    Page.objects.filter(issue_date_estimated=True).update(date_source="estimated")
    Page.objects.filter(issue_date_estimated=False, issue_date__isnull=False).update(
        date_source="given"
    )
    taken: set[str] = set()
    rows = Article.objects.select_related("page").only("pk", "title", "body", "page__source")
    for article in rows.order_by("pk").iterator(chunk_size=2000):
        base = identity(article.page.source, article.title, article.body)
        attempt = 0
        while (candidate := derive(base, attempt)) in taken:
            attempt += 1
        taken.add(candidate)
        Article.objects.filter(pk=article.pk).update(public_id=candidate)


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0008_figure_printed_status"),
    ]

    operations = [
        migrations.CreateModel(
            name="Newspaper",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(help_text="As printed on the masthead.", max_length=128, unique=True, verbose_name="报纸名称")),
                ("slug", models.SlugField(help_text="Used in /papers/<slug>/.", max_length=64, unique=True, verbose_name="网址名")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={"verbose_name": "报纸", "verbose_name_plural": "报纸", "ordering": ["title"]},
        ),
        migrations.AddField(
            model_name="page",
            name="date_source",
            field=models.CharField(blank=True, choices=[("printed", "版面印有"), ("given", "入库时给定"), ("estimated", "据正文推断"), ("", "不详")], default="", max_length=16, verbose_name="日期来源"),
        ),
        migrations.AddField(
            model_name="page",
            name="newspaper",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="pages", to="archive.newspaper", verbose_name="报纸"),
        ),
        migrations.AddField(
            model_name="page",
            name="page_label",
            field=models.CharField(blank=True, help_text="As printed or given: 第3版, A3, 05.", max_length=32, verbose_name="版次"),
        ),
        migrations.AddField(
            model_name="page",
            name="page_number",
            field=models.PositiveSmallIntegerField(blank=True, help_text="The number in the page label, for citations.", null=True, verbose_name="版号"),
        ),
        migrations.AddField(
            model_name="article",
            name="public_id",
            field=models.CharField(default="", editable=False, max_length=16),
            preserve_default=False,
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="article",
            name="public_id",
            field=models.CharField(editable=False, help_text="The article's id in permalinks; assigned once, kept by re-ingest.", max_length=16, unique=True, verbose_name="永久编号"),
        ),
    ]
