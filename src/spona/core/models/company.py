from __future__ import annotations

import zoneinfo
from decimal import Decimal
from typing import Any

from babel.numbers import list_currencies
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from spona.core.models.base import Stamped

CURRENCIES = frozenset(list_currencies())


def validate_currency(code: str) -> None:
    if code not in CURRENCIES:
        raise ValidationError(_("%(code)s is not an ISO 4217 currency code."), params={"code": code})


def validate_time_zone(name: str) -> None:
    if name not in zoneinfo.available_timezones():
        raise ValidationError(_("%(name)s is not a known time zone."), params={"name": name})


class Company(Stamped):
    """A legal entity whose books and records Spona keeps; every business record has one."""

    class Rounding(models.TextChoices):
        HALF_UP = "half_up", _("Half up")
        HALF_EVEN = "half_even", _("Half even (banker's)")

    class TaxRounding(models.TextChoices):
        PER_LINE = "per_line", _("Per line")
        GLOBAL = "global", _("Globally per document")

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=40, unique=True, help_text=_("Short unique code, e.g. ACME."))
    base_currency = models.CharField(_("base currency"), max_length=3, default="EUR", validators=[validate_currency])
    locale = models.CharField(_("locale"), max_length=10, default="en")
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_time_zone])
    country = models.CharField(_("country"), max_length=2, blank=True)
    tax_id = models.CharField(_("tax id"), max_length=40, blank=True)
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("fiscal year starts in month"), default=1, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    rounding = models.CharField(_("rounding"), max_length=10, choices=Rounding.choices, default=Rounding.HALF_UP)
    tax_rounding = models.CharField(_("tax rounding"), max_length=10, choices=TaxRounding.choices, default=TaxRounding.PER_LINE)
    is_active = models.BooleanField(_("active"), default=True)

    personal_data: tuple[str, ...] = ()

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fiscal_year_start_month__gte=1, fiscal_year_start_month__lte=12),
                name="company_fiscal_month_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: an employee with department roles, or a customer's portal contact."""

    email = models.EmailField(_("e-mail"), max_length=254, unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    language = models.CharField(_("language"), max_length=10, default="en")
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("Django admin access"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    default_company = models.ForeignKey(
        Company, verbose_name=_("default company"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    personal_data = ("email", "full_name")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = (self.email or "").strip().lower()


class Role(models.TextChoices):
    """Department roles; a membership grants one role in one company."""

    SALES = "sales", _("Sales")
    SUPPORT = "support", _("Support")
    MARKETING = "marketing", _("Marketing")
    FINANCE = "finance", _("Finance")
    HR = "hr", _("Human resources")
    PAYROLL = "payroll", _("Payroll")
    IT = "it", _("IT")
    LEGAL = "legal", _("Legal")
    OPERATIONS = "operations", _("Operations")
    MANAGEMENT = "management", _("Management")
    ADMIN = "admin", _("Administrator")
    PORTAL = "portal", _("Customer portal")


class Membership(Stamped):
    """Grants a user one role in one company; portal memberships name the customer party."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    party = models.ForeignKey(
        "core.Party",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="portal_memberships",
        help_text=_("For portal users: the customer whose records they may see."),
    )

    personal_data: tuple[str, ...] = ()

    class Meta:
        verbose_name = _("membership")
        constraints = [
            models.UniqueConstraint(fields=["user", "company", "role"], name="membership_unique_role"),
            models.CheckConstraint(
                condition=(
                    models.Q(role="portal", party__isnull=False) | (~models.Q(role="portal") & models.Q(party__isnull=True))
                ),
                name="membership_portal_has_party",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.company}"


class ExchangeRate(Stamped):
    """How many units of the company's base currency one unit of ``currency`` was worth on a date."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="exchange_rates")
    currency = models.CharField(max_length=3, validators=[validate_currency])
    rate_date = models.DateField()
    rate = models.DecimalField(max_digits=24, decimal_places=10)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["currency", "-rate_date"]
        constraints = [
            models.UniqueConstraint(fields=["company", "currency", "rate_date"], name="exchange_rate_unique_day"),
            models.CheckConstraint(condition=models.Q(rate__gt=Decimal(0)), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate} on {self.rate_date}"
