"""Tickets, their conversation (replies, notes, attachments), links, time spent and satisfaction."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from spona.core.models import CompanyOwned, Stamped


class Ticket(CompanyOwned):
    """A customer's request, from any channel, worked by an agent until it is solved and closed.

    The SLA targets are absolute due times set by the ticket's policy; ``sla_due_at`` is the
    nearest open target (denormalised, so that every list can show and sort by it without
    a query per row) and ``sla_warn_at`` the moment it turns to warning. While the ticket waits
    on the customer, ``sla_paused_at`` is set and the clock stands still.
    """

    class Status(models.TextChoices):
        NEW = "new", _("New")
        OPEN = "open", _("Open")
        PENDING_CUSTOMER = "pending_customer", _("Pending customer")
        PENDING_INTERNAL = "pending_internal", _("Pending internal")
        SOLVED = "solved", _("Solved")
        CLOSED = "closed", _("Closed")

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        WEB = "web", _("Web form")
        PORTAL = "portal", _("Portal")
        PHONE = "phone", _("Phone")
        CHAT = "chat", _("Chat")
        API = "api", _("API")

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    class Type(models.TextChoices):
        QUESTION = "question", _("Question")
        INCIDENT = "incident", _("Incident")
        PROBLEM = "problem", _("Problem")
        TASK = "task", _("Task")

    OPEN_STATES = (Status.NEW, Status.OPEN, Status.PENDING_CUSTOMER, Status.PENDING_INTERNAL)
    PRIORITY_ORDER = (Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT)

    number = models.CharField(_("number"), max_length=20, editable=False)
    subject = models.CharField(_("subject"), max_length=250)
    party = models.ForeignKey(
        "core.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("customer")
    )
    contact = models.ForeignKey(
        "core.Party", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("contact")
    )
    requester_email = models.EmailField(_("requester e-mail"), blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    queue = models.ForeignKey("support.Queue", on_delete=models.PROTECT, null=True, blank=True, related_name="tickets")
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.QUESTION)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    skills = models.JSONField(_("skills needed"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("agent")
    )
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False)
    sla_policy = models.ForeignKey("support.SlaPolicy", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    first_response_due = models.DateTimeField(null=True, blank=True, editable=False)
    first_responded_at = models.DateTimeField(null=True, blank=True, editable=False)
    next_response_due = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_due = models.DateTimeField(null=True, blank=True, editable=False)
    sla_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    sla_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    sla_paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    sla_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    sla_breached_at = models.DateTimeField(null=True, blank=True, editable=False)
    sla_breaches = models.PositiveIntegerField(default=0, editable=False)
    solved_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    personal_data = ("subject", "requester_email")

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["company", "status", "-id"], name="support_ticket_status_idx"),
            models.Index(fields=["company", "assignee", "status"], name="support_ticket_agent_idx"),
            models.Index(fields=["company", "queue", "status", "-id"], name="support_ticket_queue_idx"),
            models.Index(fields=["company", "party", "status"], name="support_ticket_party_idx"),
            models.Index(fields=["company", "sla_due_at"], name="support_ticket_sla_idx"),
        ]
        constraints = [
            models.UniqueConstraint("company", "number", name="support_ticket_number_unique"),
            models.CheckConstraint(condition=~models.Q(subject=""), name="support_ticket_has_subject"),
            models.CheckConstraint(condition=~models.Q(parent=models.F("id")), name="support_ticket_not_own_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    def is_open(self) -> bool:
        return self.status in self.OPEN_STATES

    def is_paused(self) -> bool:
        return self.sla_paused_at is not None

    def sla_state(self, now: dt.datetime) -> str:
        """ok / warning / breached / paused / none, from the denormalised due times (no query)."""
        if not self.is_open() or self.sla_due_at is None:
            return "none"
        if self.sla_paused_at is not None:
            return "paused"
        if now >= self.sla_due_at:
            return "breached"
        if self.sla_warn_at is not None and now >= self.sla_warn_at:
            return "warning"
        return "ok"


class Message(Stamped):
    """One entry of a ticket's conversation: a customer's message, an agent's public reply or an
    internal note. ``body_html`` is sanitised when stored; ``body_text`` is the plain version."""

    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customer message")
        REPLY = "reply", _("Public reply")
        NOTE = "note", _("Internal note")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    author_party = models.ForeignKey("core.Party", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    from_email = models.EmailField(_("from"), blank=True)
    body_html = models.TextField(_("body"), blank=True)
    body_text = models.TextField(_("text"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=250, blank=True)
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    personal_data = ("from_email", "body_html", "body_text")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["message_id"], name="support_message_mid_idx"),
            models.Index(fields=["ticket", "created_at"], name="support_message_thread_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.ticket_id}"

    def is_public(self) -> bool:
        return self.kind != self.Kind.NOTE


class Attachment(Stamped):
    """A file that came with a message, stored through Django storage under a generated name."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="support/%Y/%m/")
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))

    personal_data = ("filename",)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


class TicketLink(CompanyOwned):
    """A ticket's link to another record by type and id: an order, an invoice, a product, another ticket."""

    class RecordType(models.TextChoices):
        TICKET = "support.ticket", _("Ticket")
        ORDER = "sales.order", _("Sales order")
        INVOICE = "finance.invoice", _("Invoice")
        PRODUCT = "inventory.product", _("Product")
        CONTRACT = "legal.contract", _("Contract")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links")
    record_type = models.CharField(_("record type"), max_length=30, choices=RecordType.choices)
    record_id = models.PositiveBigIntegerField(_("record id"))
    label = models.CharField(_("label"), max_length=200, blank=True)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint("ticket", "record_type", "record_id", name="support_link_unique")]

    def __str__(self) -> str:
        return f"{self.record_type}#{self.record_id}"


class TimeEntry(CompanyOwned):
    """Time an agent spent on a ticket, by activity."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="time_entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    minutes = models.PositiveIntegerField(_("minutes"))
    activity = models.CharField(_("activity"), max_length=60, default="work")
    note = models.CharField(_("note"), max_length=200, blank=True)

    personal_data = ("note",)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=models.Q(minutes__gt=0), name="support_time_positive")]

    def __str__(self) -> str:
        return f"{self.minutes} min"


class TicketViewer(models.Model):
    """Who has a ticket open right now: a heartbeat the ticket page sends, for the collision notice."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="viewers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()
    is_replying = models.BooleanField(default=False)

    personal_data: tuple[str, ...] = ()

    class Meta:
        constraints = [models.UniqueConstraint("ticket", "user", name="support_viewer_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.ticket_id}"


class Macro(CompanyOwned):
    """A canned reply with variables ({{ customer }}, {{ agent }}, {{ number }}, {{ subject }}) that
    may also set the ticket's status or priority when applied."""

    name = models.CharField(_("name"), max_length=100)
    body = models.TextField(_("reply"))
    set_status = models.CharField(_("then set status"), max_length=20, choices=Ticket.Status.choices, blank=True)
    set_priority = models.CharField(_("then set priority"), max_length=10, choices=Ticket.Priority.choices, blank=True)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint("company", "name", name="support_macro_name_unique")]

    def __str__(self) -> str:
        return self.name


class Satisfaction(CompanyOwned):
    """The customer's answer to the survey sent when a ticket was solved (one per ticket)."""

    class Rating(models.IntegerChoices):
        BAD = 1, _("Bad")
        GOOD = 5, _("Good")

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="satisfaction")
    rating = models.PositiveSmallIntegerField(_("rating"), choices=Rating.choices)
    comment = models.TextField(_("comment"), blank=True)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    queue = models.ForeignKey("support.Queue", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    personal_data = ("comment",)

    class Meta:
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=models.Q(rating__in=[1, 5]), name="support_csat_rating_valid")]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.rating}"


class InboundMail(CompanyOwned):
    """One received e-mail and what became of it: the log behind de-duplication by Message-ID,
    the per-sender rate limit and the loop protection."""

    class Outcome(models.TextChoices):
        CREATED = "created", _("New ticket")
        REPLIED = "replied", _("Added to a ticket")
        DUPLICATE = "duplicate", _("Already received")
        AUTO = "auto", _("Auto-reply or bounce, dropped")
        LIMITED = "limited", _("Sender over the rate limit")
        REJECTED = "rejected", _("Not readable")

    message_id = models.CharField(max_length=250)
    sender = models.CharField(max_length=254)
    subject = models.CharField(max_length=250, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    ticket = models.ForeignKey(Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    personal_data = ("sender", "subject")

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["company", "message_id"], name="support_inbound_mid_idx"),
            models.Index(fields=["company", "sender", "created_at"], name="support_inbound_rate_idx"),
        ]

    def __str__(self) -> str:
        return self.message_id
