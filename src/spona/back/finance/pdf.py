"""PDF documents from HTML templates (WeasyPrint), with no clock time and no outside fetches.

The PDF's dates come from the document (an invoice's date, a report's end date), so the same
document gives the same bytes every time. WeasyPrint may not fetch anything: a template that
names a URL gets nothing, which keeps PDF rendering free of server-side requests (QUALITY SEC7).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.loader import render_to_string

from spona.core.errors import ValidationFailed


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"PDF templates do not load resources ({url[:40]}).")


def render_pdf(template: str, context: dict[str, Any], *, stamp: dt.date, title: str) -> bytes:
    """Render ``template`` with ``context`` to PDF bytes, dated ``stamp``.

    Raises ValidationFailed when WeasyPrint (the ``pdf`` extra) is not installed.
    """
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: the package is there but Pango is missing
        raise ValidationFailed("PDF export is not available on this server (install the pdf extra).") from exc
    html = render_to_string(template, {**context, "pdf_stamp": stamp.isoformat(), "pdf_title": title})
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()  # type: ignore[no-any-return]
