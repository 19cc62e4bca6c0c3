"""Forms of the support screens and public pages: input parsing only, no business decisions."""

from __future__ import annotations

import time

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from spona.front.support.models import Article, ReturnRequest, Ticket, TicketLink

FORM_SALT = "spona.support.web_form"
EMPTY = [("", "—")]


class ReturnRequestFilterForm(forms.Form):
    """The return requests' search and status; an empty status is the queue of requests still to open."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Waiting to be opened")), (ReturnRequest.Status.OPENED, _("Return opened")), ("all", _("Any"))],
    )
    cursor = forms.CharField(required=False, max_length=200)

    def selected_status(self) -> str:
        """The status to list: the queue by default, "" for any."""
        status = self.cleaned_data.get("status") or ""
        return {"": ReturnRequest.Status.REQUESTED, "all": ""}.get(status, status)


class TicketFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Open (all)")), *Ticket.Status.choices, ("all", _("Any"))]
    )
    queue = forms.TypedChoiceField(label=_("Queue"), required=False, coerce=int, empty_value=None)
    assignee = forms.ChoiceField(label=_("Agent"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), required=False, choices=EMPTY + list(Ticket.Priority.choices))
    sla = forms.ChoiceField(
        label=_("SLA"),
        required=False,
        choices=[
            ("", "—"),
            ("ok", _("On track")),
            ("warning", _("Warning")),
            ("breached", _("Breached")),
            ("paused", _("Paused")),
        ],
    )
    cursor = forms.CharField(required=False, max_length=200)

    def __init__(self, *args: object, queues: list[tuple[int, str]], agents: list[tuple[int, str]], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["queue"].choices = EMPTY + queues
        self.fields["assignee"].choices = [("", "—"), ("me", _("Me")), ("none", _("Unassigned"))] + [
            (str(i), n) for i, n in agents
        ]


class TicketForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=250)
    party = forms.TypedChoiceField(label=_("Customer"), required=False, coerce=int, empty_value=None)
    requester_email = forms.EmailField(label=_("Requester e-mail"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=Ticket.Channel.choices, initial=Ticket.Channel.PHONE)
    queue = forms.TypedChoiceField(label=_("Queue"), required=False, coerce=int, empty_value=None)
    priority = forms.ChoiceField(label=_("Priority"), choices=Ticket.Priority.choices, initial=Ticket.Priority.NORMAL)
    type = forms.ChoiceField(label=_("Type"), choices=Ticket.Type.choices)
    tags = forms.CharField(label=_("Tags"), required=False, max_length=300, help_text=_("Comma separated."))
    text = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}), max_length=50000)

    def __init__(self, *args: object, parties: list[tuple[int, str]], queues: list[tuple[int, str]], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["party"].choices = EMPTY + parties
        self.fields["queue"].choices = EMPTY + queues


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 5}), max_length=50000)
    note = forms.BooleanField(label=_("Internal note (not sent to the customer)"), required=False)
    macro = forms.TypedChoiceField(label=_("Macro"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Then set status"), required=False, choices=EMPTY + list(Ticket.Status.choices))
    attachment = forms.FileField(label=_("Attachment"), required=False)

    def __init__(self, *args: object, macros: list[tuple[int, str]], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["macro"].choices = EMPTY + macros


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Ticket.Status.choices)


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(label=_("Agent"), required=False, coerce=int, empty_value=None)
    queue = forms.TypedChoiceField(label=_("Queue"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: object, agents: list[tuple[int, str]], queues: list[tuple[int, str]], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["assignee"].choices = EMPTY + agents
        self.fields["queue"].choices = EMPTY + queues


class TimeForm(forms.Form):
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=1440)
    activity = forms.CharField(label=_("Activity"), max_length=60, initial="work")


class LinkForm(forms.Form):
    record_type = forms.ChoiceField(label=_("Record"), choices=TicketLink.RecordType.choices)
    record_id = forms.IntegerField(label=_("Id"), min_value=1, max_value=2**62)


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None)
    visibility = forms.ChoiceField(label=_("Visibility"), choices=Article.Visibility.choices)
    language = forms.CharField(label=_("Language"), max_length=10, initial="en")
    is_published = forms.BooleanField(label=_("Published"), required=False)
    body_markdown = forms.CharField(label=_("Text (Markdown)"), widget=forms.Textarea(attrs={"rows": 14}), max_length=200000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: object, categories: list[tuple[int, str]], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["category"].choices = EMPTY + categories


class PublicTicketForm(forms.Form):
    """The public "contact support" form. Spam traps as on the lead form: the hidden ``website``
    field (bots fill it in) and the signed time the form was served (bots post too fast)."""

    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    subject = forms.CharField(label=_("Subject"), max_length=250)
    text = forms.CharField(label=_("How can we help?"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000)
    website = forms.CharField(
        required=False, max_length=200, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"})
    )
    started = forms.CharField(widget=forms.HiddenInput, max_length=200)

    MIN_SECONDS = 3
    MAX_AGE = 24 * 3600

    @staticmethod
    def stamp() -> str:
        return signing.dumps(time.time(), salt=FORM_SALT)

    def is_spam(self) -> bool:
        if self.cleaned_data.get("website"):
            return True
        try:
            started = float(signing.loads(self.cleaned_data.get("started", ""), salt=FORM_SALT, max_age=self.MAX_AGE))
        except (signing.BadSignature, TypeError, ValueError):
            return True
        return time.time() - started < self.MIN_SECONDS


class CsatCommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Anything to add?"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class ChatStartForm(forms.Form):
    """The help centre's chat widget; a portal user's name and e-mail come from their login."""

    name = forms.CharField(label=_("Your name"), max_length=120, required=False)
    email = forms.EmailField(label=_("Your e-mail"), required=False, help_text=_("So that we can answer if you leave."))
    text = forms.CharField(label=_("Your question"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: object, portal: bool = False, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if portal:
            del self.fields["name"], self.fields["email"]
        else:
            self.fields["name"].required = self.fields["email"].required = True


class SplitForm(forms.Form):
    """Which messages of the thread become a ticket of their own (the checkboxes beside them)."""

    messages = forms.TypedMultipleChoiceField(label=_("Messages"), coerce=int)
    subject = forms.CharField(
        label=_("Subject of the new ticket"), max_length=250, required=False, help_text=_("Empty: the same subject.")
    )

    def __init__(self, *args: object, message_ids: list[int], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["messages"].choices = [(i, str(i)) for i in message_ids]


class HandOverForm(forms.Form):
    """A credit note or a return asked of another department, for a record linked to the ticket."""

    record = forms.TypedChoiceField(label=_("Record"), coerce=int)
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args: object, records: list[tuple[int, str]], label: str, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["record"].choices = records
        self.fields["record"].label = label
