from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from spona.core.models.base import CompanyOwned, Stamped


class Tag(CompanyOwned):
    """A free label that groups parties (and later other records) within a company."""

    name = models.CharField(_("name"), max_length=60)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint("company", Lower("name"), name="tag_unique_name_ci")]

    def __str__(self) -> str:
        return self.name


class Party(CompanyOwned):
    """An organisation or a person, registered once; customer, supplier, contact, employee … are roles.

    ``version`` grows on every change so that a stale edit is refused (QUALITY C2).
    ``merged_into`` is set when this record was merged into another and is kept only as a
    forwarding address.
    """

    class Kind(models.TextChoices):
        ORGANISATION = "organisation", _("Organisation")
        PERSON = "person", _("Person")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    tax_id = models.CharField(_("tax id"), max_length=40, blank=True, db_index=True)
    tax_country = models.CharField(_("tax country"), max_length=2, blank=True)
    website = models.URLField(_("website"), blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="parties", verbose_name=_("tags"))
    is_active = models.BooleanField(_("active"), default=True)
    merged_into = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    personal_data = ("name", "given_name", "family_name", "tax_id", "notes")

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["company", "name", "id"], name="party_company_name_id")]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=["organisation", "person"]), name="party_kind_valid"),
            models.CheckConstraint(condition=~models.Q(name=""), name="party_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    def is_person(self) -> bool:
        return self.kind == self.Kind.PERSON

    def is_merged(self) -> bool:
        return self.merged_into_id is not None

    def clean(self) -> None:
        if self.kind == self.Kind.PERSON and not self.name:
            self.name = " ".join(p for p in (self.given_name, self.family_name) if p).strip()
        if not (self.name or "").strip():
            raise ValidationError({"name": _("A party needs a name.")})
        self.name = self.name.strip()


class PartyRole(models.Model):
    """One role a party plays for the company: customer, supplier, contact, employee, …"""

    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        PROSPECT = "prospect", _("Prospect")
        SUPPLIER = "supplier", _("Supplier")
        CONTACT = "contact", _("Contact")
        PARTNER = "partner", _("Partner")
        EMPLOYEE = "employee", _("Employee")
        APPLICANT = "applicant", _("Applicant")

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=20, choices=Kind.choices)

    personal_data: tuple[str, ...] = ()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["party", "role"], name="party_role_unique")]
        indexes = [models.Index(fields=["role", "party"], name="party_role_role_party")]

    def __str__(self) -> str:
        return self.get_role_display()


class Address(Stamped):
    """A postal address of a party."""

    class Kind(models.TextChoices):
        MAIN = "main", _("Main")
        BILLING = "billing", _("Billing")
        SHIPPING = "shipping", _("Shipping")
        OTHER = "other", _("Other")

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MAIN)
    line1 = models.CharField(_("street and number"), max_length=200)
    line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100)
    region = models.CharField(_("region"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2)

    personal_data = ("line1", "line2", "postal_code", "city", "region")

    class Meta:
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.line1, self.line2, f"{self.postal_code} {self.city}".strip(), self.country) if p)


class ContactPoint(Stamped):
    """An e-mail address or phone number of a party, stored normalised (lower-case e-mail, E.164 phone)."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone")

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="contact_points")
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=254, db_index=True)
    label = models.CharField(_("label"), max_length=40, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)

    personal_data = ("value",)

    class Meta:
        ordering = ["kind", "-is_primary", "id"]
        constraints = [models.UniqueConstraint(fields=["party", "kind", "value"], name="contact_point_unique")]

    def __str__(self) -> str:
        return self.value


class Relationship(CompanyOwned):
    """A directed link between two parties: a person works at an organisation, a subsidiary of …"""

    class Kind(models.TextChoices):
        WORKS_AT = "works_at", _("works at")
        SUBSIDIARY_OF = "subsidiary_of", _("is a subsidiary of")
        PARTNER_OF = "partner_of", _("is a partner of")
        RELATED_TO = "related_to", _("is related to")

    from_party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="relationships_out")
    to_party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="relationships_in")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("job title"), max_length=100, blank=True)

    personal_data = ("title",)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["from_party", "to_party", "kind"], name="relationship_unique"),
            models.CheckConstraint(condition=~models.Q(from_party=models.F("to_party")), name="relationship_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.from_party} {self.get_kind_display()} {self.to_party}"
