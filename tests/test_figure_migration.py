"""Migration 0007's data step: rows stored before printed forms and statuses existed get
them from their article's text, and what a person corrected stays as they left it."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from archive.models import Figure

pytestmark = pytest.mark.django_db

step = importlib.import_module("archive.migrations.0008_figure_printed_status")


def as_before(figure: Figure, qualifier: str) -> None:
    """The row as the old code stored it: no printed form, the qualifier's meaning."""
    Figure.objects.filter(pk=figure.pk).update(
        printed="", status=Figure.Status.REPORTED, qualifier=qualifier
    )


def test_it_derives_printed_form_qualifier_and_status_from_the_text() -> None:
    more = Figure.objects.get(printed="10万多吨")
    over = Figure.objects.filter(printed__startswith="超", qualifier="超").first()
    target = Figure.objects.filter(status=Figure.Status.TARGET).exclude(pk=more.pk).first()
    threshold = Figure.objects.filter(status=Figure.Status.THRESHOLD).first()
    expected = {
        f.pk: (f.printed, f.qualifier, f.status) for f in (more, over, target, threshold)
    }
    as_before(more, "多")
    as_before(over, "超过")
    as_before(target, target.qualifier)
    as_before(threshold, "以上")

    step.derive_printed_and_status(apps, None)

    for pk, (printed, qualifier, status) in expected.items():
        figure = Figure.objects.get(pk=pk)
        assert (figure.printed, figure.qualifier, figure.status) == (printed, qualifier, status)


def test_it_keeps_what_a_person_corrected() -> None:
    figure = Figure.objects.filter(status=Figure.Status.TARGET, qualifier="").first()
    Figure.objects.filter(pk=figure.pk).update(
        printed="",
        value=12,
        value_text="12",
        qualifier="约",
        status=Figure.Status.REPORTED,
        corrected_fields=["qualifier", "status", "value"],
    )

    step.derive_printed_and_status(apps, None)

    figure.refresh_from_db()
    assert (figure.value, figure.qualifier) == (12, "约")
    assert figure.status == Figure.Status.REPORTED  # a person said so
    assert figure.printed == f"约12{figure.unit}"  # made from the corrected fields


def test_a_figure_a_person_added_gets_its_printed_form_from_its_fields() -> None:
    article = Figure.objects.first().article
    added = Figure.objects.create(
        article=article, label="人工", value=3, value_text="3", unit="亿元",
        normalized_value=3e8, base_unit="元", qualifier="以上", origin=Figure.Origin.HUMAN,
    )  # fmt: skip

    step.derive_printed_and_status(apps, None)

    added.refresh_from_db()
    assert added.printed == "3亿元以上"
