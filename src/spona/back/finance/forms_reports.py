"""Forms of the reports, bank statement, fiscal year and chart screens: parse input, decide nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from spona.back.finance.forms import DATE, _account_choices, _party_widget
from spona.back.finance.models import Account, AnalyticAccount, Journal

COMPARE = [("", _("No comparison")), ("previous_period", _("Previous period")), ("previous_year", _("Previous year"))]
EXPORT = [("", ""), ("csv", "CSV"), ("xlsx", "XLSX"), ("pdf", "PDF")]
MAX_BUCKETS = 8


def year_start(day: dt.date) -> dt.date:
    return day.replace(month=1, day=1)


class ReportForm(forms.Form):
    """The common part of every report's filter: the export format asked for, if any."""

    export = forms.ChoiceField(required=False, choices=EXPORT, widget=forms.HiddenInput)

    def value(self, name: str, default: Any) -> Any:
        """A cleaned value, or ``default`` when it is missing or was refused."""
        data = getattr(self, "cleaned_data", {})
        value = data.get(name)
        return default if value in (None, "") else value


class PeriodForm(ReportForm):
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE)

    def period(self) -> tuple[dt.date, dt.date]:
        today = timezone.localdate()
        date_to = self.value("date_to", today)
        return self.value("date_from", year_start(date_to)), date_to


class ProfitAndLossForm(PeriodForm):
    compare = forms.ChoiceField(label=_("Compare with"), required=False, choices=COMPARE)


class BalanceSheetForm(ReportForm):
    date_to = forms.DateField(label=_("At"), required=False, widget=DATE)
    compare = forms.ChoiceField(label=_("Compare with"), required=False, choices=COMPARE)


class AgedForm(ReportForm):
    kind = forms.ChoiceField(
        label=_("Of"), required=False, choices=[("receivable", _("Receivables")), ("payable", _("Payables"))]
    )
    on = forms.DateField(label=_("At"), required=False, widget=DATE)
    buckets = forms.CharField(
        label=_("Buckets (days)"), required=False, max_length=60, help_text=_("Upper bounds in days, e.g. 30, 60, 90.")
    )

    def clean_buckets(self) -> list[int]:
        text = (self.cleaned_data.get("buckets") or "").replace(";", ",")
        if not text.strip():
            return [30, 60, 90]
        try:
            bounds = sorted({int(part) for part in text.split(",") if part.strip()})
        except ValueError:
            raise forms.ValidationError(_("Give whole numbers of days separated by commas.")) from None
        if not bounds or len(bounds) > MAX_BUCKETS or bounds[0] < 1 or bounds[-1] > 3650:
            raise forms.ValidationError(_("Give one to eight bounds between 1 and 3650 days."))
        return bounds


class GeneralLedgerForm(PeriodForm):
    account = forms.TypedChoiceField(label=_("Account"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, accounts: list[Account], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = _account_choices(accounts)


class PartnerLedgerForm(PeriodForm):
    party = forms.IntegerField(label=_("Partner"), required=False, min_value=1, max_value=2**62)

    def __init__(self, *args: Any, search_url: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["party"].widget = _party_widget(search_url, _("Choose a partner"))


class JournalAuditForm(PeriodForm):
    journal = forms.TypedChoiceField(label=_("Journal"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, journals: list[Journal], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["journal"].choices = [("", "")] + [(j.pk, f"{j.code} {j.name}") for j in journals]


class AnalyticForm(ProfitAndLossForm):
    dimension = forms.ChoiceField(label=_("Per"), required=False, choices=AnalyticAccount.Dimension.choices)


class AnalyticLinesForm(PeriodForm):
    """The lines behind one row of the analytic report; no ``analytic`` means the lines without the dimension."""

    dimension = forms.ChoiceField(label=_("Per"), required=False, choices=AnalyticAccount.Dimension.choices)
    analytic = forms.IntegerField(required=False, min_value=1, max_value=2**62, widget=forms.HiddenInput)


# Bank statements: the columns are those of spona.back.finance.statements.CSV_FIELDS ------------------------

CSV_FIELDS = (
    ("date", _("Date column")),
    ("amount", _("Amount column")),
    ("debit", _("Debit column")),
    ("credit", _("Credit column")),
    ("partner_name", _("Partner column")),
    ("account_number", _("Partner account column")),
    ("reference", _("Reference column")),
    ("label", _("Text column")),
    ("transaction_id", _("Transaction id column")),
)
MAX_STATEMENT_BYTES = 5 * 1024 * 1024


class StatementImportForm(forms.Form):
    journal = forms.TypedChoiceField(label=_("Bank journal"), coerce=int)
    file = forms.FileField(label=_("Statement file"))
    file_format = forms.ChoiceField(
        label=_("Format"), choices=[("camt053", "CAMT.053 (ISO 20022 XML)"), ("ofx", "OFX"), ("csv", "CSV")]
    )
    date_format = forms.CharField(label=_("Date format"), required=False, max_length=20, initial="%Y-%m-%d")
    decimal_separator = forms.ChoiceField(label=_("Decimal separator"), required=False, choices=[(".", "."), (",", ",")])
    delimiter = forms.ChoiceField(
        label=_("Delimiter"), required=False, choices=[(",", ","), (";", ";"), ("\t", _("Tab")), ("|", "|")]
    )

    def __init__(self, *args: Any, journals: list[Journal], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["journal"].choices = [(j.pk, f"{j.code} {j.name}") for j in journals if j.kind == Journal.Kind.BANK]
        for name, label in CSV_FIELDS:
            self.fields[f"col_{name}"] = forms.CharField(label=label, required=False, max_length=100)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_STATEMENT_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload

    def mapping(self) -> dict[str, str]:
        return {name: self.cleaned_data[f"col_{name}"] for name, _label in CSV_FIELDS if self.cleaned_data.get(f"col_{name}")}


class LineBookForm(forms.Form):
    account = forms.TypedChoiceField(label=_("Book to account"), coerce=int)

    def __init__(self, *args: Any, accounts: list[Account], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = _account_choices(accounts)


# Chart of accounts ------------------------------------------------------------------------------------


class AccountForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=200)
    type = forms.ChoiceField(label=_("Type"), choices=Account.Type.choices)
    role = forms.ChoiceField(label=_("Function"), required=False, choices=Account.Role.choices)
    parent = forms.TypedChoiceField(label=_("Parent group"), required=False, coerce=int, empty_value=None)
    is_group = forms.BooleanField(label=_("Group (no postings)"), required=False)
    reconcilable = forms.BooleanField(label=_("Reconcilable"), required=False)
    cash_flow = forms.ChoiceField(
        label=_("In the cash-flow statement"),
        required=False,
        choices=Account.CashFlow.choices,
        help_text=_("Left on “by type and function”, bank and cash accounts are cash and other assets working capital."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, groups: list[Account], editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = _account_choices(groups)
        if editing:
            # Code, type, function and the group flag are fixed once the account exists.
            for name in ("code", "type", "role", "is_group"):
                del self.fields[name]
        else:
            del self.fields["is_active"]
