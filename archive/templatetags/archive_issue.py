"""How a page's issue reads: its 版次 and the source of its date."""

from __future__ import annotations

from django import template

from archive.models import DateSource, Page

register = template.Library()


def page_label_text(label: str, number: int | None) -> str:
    """`05` → `第5版`; a label with words of its own (`第3版`, `A3`) as it is."""
    if label.strip().isdigit() and number:
        return f"第{number}版"
    return label


@register.filter
def page_label(page: Page) -> str:
    return page_label_text(page.page_label, page.page_number)


@register.filter
def date_source(page: Page) -> str:
    """版面印有 / 入库时给定 / 据正文推断 / 不详."""
    return DateSource(page.known_date_source).label
