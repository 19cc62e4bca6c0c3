"""The RFQ or purchase order as a PDF (WeasyPrint like finance's documents: no fetches, no clock)."""

from __future__ import annotations

from django.template.loader import render_to_string

from spona.back.purchasing.models import PurchaseOrder
from spona.core.errors import ValidationFailed


def order_pdf_bytes(order: PurchaseOrder) -> bytes:
    """Render the order; dated by its order date so that the same order gives the same bytes.

    Raises ValidationFailed when WeasyPrint (the ``pdf`` extra) is not installed.
    """
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: the package is there but Pango is missing
        raise ValidationFailed("PDF export is not available on this server (install the pdf extra).") from exc
    title = f"{'Request for quotation' if order.is_rfq() else 'Purchase order'} {order.number}"
    html = render_to_string(
        "purchasing/order_pdf.html",
        {"order": order, "lines": list(order.lines.all()), "pdf_title": title, "pdf_stamp": order.order_date.isoformat()},
    )
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()  # type: ignore[no-any-return]


def _no_fetch(url: str, *args: object, **kwargs: object) -> dict[str, object]:
    raise ValueError(f"PDF templates do not load resources ({url[:40]}).")
