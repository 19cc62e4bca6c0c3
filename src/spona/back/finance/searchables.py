"""How finance documents are found and started from anywhere: invoices, bills and payments by number, partner, reference."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spona.back.finance.models import Invoice, Payment
from spona.core import search
from spona.web import palette
from spona.web.palette import PaletteAction

SALE_KINDS = (Invoice.Kind.CUSTOMER_INVOICE, Invoice.Kind.CUSTOMER_CREDIT_NOTE)


def _invoices(queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
    return queryset.select_related("party")


def _invoice_subtitle(invoice: Invoice) -> str:
    return " · ".join(
        (
            invoice.party.name,
            str(invoice.get_kind_display()),
            str(invoice.get_state_display()),
            f"{invoice.total} {invoice.currency}",
        )
    )


def _invoice_text(invoice: Invoice) -> str:
    return " ".join((invoice.reference, invoice.origin))


def _payment_title(payment: Payment) -> str:
    return f"{payment.get_direction_display()} {payment.amount} {payment.currency} · {payment.party.name}"


def _payment_subtitle(payment: Payment) -> str:
    return " · ".join(part for part in (payment.date.isoformat(), payment.reference) if part)


def register_all() -> None:
    search.register(
        search.SearchKind(
            name="finance.invoice",
            label=_("Customer invoices"),
            model=Invoice,
            permission="finance.view_ledger",
            url_name="finance:invoice_detail",
            title=str,
            subtitle=_invoice_subtitle,
            text=_invoice_text,
            include=lambda invoice: invoice.kind in SALE_KINDS,
            queryset=_invoices,
            icon="receipt",
        )
    )
    search.register(
        search.SearchKind(
            name="finance.bill",
            label=_("Vendor bills"),
            model=Invoice,
            permission="finance.view_ledger",
            url_name="finance:invoice_detail",
            title=str,
            subtitle=_invoice_subtitle,
            text=_invoice_text,
            include=lambda invoice: invoice.kind not in SALE_KINDS,
            queryset=_invoices,
            icon="receipt-cutoff",
        )
    )
    search.register(
        search.SearchKind(
            name="finance.payment",
            label=_("Payments"),
            model=Payment,
            permission="finance.view_ledger",
            # A payment has no page of its own: its journal entry shows it, with what it paid.
            url_name="finance:entry_detail",
            url=lambda payment: reverse("finance:entry_detail", kwargs={"pk": payment.entry_id}),
            title=_payment_title,
            subtitle=_payment_subtitle,
            queryset=lambda qs: qs.select_related("party"),
            icon="cash-coin",
        )
    )
    palette.register(
        PaletteAction(_("New invoice"), "finance:invoice_create", "finance.post", icon="receipt", keywords="bill customer"),
        PaletteAction(_("New vendor bill"), "finance:bill_create", "finance.post", icon="receipt-cutoff", keywords="supplier"),
    )
