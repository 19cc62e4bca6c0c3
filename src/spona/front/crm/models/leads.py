"""Leads: a first contact that may become an opportunity."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from spona.core.models import CompanyOwned


class Lead(CompanyOwned):
    """A person or organisation that showed interest, before sales qualifies it.

    A disqualified lead carries its reason; a qualified lead points at its opportunity.
    """

    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONTACTED = "contacted", _("Contacted")
        QUALIFIED = "qualified", _("Qualified")
        DISQUALIFIED = "disqualified", _("Disqualified")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by hand")
        WEB_FORM = "web_form", _("Web form")
        IMPORT = "import", _("Import")
        API = "api", _("API")
        REFERRAL = "referral", _("Referral")
        EVENT = "event", _("Event or trade fair")
        EMAIL = "email", _("E-mail")

    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.MANUAL)
    notes = models.TextField(_("notes"), blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    team = models.ForeignKey("crm.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="leads")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    disqualify_reason = models.CharField(_("reason"), max_length=200, blank=True)
    score = models.PositiveSmallIntegerField(_("score"), default=0)
    score_reasons = models.JSONField(_("score reasons"), default=list, blank=True)
    opportunity = models.ForeignKey("crm.Opportunity", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)
    # The Message-ID of the e-mail the lead came from, so that a mail fetched twice makes one lead.
    message_id = models.CharField(max_length=255, blank=True, editable=False)

    personal_data = ("contact_name", "company_name", "email", "phone", "notes")

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["company", "status", "-id"], name="crm_lead_status_idx")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(contact_name="", company_name=""), name="crm_lead_has_a_name"),
            models.CheckConstraint(
                condition=~models.Q(status="disqualified", disqualify_reason=""), name="crm_lead_disqualified_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return self.company_name or self.contact_name

    def is_open(self) -> bool:
        return self.status in (self.Status.NEW, self.Status.CONTACTED)
