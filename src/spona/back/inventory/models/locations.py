from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from spona.core.models import CompanyOwned


class Location(CompanyOwned):
    """A place stock can be in, real (a shelf) or virtual (the suppliers, the customers, losses).

    Locations form a tree; ``path`` ("/3/7/12/") lets a query take a location with all its
    children in one ``startswith``. Only internal and transit locations hold stock on hand;
    the virtual ones are the other side of the double entry. A view location only groups.
    """

    class Kind(models.TextChoices):
        INTERNAL = "internal", _("Internal")
        SUPPLIER = "supplier", _("Suppliers")
        CUSTOMER = "customer", _("Customers")
        PRODUCTION = "production", _("Production")
        INVENTORY_LOSS = "inventory_loss", _("Inventory loss")
        TRANSIT = "transit", _("Transit")
        VIEW = "view", _("View")

    VIRTUAL = ("supplier", "customer", "production", "inventory_loss", "transit")
    HOLDS_STOCK = ("internal", "transit")

    name = models.CharField(_("name"), max_length=100)
    full_name = models.CharField(_("full name"), max_length=300, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.PROTECT, null=True, blank=True, related_name="locations"
    )
    path = models.CharField(max_length=255, blank=True, editable=False, db_index=True)
    barcode = models.CharField(_("barcode"), max_length=60, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["full_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["internal", "supplier", "customer", "production", "inventory_loss", "transit", "view"]),
                name="location_kind_valid",
            ),
            # The virtual locations are the company's, one of each kind.
            models.UniqueConstraint(
                fields=["company", "kind"],
                condition=Q(kind__in=["supplier", "customer", "production", "inventory_loss", "transit"]),
                name="location_one_virtual_per_kind",
            ),
            models.UniqueConstraint(fields=["company", "barcode"], condition=~Q(barcode=""), name="location_unique_barcode"),
            models.UniqueConstraint("parent", "name", name="location_unique_name_in_parent"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.name

    def holds_stock(self) -> bool:
        return self.kind in self.HOLDS_STOCK

    def is_internal(self) -> bool:
        return self.kind == self.Kind.INTERNAL


class Warehouse(CompanyOwned):
    """A site with its own location tree: a view location above stock, input and output."""

    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=100)
    address = models.ForeignKey("core.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    view_location = models.OneToOneField(Location, on_delete=models.PROTECT, null=True, related_name="+", editable=False)
    stock_location = models.OneToOneField(Location, on_delete=models.PROTECT, null=True, related_name="+", editable=False)
    input_location = models.OneToOneField(Location, on_delete=models.PROTECT, null=True, related_name="+", editable=False)
    output_location = models.OneToOneField(Location, on_delete=models.PROTECT, null=True, related_name="+", editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="warehouse_unique_code"),
            models.CheckConstraint(condition=~Q(code=""), name="warehouse_code_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
