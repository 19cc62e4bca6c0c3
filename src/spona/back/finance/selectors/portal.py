"""What a customer's portal user reads of finance: their posted invoices and credit notes, and the PDF.

The callers (the customer portal) have checked that the user speaks for ``party_id``; these
functions only ever return that party's documents, so another customer's id is NotFound.
"""

from __future__ import annotations

from django.db.models import Prefetch

from spona.back.finance.models import Invoice, InvoiceLine
from spona.back.finance.pdf import render_pdf
from spona.back.finance.selectors.sales import TotalsLine, document_totals
from spona.core.errors import NotFound
from spona.core.models import Company
from spona.core.money import precision

# Drafts are the company's work in progress: a customer sees a document once it is posted.
CUSTOMER_KINDS = (Invoice.Kind.CUSTOMER_INVOICE, Invoice.Kind.CUSTOMER_CREDIT_NOTE)
SHOWN_STATES = (Invoice.State.POSTED, Invoice.State.CANCELLED)


def _of_party(company: Company, party_id: int):  # type: ignore[no-untyped-def]
    from spona.back.finance.selectors_ui import with_payment_state

    return with_payment_state(
        Invoice.objects.filter(company=company, party_id=party_id, kind__in=CUSTOMER_KINDS, state__in=SHOWN_STATES)
    ).select_related("company")


def _with_residual(invoices: list[Invoice]) -> list[Invoice]:
    from spona.back.finance.selectors_ui import residual_of

    for invoice in invoices:
        invoice.residual = residual_of(invoice)  # type: ignore[attr-defined]
    return invoices


def party_invoices(*, company: Company, party_id: int, limit: int = 100) -> list[Invoice]:
    """A customer's posted (and cancelled) invoices and credit notes, newest first, each with its
    ``payment_state`` and ``residual`` (what is still open, in the document's currency)."""
    return _with_residual(list(_of_party(company, party_id).order_by("-invoice_date", "-pk")[: max(1, min(limit, 200))]))


def party_invoice_get(*, company: Company, party_id: int, invoice_id: int) -> Invoice:
    """One posted or cancelled document of the customer with its lines; NotFound for a draft or another's."""
    invoice = (
        _of_party(company, party_id)
        .filter(pk=invoice_id)
        .select_related("party")
        .prefetch_related(Prefetch("lines", queryset=InvoiceLine.objects.prefetch_related("taxes")))
        .first()
    )
    if invoice is None:
        raise NotFound("No such invoice.")
    return _with_residual([invoice])[0]


def party_invoice_pdf(*, company: Company, party_id: int, invoice_id: int) -> tuple[bytes, str]:
    """The PDF of a posted document of the customer and its file name; NotFound for a cancelled one too.

    The same template and figures as finance's own download: the tax summary as posting computed
    it, and the due dates from the entry. Raises ValidationFailed when the server cannot make PDFs.
    """
    from spona.back.finance.selectors_ui import instalments_of

    invoice = party_invoice_get(company=company, party_id=party_id, invoice_id=invoice_id)
    if invoice.state != Invoice.State.POSTED:
        raise NotFound("No such invoice.")
    lines = list(invoice.lines.all())
    taxes = {t.pk: t for line in lines for t in line.taxes.all()}
    totals = document_totals(
        company=company,
        currency=invoice.currency,
        lines=[TotalsLine(line.quantity, line.unit_price, line.discount, [t.pk for t in line.taxes.all()]) for line in lines],
        taxes=taxes.values(),
    )
    data = render_pdf(
        "finance/pdf/invoice.html",
        {
            "invoice": invoice,
            "company": company,
            "address": invoice.party.addresses.order_by("kind", "pk").first(),
            "fmt": f"{precision(invoice.currency)}g",
            "taxes": [
                {"name": taxes[key].name, "base": t.base, "amount": t.amount} for key, t in totals.taxes.items() if key in taxes
            ],
            "instalments": instalments_of(invoice),
        },
        stamp=invoice.invoice_date,
        title=str(invoice),
    )
    return data, f"{invoice.number.replace('/', '-')}.pdf"
