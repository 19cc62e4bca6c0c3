"""Approvals: who must agree before a record moves on (a large discount, a large purchase order)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from spona.core.models import CompanyOwned
from spona.core.models.company import Role

# The roles an approval step may name: every department role except customers' portal users.
APPROVER_ROLES = [(value, label) for value, label in Role.choices if value != Role.PORTAL]


class ApprovalPolicy(CompanyOwned):
    """A company's approval steps for one kind of request (``sales.discount``, ``purchasing.order``)."""

    kind = models.CharField(_("kind"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["kind"]
        verbose_name_plural = _("approval policies")
        constraints = [models.UniqueConstraint(fields=["company", "kind"], name="automation_policy_one_per_kind")]

    def __str__(self) -> str:
        return self.name


class ApprovalPolicyStep(models.Model):
    """One step of a policy: a role decides, for amounts from ``min_amount`` on (every amount when 0)."""

    policy = models.ForeignKey(ApprovalPolicy, on_delete=models.CASCADE, related_name="steps")
    sequence = models.PositiveSmallIntegerField(_("order"))
    role = models.CharField(_("role"), max_length=20, choices=APPROVER_ROLES)
    min_amount = models.DecimalField(_("from amount"), max_digits=18, decimal_places=2, default=Decimal(0))

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["sequence", "id"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "sequence"], name="automation_policy_step_unique_order"),
            models.CheckConstraint(condition=models.Q(min_amount__gte=0), name="automation_policy_step_min_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.sequence}. {self.get_role_display()} ≥ {self.min_amount}"


class ApprovalRequest(CompanyOwned):
    """A record waiting for approval: its steps are decided in order; one rejection ends it."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    kind = models.CharField(_("kind"), max_length=60)
    record_type = models.CharField(_("record type"), max_length=60)
    record_id = models.PositiveBigIntegerField(_("record id"))
    subject = models.CharField(_("subject"), max_length=250)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)

    personal_data = ("subject",)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["company", "state", "-created_at"], name="automation_request_inbox_idx"),
            models.Index(fields=["company", "record_type", "record_id"], name="automation_request_record_idx"),
        ]

    def __str__(self) -> str:
        return self.subject

    def is_pending(self) -> bool:
        return self.state == self.State.PENDING


class ApprovalStep(models.Model):
    """One decision of a request: which role decides, and who decided what, when, and why."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting")  # an earlier step is not decided yet
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SKIPPED = "skipped", _("Not needed")  # an earlier step rejected the request

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="steps")
    sequence = models.PositiveSmallIntegerField()
    role = models.CharField(_("role"), max_length=20, choices=APPROVER_ROLES)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.WAITING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    personal_data = ("comment",)

    class Meta:
        ordering = ["sequence"]
        constraints = [
            models.UniqueConstraint(fields=["request", "sequence"], name="automation_step_unique_order"),
            # A decided step names who decided; an undecided one names nobody (one decision per step).
            models.CheckConstraint(
                condition=(
                    models.Q(state__in=["approved", "rejected"], decided_by__isnull=False, decided_at__isnull=False)
                    | (~models.Q(state__in=["approved", "rejected"]) & models.Q(decided_by__isnull=True))
                ),
                name="automation_step_decision_has_decider",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sequence}. {self.get_role_display()}: {self.get_state_display()}"
