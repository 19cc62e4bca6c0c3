"""Forms of the finance screens: they parse and re-display input; every decision is the services' to make."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from spona.back.finance.models import Account, Invoice, JournalEntry, Payment, Tax
from spona.back.finance.selectors_ui import PAYMENT_STATES, InvoiceFilters, PreviewLine
from spona.back.finance.services import InvoiceLineIn, LineIn

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PAYMENT_STATE_LABELS = {"not_paid": _("Not paid"), "partial": _("Partially paid"), "paid": _("Paid")}
SIDE_KINDS = {
    "sale": [(k, label) for k, label in Invoice.Kind.choices if k in ("out_invoice", "out_refund")],
    "purchase": [(k, label) for k, label in Invoice.Kind.choices if k in ("in_invoice", "in_refund")],
}
# Money and quantities as typed: Decimal fields that never turn into floats.
AMOUNT = {"max_digits": 20, "decimal_places": 4}


def _account_choices(accounts: list[Account]) -> list[tuple[Any, str]]:
    return [("", "—"), *((a.pk, f"{a.code} {a.name}") for a in accounts)]


def _party_widget(search_url: str, placeholder: Any = "") -> forms.Select:
    return forms.Select(attrs={"data-party-picker": "true", "data-url": search_url, "placeholder": placeholder})


def set_party_choices(field: forms.Field, parties: list[Any]) -> None:
    field.widget.choices = [("", ""), *((p.pk, p.name) for p in parties)]


class DateRangeMixin(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE)


# Invoices ------------------------------------------------------------------------------------


class InvoiceFilterForm(DateRangeMixin):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("Any state")), *Invoice.State.choices])
    payment_state = forms.ChoiceField(
        label=_("Payment"),
        required=False,
        choices=[("", _("Paid or not")), *((s, PAYMENT_STATE_LABELS[s]) for s in PAYMENT_STATES)],
    )
    party = forms.IntegerField(label=_("Partner"), required=False, min_value=1)
    cursor = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, side: str, search_url: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds")), *SIDE_KINDS[side]]
        self.fields["party"].widget = _party_widget(search_url, _("Any partner"))

    def filters(self) -> InvoiceFilters:
        """The valid filters (a bad value drops only its own filter)."""
        data = getattr(self, "cleaned_data", {})
        return InvoiceFilters(
            kind=data.get("kind") or "",
            state=data.get("state") or "",
            payment_state=data.get("payment_state") or "",
            party_id=data.get("party"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            q=data.get("q") or "",
        )


class InvoiceForm(forms.Form):
    """The header of a draft invoice or bill."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Kind"))
    party = forms.IntegerField(label=_("Partner"), min_value=1)
    invoice_date = forms.DateField(label=_("Date"), widget=DATE)
    currency = forms.CharField(label=_("Currency"), max_length=3, min_length=3)
    payment_term = forms.TypedChoiceField(label=_("Payment term"), required=False, coerce=int, empty_value=None)
    reference = forms.CharField(label=_("Reference"), required=False, max_length=100)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, side: str, search_url: str, terms: list[Any], parties: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = SIDE_KINDS[side]
        self.fields["party"].widget = _party_widget(search_url, _("Search partners"))
        set_party_choices(self.fields["party"], parties)
        self.fields["payment_term"].choices = [("", _("Due on the invoice date")), *((t.pk, t.name) for t in terms)]

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].upper()

    @staticmethod
    def initial_for(invoice: Invoice) -> dict[str, Any]:
        return {
            "version": invoice.version,
            "kind": invoice.kind,
            "party": invoice.party_id,
            "invoice_date": invoice.invoice_date,
            "currency": invoice.currency,
            "payment_term": invoice.payment_term_id,
            "reference": invoice.reference,
            "notes": invoice.notes,
        }


class InvoiceLineForm(forms.Form):
    description = forms.CharField(label=_("Description"), max_length=300)
    account = forms.TypedChoiceField(label=_("Account"), coerce=int)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=16, decimal_places=4, initial=Decimal(1))
    unit_price = forms.DecimalField(label=_("Unit price"), max_digits=20, decimal_places=6)
    discount = forms.DecimalField(label=_("Discount %"), required=False, max_digits=7, decimal_places=4)
    taxes = forms.TypedMultipleChoiceField(label=_("Taxes"), required=False, coerce=int)

    def __init__(self, *args: Any, accounts: list[Account], taxes: list[Tax], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = _account_choices(accounts)
        self.fields["account"].widget.attrs["data-finance-picker"] = "true"
        self.fields["taxes"].choices = [(t.pk, t.name) for t in taxes]
        self.fields["taxes"].widget.attrs["data-finance-picker"] = "true"

    def has_changed(self) -> bool:
        # A row with nothing typed but its default quantity is untouched, wherever the quantity came from.
        return any(name != "quantity" for name in self.changed_data)

    def to_input(self) -> InvoiceLineIn:
        data = self.cleaned_data
        return InvoiceLineIn(
            description=data["description"],
            account_id=data["account"],
            quantity=data["quantity"],
            unit_price=data["unit_price"],
            discount=data.get("discount") or Decimal(0),
            tax_ids=list(data.get("taxes") or []),
        )

    def to_preview(self) -> PreviewLine | None:
        """The line for live totals, or None while its numbers are not valid yet."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if data.get("quantity") is None or data.get("unit_price") is None:
            return None
        return PreviewLine(
            quantity=data["quantity"],
            unit_price=data["unit_price"],
            discount=data.get("discount") or Decimal(0),
            tax_ids=list(data.get("taxes") or []),
        )


class LineFormSet(forms.BaseFormSet):
    """Rows of a document; rows removed from the page or left untouched are skipped."""

    def used_forms(self) -> list[Any]:
        return [f for f in self.forms if f.has_changed()]


InvoiceLineFormSet = forms.formset_factory(
    InvoiceLineForm, formset=LineFormSet, extra=0, max_num=200, validate_max=True, absolute_max=200
)


def invoice_lines_data(invoice: Invoice | None, prefix: str = "lines") -> dict[str, Any]:
    """The line formset's data for an invoice (or one empty row), so that rows can be removed freely."""
    rows = list(invoice.lines.all()) if invoice is not None else []
    data: dict[str, Any] = {f"{prefix}-TOTAL_FORMS": str(max(len(rows), 1)), f"{prefix}-INITIAL_FORMS": "0"}
    if not rows:
        data[f"{prefix}-0-quantity"] = "1"  # one empty row to start with
    for i, row in enumerate(rows):
        data.update(
            {
                f"{prefix}-{i}-description": row.description,
                f"{prefix}-{i}-account": str(row.account_id),
                f"{prefix}-{i}-quantity": str(row.quantity.normalize()),
                f"{prefix}-{i}-unit_price": str(row.unit_price.normalize()),
                f"{prefix}-{i}-discount": str(row.discount.normalize()) if row.discount else "",
            }
        )
        data[f"{prefix}-{i}-taxes"] = [str(t.pk) for t in row.taxes.all()]
    return data


class CreditForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class PaymentForm(forms.Form):
    """Register a payment against one invoice; the amount defaults to what is still open."""

    amount = forms.DecimalField(label=_("Amount"), min_value=Decimal("0.0001"), **AMOUNT)
    date = forms.DateField(label=_("Date"), widget=DATE)
    journal = forms.TypedChoiceField(label=_("Bank or cash journal"), coerce=int)
    reference = forms.CharField(label=_("Reference"), required=False, max_length=100)
    write_off_account = forms.TypedChoiceField(
        label=_("Write off the difference to"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Only to settle a small difference in full, e.g. bank charges."),
    )

    def __init__(self, *args: Any, journals: list[Any], accounts: list[Account], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["journal"].choices = [(j.pk, f"{j.code} {j.name}") for j in journals]
        self.fields["write_off_account"].choices = [("", _("No write-off")), *_account_choices(accounts)[1:]]


# Journal entries ------------------------------------------------------------------------------


class EntryFilterForm(DateRangeMixin):
    journal = forms.TypedChoiceField(label=_("Journal"), required=False, coerce=int, empty_value=None)
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("Any state")), *JournalEntry.State.choices])
    cursor = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, journals: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["journal"].choices = [("", _("All journals")), *((j.pk, f"{j.code} {j.name}") for j in journals)]


class EntryForm(forms.Form):
    journal = forms.TypedChoiceField(label=_("Journal"), coerce=int)
    date = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    reference = forms.CharField(label=_("Reference"), required=False, max_length=100)
    memo = forms.CharField(label=_("Memo"), required=False, max_length=300)
    party = forms.IntegerField(label=_("Partner"), required=False, min_value=1)

    def __init__(self, *args: Any, journals: list[Any], search_url: str, parties: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["journal"].choices = [(j.pk, f"{j.code} {j.name}") for j in journals]
        self.fields["party"].widget = _party_widget(search_url, _("No partner"))
        set_party_choices(self.fields["party"], parties)


class EntryLineForm(forms.Form):
    account = forms.TypedChoiceField(label=_("Account"), coerce=int)
    label = forms.CharField(label=_("Label"), required=False, max_length=200)
    debit = forms.DecimalField(label=_("Debit"), required=False, min_value=Decimal(0), **AMOUNT)
    credit = forms.DecimalField(label=_("Credit"), required=False, min_value=Decimal(0), **AMOUNT)

    def __init__(self, *args: Any, accounts: list[Account], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = _account_choices(accounts)
        self.fields["account"].widget.attrs["data-finance-picker"] = "true"

    def to_input(self, party_id: int | None) -> LineIn:
        data = self.cleaned_data
        return LineIn(
            account_id=data["account"],
            label=data.get("label") or "",
            debit=data.get("debit") or Decimal(0),
            credit=data.get("credit") or Decimal(0),
            party_id=party_id,
        )

    def amounts(self) -> tuple[Decimal, Decimal]:
        """Debit and credit as typed so far (zero while not a number), for the live balance check."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return data.get("debit") or Decimal(0), data.get("credit") or Decimal(0)


EntryLineFormSet = forms.formset_factory(
    EntryLineForm, formset=LineFormSet, extra=0, max_num=500, validate_max=True, absolute_max=500
)


def entry_lines_data(rows: int = 2, prefix: str = "lines") -> dict[str, Any]:
    """Data of an entry's line formset with ``rows`` empty rows."""
    return {f"{prefix}-TOTAL_FORMS": str(rows), f"{prefix}-INITIAL_FORMS": "0"}


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)
    date = forms.DateField(
        label=_("Date of the reversal"),
        required=False,
        widget=DATE,
        help_text=_("Leave empty: the original's date, or today when that date is locked."),
    )


# Ledger --------------------------------------------------------------------------------------


class TrialBalanceForm(DateRangeMixin):
    pass


class LedgerLinesForm(DateRangeMixin):
    cursor = forms.CharField(required=False, widget=forms.HiddenInput)


class LockDatesForm(forms.Form):
    soft = forms.DateField(
        label=_("Soft lock date"),
        required=False,
        widget=DATE,
        help_text=_("Nothing dated on or before it can be posted any more."),
    )
    hard = forms.DateField(
        label=_("Hard lock date"),
        required=False,
        widget=DATE,
        help_text=_("Like the soft lock, and it can never move back."),
    )


class PaymentFilterForm(DateRangeMixin):
    direction = forms.ChoiceField(
        label=_("Direction"), required=False, choices=[("", _("In and out")), *Payment.Direction.choices]
    )
    party = forms.IntegerField(label=_("Partner"), required=False, min_value=1)
    cursor = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, search_url: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["party"].widget = _party_widget(search_url, _("Any partner"))
