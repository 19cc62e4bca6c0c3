"""Customer satisfaction: a signed one-click link mailed when a ticket is solved, and its answer."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.urls import reverse

from spona.core import audit
from spona.core.db import service_atomic
from spona.core.errors import NotFound, StateError, ValidationFailed
from spona.front.support.models import Satisfaction, Ticket
from spona.front.support.services.common import publish
from spona.front.support.services.messages import subject_with_reference

logger = logging.getLogger(__name__)
SALT = "spona.support.csat"
MAX_AGE = 30 * 24 * 3600  # a survey link works for 30 days


def survey_token(ticket: Ticket) -> str:
    """A signed token naming the ticket; nobody can forge one for another ticket."""
    return signing.dumps({"t": ticket.pk, "c": ticket.company_id}, salt=SALT, compress=True)


def ticket_of_token(token: str) -> Ticket:
    """The ticket a survey token names; NotFound for a forged, altered or expired token."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        raise NotFound("This survey link is not valid or has expired.") from None
    ticket = Ticket.objects.filter(pk=data.get("t"), company_id=data.get("c")).select_related("company").first()
    if ticket is None:
        raise NotFound("This survey link is not valid or has expired.")
    return ticket


def survey_urls(ticket: Ticket) -> dict[str, str]:
    base = settings.SPONA_BASE_URL
    token = survey_token(ticket)
    return {
        rating: base.rstrip("/") + reverse("support_public:csat", kwargs={"token": token, "rating": rating})
        for rating in ("good", "bad")
    }


def send_survey(ticket_pk: int) -> bool:
    """Mail the two one-click links (good / bad) to the requester of a solved ticket (after commit)."""
    ticket = Ticket.objects.filter(pk=ticket_pk, status=Ticket.Status.SOLVED).first()
    if ticket is None or not ticket.requester_email or Satisfaction.objects.filter(ticket=ticket).exists():
        return False
    urls = survey_urls(ticket)
    text = f"Your request {ticket.number} is solved. How did we do?\n\nGood: {urls['good']}\nBad: {urls['bad']}\n"
    mail = EmailMultiAlternatives(
        subject=f"How did we do? {subject_with_reference(ticket)}",
        body=text,
        from_email=ticket.queue.email if ticket.queue and ticket.queue.email else settings.DEFAULT_FROM_EMAIL,
        to=[ticket.requester_email],
        # Mark it automatic, so that the customer's auto-responder does not answer (RFC 3834).
        headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
    )
    try:
        mail.send()
    except Exception:
        logger.exception("Survey for ticket %s could not be sent", ticket.number)
        return False
    return True


@service_atomic
def satisfaction_record(*, token: str, rating: str, comment: str = "") -> Satisfaction:
    """Record the customer's answer from a survey link; a second click changes nothing.

    Raises NotFound for a bad token, ValidationFailed for an unknown rating, StateError when the
    ticket was reopened since.
    """
    ticket = ticket_of_token(token)
    if rating not in ("good", "bad"):
        raise ValidationFailed("Choose good or bad.", field_errors={"rating": ["Unknown rating."]})
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    existing = Satisfaction.objects.filter(ticket=ticket).first()
    if existing is not None:
        if comment.strip() and not existing.comment:
            existing.comment = comment.strip()[:2000]
            existing.save(update_fields=["comment", "updated_at"])
        return existing
    if ticket.status not in (Ticket.Status.SOLVED, Ticket.Status.CLOSED):
        raise StateError("This request was reopened; the survey comes again once it is solved.")
    value = Satisfaction.Rating.GOOD if rating == "good" else Satisfaction.Rating.BAD
    try:
        with transaction.atomic():
            answer = Satisfaction.objects.create(
                company=ticket.company, ticket=ticket, rating=value, comment=comment.strip()[:2000],
                agent_id=ticket.assignee_id, queue_id=ticket.queue_id,
            )  # fmt: skip
    except IntegrityError:
        return Satisfaction.objects.get(ticket=ticket)
    audit.record(actor=None, target=ticket, action="rated", changes={"rating": [None, int(value)]})
    publish("support.satisfaction_rated", ticket, None, rating=int(value), agent_id=ticket.assignee_id)
    return answer
