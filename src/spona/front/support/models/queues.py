"""Queues (teams) of agents and how a new ticket in a queue gets its assignee."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from spona.core.models import CompanyOwned


class Queue(CompanyOwned):
    """A team of agents working one stream of tickets (e.g. "Billing", "Technical").

    ``method`` says how a new ticket gets an agent; ``capacity`` is the most open tickets an
    agent holds before load-based and skill-based assignment pass them over (0: no limit).
    """

    class Method(models.TextChoices):
        MANUAL = "manual", _("Manual (agents pick tickets)")
        ROUND_ROBIN = "round_robin", _("Round-robin")
        LOAD = "load", _("By load (fewest open tickets)")
        SKILL = "skill", _("By skill, then load")

    name = models.CharField(_("name"), max_length=100)
    email = models.EmailField(_("inbound address"), blank=True, help_text=_("Mail sent to this address lands here."))
    method = models.CharField(_("assignment"), max_length=20, choices=Method.choices, default=Method.MANUAL)
    capacity = models.PositiveIntegerField(_("capacity per agent"), default=0)
    is_default = models.BooleanField(_("default"), default=False)
    # Round-robin remembers whom it chose last, so the next ticket goes to the next member.
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("company", "name", name="support_queue_name_unique"),
            models.UniqueConstraint("company", condition=models.Q(is_default=True), name="support_one_default_queue"),
        ]

    def __str__(self) -> str:
        return self.name


class QueueMember(CompanyOwned):
    """An agent in a queue, with the skills skill-based assignment matches against a ticket's."""

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="support_queues")
    skills = models.JSONField(_("skills"), default=list, blank=True)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["queue", "user_id"]
        constraints = [models.UniqueConstraint("queue", "user", name="support_queue_member_unique")]

    def __str__(self) -> str:
        return f"{self.user} in {self.queue}"
