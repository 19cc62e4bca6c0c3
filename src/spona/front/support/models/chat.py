"""Live chat: a visitor's (or portal user's) conversation with an agent, kept line by line, which
becomes a ticket when it ends."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from spona.core.models import CompanyOwned, Stamped


class ChatSession(CompanyOwned):
    """One live chat. It waits until an agent takes it, is active while they talk and ends with a
    ticket holding the transcript (``ticket``); ``transcribed_upto`` is the last line already on it."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for an agent")
        ACTIVE = "active", _("In conversation")
        ENDED = "ended", _("Ended")

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    visitor_name = models.CharField(_("name"), max_length=120)
    visitor_email = models.EmailField(_("e-mail"))
    party = models.ForeignKey(
        "core.Party", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("customer")
    )
    portal_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("agent")
    )
    ticket = models.ForeignKey(
        "support.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("ticket")
    )
    transcribed_upto = models.PositiveBigIntegerField(default=0, editable=False)
    ended_at = models.DateTimeField(null=True, blank=True, editable=False)

    personal_data = ("visitor_name", "visitor_email")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["company", "status", "id"], name="support_chat_status_idx")]

    def __str__(self) -> str:
        return f"Chat {self.pk} with {self.visitor_name}"

    def is_ended(self) -> bool:
        return self.status == self.Status.ENDED


class ChatLine(Stamped):
    """One line of a chat: the visitor's, an agent's, or a notice from Spona (plain text, escaped when shown)."""

    class Sender(models.TextChoices):
        VISITOR = "visitor", _("Visitor")
        AGENT = "agent", _("Agent")
        SYSTEM = "system", _("Spona")

    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="lines")
    sender = models.CharField(_("sender"), max_length=10, choices=Sender.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    text = models.TextField(_("text"))

    personal_data = ("text",)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["session", "sender", "created_at"], name="support_chatline_rate_idx")]

    def __str__(self) -> str:
        return f"{self.sender} in chat {self.session_id}"
