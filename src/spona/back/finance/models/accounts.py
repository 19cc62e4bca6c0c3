from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from spona.core.models import CompanyOwned


class Account(CompanyOwned):
    """A ledger account in the company's chart; accounts form a tree through ``parent``.

    ``type`` decides where the balance goes in the statements; ``role`` marks the accounts
    that the ledger finds by function (receivable, bank, retained earnings …).
    """

    class Type(models.TextChoices):
        ASSET = "asset", _("Asset")
        LIABILITY = "liability", _("Liability")
        EQUITY = "equity", _("Equity")
        INCOME = "income", _("Income")
        EXPENSE = "expense", _("Expense")

    class Role(models.TextChoices):
        NONE = "", _("None")
        RECEIVABLE = "receivable", _("Receivable")
        PAYABLE = "payable", _("Payable")
        BANK = "bank", _("Bank")
        CASH = "cash", _("Cash")
        TAX_OUTPUT = "tax_output", _("Output tax")
        TAX_INPUT = "tax_input", _("Input tax")
        STOCK = "stock", _("Stock")
        STOCK_INPUT = "stock_input", _("Goods received not invoiced")
        WORK_IN_PROGRESS = "wip", _("Work in progress")
        COST_OF_GOODS_SOLD = "cogs", _("Cost of goods sold")
        PRICE_DIFFERENCE = "price_difference", _("Purchase price differences")
        STOCK_LOSS = "stock_loss", _("Stock losses and adjustments")
        PRODUCTION_ABSORBED = "production_absorbed", _("Production costs absorbed")
        RETAINED_EARNINGS = "retained_earnings", _("Retained earnings")
        CURRENT_EARNINGS = "current_earnings", _("Current year earnings")
        FX_GAIN = "fx_gain", _("Exchange gain")
        FX_LOSS = "fx_loss", _("Exchange loss")
        WRITE_OFF = "write_off", _("Write-off")

    class CashFlow(models.TextChoices):
        """Where the account's movements go in the cash-flow statement; blank follows type and role."""

        AUTO = "", _("By type and function")
        CASH = "cash", _("Cash and cash equivalents")
        WORKING_CAPITAL = "working_capital", _("Working capital")
        NON_CASH = "non_cash", _("Non-cash items")
        INVESTING = "investing", _("Investing activities")
        FINANCING = "financing", _("Financing activities")
        RESULT = "result", _("Result of the period")

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True, default="")
    cash_flow = models.CharField(_("cash-flow class"), max_length=16, choices=CashFlow.choices, blank=True, default="")
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    is_group = models.BooleanField(_("group (no postings)"), default=False)
    reconcilable = models.BooleanField(_("reconcilable"), default=False)
    currency = models.CharField(
        _("currency"), max_length=3, blank=True, help_text=_("Only for accounts kept in one foreign currency.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="account_unique_code"),
            models.CheckConstraint(
                condition=Q(type__in=["asset", "liability", "equity", "income", "expense"]), name="account_type_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def is_balance_sheet(self) -> bool:
        return self.type in (self.Type.ASSET, self.Type.LIABILITY, self.Type.EQUITY)

    def cash_flow_class(self) -> str:
        """The account's cash-flow class; see ``cash_flow_class``."""
        return cash_flow_class(self.type, self.role, self.cash_flow)


def cash_flow_class(account_type: str, role: str, cash_flow: str) -> str:
    """Where an account goes in the cash-flow statement: its own class, else one its type and role imply.

    Bank and cash accounts are cash; income, expenses and the earnings accounts that the year-end
    close fills make the result; other assets and liabilities are working capital; other equity
    is financing.
    """
    if cash_flow:
        return cash_flow
    if role in (Account.Role.BANK, Account.Role.CASH):
        return Account.CashFlow.CASH
    if account_type in (Account.Type.INCOME, Account.Type.EXPENSE) or role in (
        Account.Role.RETAINED_EARNINGS,
        Account.Role.CURRENT_EARNINGS,
    ):
        return Account.CashFlow.RESULT
    if account_type == Account.Type.EQUITY:
        return Account.CashFlow.FINANCING
    return Account.CashFlow.WORKING_CAPITAL


class AnalyticAccount(CompanyOwned):
    """An analytic dimension value (a cost centre or a project) that lines may carry."""

    class Dimension(models.TextChoices):
        COST_CENTRE = "cost_centre", _("Cost centre")
        PROJECT = "project", _("Project")

    dimension = models.CharField(_("dimension"), max_length=12, choices=Dimension.choices)
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["dimension", "code"]
        constraints = [models.UniqueConstraint(fields=["company", "dimension", "code"], name="analytic_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Journal(CompanyOwned):
    """A book of entries with its own number series and its own SHA-256 chain (QUALITY L3)."""

    class Kind(models.TextChoices):
        SALES = "sales", _("Sales")
        PURCHASE = "purchase", _("Purchase")
        BANK = "bank", _("Bank")
        CASH = "cash", _("Cash")
        GENERAL = "general", _("General")
        FX_REVALUATION = "fx_revaluation", _("FX revaluation")

    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    default_account = models.ForeignKey(Account, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The hash of the last posted entry; the next entry's hash chains onto it.
    last_hash = models.CharField(max_length=64, blank=True, editable=False)
    chain_length = models.PositiveBigIntegerField(default=0, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["company", "code"], name="journal_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class FiscalYear(CompanyOwned):
    """A fiscal year; closing it posts the result to retained earnings and stores a trial balance."""

    name = models.CharField(_("name"), max_length=20)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    trial_balance = models.JSONField(null=True, blank=True, editable=False)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(fields=["company", "start"], name="fiscal_year_unique_start"),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="fiscal_year_end_after_start"),
        ]

    def __str__(self) -> str:
        return self.name

    def is_closed(self) -> bool:
        return self.closed_at is not None


class LedgerSettings(models.Model):
    """Per-company ledger settings: lock dates and the accounts the ledger finds by function.

    Soft lock: only the finance role may still post on or before it. Hard lock: nobody may, and
    it never moves back (QUALITY L5).
    """

    company = models.OneToOneField("core.Company", on_delete=models.CASCADE, related_name="+", primary_key=True)
    soft_lock_date = models.DateField(_("soft lock date"), null=True, blank=True)
    hard_lock_date = models.DateField(_("hard lock date"), null=True, blank=True)

    personal_data: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"Ledger settings of company {self.company_id}"
