"""Quotation PDFs (WeasyPrint), with no clock time and no outside fetches.

The same approach as finance's invoices (apps do not import each other's PDF module): the date
printed comes from the quotation, and the template may load nothing (QUALITY SEC7).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.loader import render_to_string

from spona.core.errors import ValidationFailed


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"PDF templates do not load resources ({url[:40]}).")


def render_pdf(template: str, context: dict[str, Any], *, stamp: dt.date, title: str) -> bytes:
    """Render ``template`` with ``context`` to PDF bytes; ValidationFailed without WeasyPrint (the ``pdf`` extra)."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: the package is there but Pango is missing
        raise ValidationFailed("PDF export is not available on this server (install the pdf extra).") from exc
    html = render_to_string(template, {**context, "pdf_stamp": stamp.isoformat(), "pdf_title": title})
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()  # type: ignore[no-any-return]
