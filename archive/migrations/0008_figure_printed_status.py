"""Figures keep their printed form and get a status.

New fields: printed (the figure as printed, qualifier included) and status (reported,
target, threshold); qualifier now holds the word as printed (超, not 超过). Existing rows
get them from today's extraction of their article's body, matched by position, number and
unit. A figure a person corrected (value, unit or qualifier in corrected_fields) or added
keeps what it has, and its printed form is made from its own stored fields.
The next ingest re-extracts every page anyway (the pipeline version changed with this).
"""

from django.db import migrations, models

# Qualifiers stored before this migration as their meaning, and where they print.
_AFTER_NUMBER = ("余", "多")
_AFTER_UNIT = ("以上", "左右", "以下", "以内", "之多")


def _composed(figure) -> str:
    number = figure.value_text or (
        str(int(figure.value)) if float(figure.value).is_integer() else str(figure.value)
    )
    qualifier = figure.qualifier
    if qualifier in _AFTER_NUMBER:
        return f"{number}{qualifier}{figure.unit}"
    if qualifier in _AFTER_UNIT:
        return f"{number}{figure.unit}{qualifier}"
    return f"{qualifier}{number}{figure.unit}"


def derive_printed_and_status(apps, schema_editor):
    # Today's extraction, imported here on purpose: this runs once, on rows it made.
    from archive.ingest.figures import extract_figures

    Article = apps.get_model("archive", "Article")
    Figure = apps.get_model("archive", "Figure")
    articles = Article.objects.filter(figures__isnull=False).distinct().only("pk", "body")
    for article in articles.iterator(chunk_size=200):
        drafts = {d.start: d for d in extract_figures(article.body)}
        changed = []
        for figure in Figure.objects.filter(article=article):
            draft = drafts.get(figure.position)
            corrected = {"value", "unit", "qualifier"} & set(figure.corrected_fields)
            extracted = figure.origin == "extracted" and not corrected
            if (
                extracted
                and draft is not None
                and draft.value_text == figure.value_text
                and draft.unit == figure.unit
            ):
                figure.printed, figure.qualifier = draft.printed, draft.qualifier
                if "status" not in figure.corrected_fields:
                    figure.status = draft.status
            else:
                figure.printed = _composed(figure)[:48]
            changed.append(figure)
        Figure.objects.bulk_update(changed, ["printed", "qualifier", "status"])


class Migration(migrations.Migration):

    dependencies = [
        ('archive', '0007_article_dateline'),
    ]

    operations = [
        migrations.AddField(
            model_name='figure',
            name='printed',
            field=models.CharField(blank=True, help_text='The figure exactly as printed, qualifier included: 10万多吨, 超2亿元.', max_length=48, verbose_name='原文写法'),
        ),
        migrations.AddField(
            model_name='figure',
            name='status',
            field=models.CharField(choices=[('reported', '实际'), ('target', '目标/预计'), ('threshold', '规模门槛')], default='reported', help_text='实际: a result; 目标/预计: a goal or forecast (力争, 预计 …); 规模门槛: a size class (投资5亿元以上项目).', max_length=16, verbose_name='性质'),
        ),
        migrations.AlterField(
            model_name='figure',
            name='qualifier',
            field=models.CharField(blank=True, help_text='As printed: 超, 约, 余, 以上 …', max_length=8),
        ),
        migrations.AlterField(
            model_name='figure',
            name='year',
            field=models.PositiveSmallIntegerField(blank=True, help_text="The year the figure is for (a target's target year).", null=True),
        ),
        migrations.RunPython(derive_printed_and_status, migrations.RunPython.noop),
    ]
