"""Price lists and customer sales terms: what a customer pays, on what terms, up to what credit."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from spona.core.models import CompanyOwned

MONEY = {"max_digits": 20, "decimal_places": 4}
QUANTITY = {"max_digits": 20, "decimal_places": 4}


class CustomerGroup(CompanyOwned):
    """A set of customers that share price lists (retail, wholesale, distributors)."""

    name = models.CharField(_("name"), max_length=100)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="sales_group_unique_name")]

    def __str__(self) -> str:
        return self.name


class PriceList(CompanyOwned):
    """Prices in one currency, for one customer group (or everyone), valid between two dates.

    Several lists may apply to a sale; the customer's own list wins, then a list of the
    customer's group, then a general one, lower ``sequence`` first.
    """

    name = models.CharField(_("name"), max_length=100)
    currency = models.CharField(_("currency"), max_length=3)
    customer_group = models.ForeignKey(
        CustomerGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="price_lists",
        verbose_name=_("customer group"),
    )
    date_from = models.DateField(_("valid from"), null=True, blank=True)
    date_to = models.DateField(_("valid until"), null=True, blank=True)
    sequence = models.PositiveSmallIntegerField(_("priority"), default=10)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["sequence", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="sales_pricelist_unique_name"),
            models.CheckConstraint(
                condition=Q(date_from__isnull=True) | Q(date_to__isnull=True) | Q(date_to__gte=F("date_from")),
                name="sales_pricelist_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PriceListItem(CompanyOwned):
    """The price of a product on a list from a quantity on (a quantity break)."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, related_name="+")
    min_quantity = models.DecimalField(_("from quantity"), default=Decimal(1), **QUANTITY)
    price = models.DecimalField(_("unit price"), **MONEY)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["price_list", "product", "min_quantity"]
        constraints = [
            models.UniqueConstraint(fields=["price_list", "product", "min_quantity"], name="sales_item_unique_break"),
            models.CheckConstraint(condition=Q(min_quantity__gt=0), name="sales_item_min_quantity_positive"),
            models.CheckConstraint(condition=Q(price__gte=0), name="sales_item_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} from {self.min_quantity}: {self.price}"


class CustomerTerms(CompanyOwned):
    """How a customer buys: its group, price list, payment term and credit limit (none: no limit)."""

    party = models.ForeignKey("core.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer"))
    customer_group = models.ForeignKey(CustomerGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    price_list = models.ForeignKey(PriceList, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    payment_term = models.ForeignKey("finance.PaymentTerm", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    credit_limit = models.DecimalField(_("credit limit"), null=True, blank=True, **MONEY)
    version = models.PositiveIntegerField(default=1, editable=False)

    personal_data: tuple[str, ...] = ()

    class Meta:
        verbose_name_plural = _("customer terms")
        constraints = [
            models.UniqueConstraint(fields=["company", "party"], name="sales_terms_one_per_party"),
            models.CheckConstraint(condition=Q(credit_limit__isnull=True) | Q(credit_limit__gte=0), name="sales_terms_limit"),
        ]

    def __str__(self) -> str:
        return f"Terms of {self.party_id}"


class SalesSettings(CompanyOwned):
    """A company's sales rules: the discount that needs approval, what to do above the credit limit, defaults."""

    class CreditPolicy(models.TextChoices):
        BLOCK = "block", _("Block the order")
        APPROVAL = "approval", _("Ask a manager to approve")

    discount_limit = models.DecimalField(_("discount limit %"), max_digits=5, decimal_places=2, default=Decimal(10))
    credit_policy = models.CharField(_("above the credit limit"), max_length=8, choices=CreditPolicy.choices, default="approval")
    validity_days = models.PositiveSmallIntegerField(_("quotation validity (days)"), default=30)
    income_account = models.ForeignKey("finance.Account", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    default_tax = models.ForeignKey("finance.Tax", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    personal_data: tuple[str, ...] = ()

    class Meta:
        verbose_name_plural = _("sales settings")
        constraints = [
            models.UniqueConstraint(fields=["company"], name="sales_settings_one_per_company"),
            models.CheckConstraint(condition=Q(discount_limit__gte=0, discount_limit__lte=100), name="sales_discount_limit"),
        ]

    def __str__(self) -> str:
        return f"Sales settings of {self.company_id}"
