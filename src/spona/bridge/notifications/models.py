"""Notifications a person gets inside Spona (the bell and the inbox), and their preferences per kind."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from spona.bridge.notifications.kinds import KINDS, EmailMode

KIND_CHOICES = [(kind.name, kind.label) for kind in KINDS.values()]


class Notification(models.Model):
    """One message for one person in one company: "ticket T-12 was assigned to you".

    ``email`` is the person's e-mail preference when the notification was made (an immediate
    mail, the daily digest, or none); ``emailed_at`` is stamped when it went out, so it is
    never mailed twice. ``in_app`` is False when the person only wants the e-mail. ``event``
    is the domain event it came from: one notification per person and event, so a redelivered
    event adds nothing.
    """

    company = models.ForeignKey("core.Company", on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=40, choices=KIND_CHOICES)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(
        _("link"), max_length=300, blank=True, help_text=_("A page inside Spona, such as /support/tickets/12/.")
    )
    event = models.ForeignKey("core.Event", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    in_app = models.BooleanField(default=True)
    email = models.CharField(max_length=11, choices=EmailMode.choices, default=EmailMode.DIGEST)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    personal_data = ("title", "body")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event", "kind"], condition=Q(event__isnull=False), name="notification_once_per_event"
            ),
            models.CheckConstraint(condition=Q(link="") | Q(link__startswith="/"), name="notification_link_inside"),
        ]
        indexes = [
            # The bell: unread notifications of one person in one company.
            models.Index(
                fields=["recipient", "company"], condition=Q(read_at__isnull=True, in_app=True), name="notification_unread_idx"
            ),
            models.Index(fields=["recipient", "company", "-created_at"], name="notification_inbox_idx"),
            # The jobs that mail what is due: immediately, or in the digest.
            models.Index(fields=["email", "created_at"], condition=Q(emailed_at__isnull=True), name="notification_mail_due_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def is_read(self) -> bool:
        return self.read_at is not None


class Preference(models.Model):
    """How one person wants one kind of notification: in the app or not, and when by e-mail.

    Without a row the kind's default applies (in the app, and its default e-mail mode).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=40, choices=KIND_CHOICES)
    in_app = models.BooleanField(_("show in Spona"), default=True)
    email = models.CharField(_("e-mail"), max_length=11, choices=EmailMode.choices, default=EmailMode.DIGEST)

    personal_data = ()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind}"
