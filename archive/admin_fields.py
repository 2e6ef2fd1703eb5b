"""Admin form fields that give back exactly what is stored when an editor changes nothing.

A browser submits a textarea's line breaks as CRLF and every widget's current value; these
fields read that back into the stored form (LF, lists), and `ExactModelForm` keeps every
field whose meaning did not change byte-identical, so an unchanged save changes nothing.
"""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.db import models

from archive.corrections import normalise_newlines
from archive.ingest.names import split_names


class StoredTextField(forms.CharField):
    """Text as stored: line endings normalised to LF, nothing else touched."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        return normalise_newlines(super().to_python(value))

    def has_changed(self, initial: Any, data: Any) -> bool:
        return normalise_newlines(initial or "") != self.to_python(data)


class LinesField(forms.CharField):
    """A list of texts edited one a line (captions, credits); empty lines dropped."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, **kwargs: Any) -> None:
        # A JSONField's formfield() hands these to its form class.
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, list | tuple):
            return [str(item) for item in value]
        text = normalise_newlines(super().to_python(value))
        return [line.strip() for line in text.split("\n") if line.strip()]

    def has_changed(self, initial: Any, data: Any) -> bool:
        return self.to_python(self.prepare_value(initial) or "") != self.to_python(data)


class NamesField(LinesField):
    """Author names on one line, separated by spaces, 、 or commas."""

    widget = forms.TextInput(attrs={"size": 40})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return " ".join(str(item) for item in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, list | tuple):
            return [str(item) for item in value]
        return split_names(normalise_newlines(forms.CharField.to_python(self, value)))


def same_meaning(stored: Any, submitted: Any) -> bool:
    """Whether a submitted value says what the stored one says (line endings and the
    spaces a text input trims aside)."""
    if isinstance(stored, str) and isinstance(submitted, str):
        return normalise_newlines(stored).strip() == normalise_newlines(submitted).strip()
    if isinstance(stored, float | int) and isinstance(submitted, float | int):
        return float(stored) == float(submitted)
    return stored == submitted


def audited_fields(instance: models.Model) -> list[models.Field]:
    """The fields of a row whose changes are audited (what a person can affect)."""
    skip = {"corrected_fields"}
    return [
        f
        for f in instance._meta.concrete_fields
        if f.editable and not f.primary_key and f.name not in skip
    ]


class ExactModelForm(forms.ModelForm):
    """A model form that remembers the row as stored, keeps unchanged fields exactly as
    they were and says which fields really changed (`stored_changes`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stored = {
            # Related rows compare by key: no need to copy them.
            f.name: getattr(self.instance, f.name, None)
            if f.is_relation
            else copy.deepcopy(getattr(self.instance, f.name, None))
            for f in audited_fields(self.instance)
        }

    def _post_clean(self) -> None:
        super()._post_clean()
        for name, before in self.stored.items():
            if name in self.fields and same_meaning(before, getattr(self.instance, name, None)):
                setattr(self.instance, name, before)

    def stored_changes(self) -> list[tuple[str, Any, Any]]:
        """(field, stored, now) for every field whose value the save changed, including
        fields computed from others (a figure's value in its base unit)."""
        changes = []
        for name, before in self.stored.items():
            now = getattr(self.instance, name, None)
            if before != now:
                changes.append((name, before, now))
        return changes
