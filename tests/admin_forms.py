"""Reading a rendered admin form back into POST data, the way a browser submits it."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id: str, crlf: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.crlf = crlf
        self.inside = False
        self.data: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._option: tuple[str, bool] | None = None
        self._option_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image"):
                self.data.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            self._option = (a.get("value", ""), "selected" in a)
            self._option_text = []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            text = text[1:] if text.startswith("\n") else text
            if self.crlf:
                # The HTML spec: a textarea's value is submitted with CRLF line breaks.
                text = text.replace("\r\n", "\n").replace("\n", "\r\n")
            self.data.append((self._textarea, text))
            self._textarea = None
        elif tag == "option" and self._option:
            value, selected = self._option
            if selected and self._select:
                self.data.append((self._select, value))
            self._option = None
        elif tag == "select":
            self._select = None


def form_data(html: str, form_id: str, crlf: bool = True) -> dict[str, list[str]]:
    """Field name → values of the form with this id, as the browser would post it
    (textareas with CRLF line breaks unless crlf=False)."""
    reader = _FormReader(form_id, crlf)
    reader.feed(html)
    out: dict[str, list[str]] = {}
    for name, value in reader.data:
        out.setdefault(name, []).append(value)
    return out
