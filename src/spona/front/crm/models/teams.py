"""Sales teams, their territories, and the rules that hand new leads to a salesperson."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from spona.core.models import CompanyOwned


class Team(CompanyOwned):
    """A sales team: members, a leader, and a territory given as country codes."""

    name = models.CharField(_("name"), max_length=100)
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="crm_teams", blank=True)
    countries = models.CharField(_("territory"), max_length=300, blank=True, help_text=_("Country codes, e.g. RS, HR, SI."))

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint("company", "name", name="crm_team_name_unique")]

    def __str__(self) -> str:
        return self.name

    def country_list(self) -> list[str]:
        return [c.strip().upper() for c in self.countries.replace(";", ",").split(",") if c.strip()]


class AssignmentRule(CompanyOwned):
    """How a new lead without an owner gets one; active rules are tried by ``sequence``."""

    class Method(models.TextChoices):
        ROUND_ROBIN = "round_robin", _("Round-robin within the team")
        TERRITORY = "territory", _("By territory (lead country)")
        LOAD = "load", _("By load (fewest open leads)")

    name = models.CharField(_("name"), max_length=100)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="rules")
    sequence = models.PositiveIntegerField(_("sequence"), default=10)
    is_active = models.BooleanField(_("active"), default=True)
    # Round-robin remembers whom it chose last, so the next lead goes to the next member.
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["sequence", "id"]

    def __str__(self) -> str:
        return self.name
