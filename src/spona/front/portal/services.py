"""Commands of the portal: inviting a customer's contact and accepting the invitation.

An invitation is a signed, dated token (Django's signing with the site's secret key) naming the
company, the customer organisation, the e-mail address and the name. It needs no table: it
expires after ``settings.PORTAL_INVITATION_DAYS`` days, and it works once because accepting it
creates the login for that e-mail address, after which the same link finds the address taken.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from spona.core import audit, events
from spona.core import services as core
from spona.core.errors import ApplicationError, NotFound, ValidationFailed
from spona.core.models import Company, Party, User
from spona.core.permissions import require
from spona.core.validation import normalise_email

SALT = "spona.portal.invitation"


class InvitationInvalid(ApplicationError):
    """The link was altered, or names a company or customer that is gone."""

    status = 404
    code = "invitation_invalid"


class InvitationExpired(ApplicationError):
    status = 410
    code = "invitation_expired"


class InvitationUsed(ApplicationError):
    status = 409
    code = "invitation_used"


@dataclass(frozen=True)
class Invitation:
    """What an invitation link carries, checked."""

    company: Company
    customer: Party
    email: str
    full_name: str
    language: str


def invitation_days() -> int:
    """How many days an invitation link works."""
    return int(settings.PORTAL_INVITATION_DAYS)


def _customer(company: Company, party_id: int) -> Party:
    """An active customer organisation of the company; NotFound otherwise (another company's too)."""
    found = Party.objects.filter(
        company=company, pk=party_id, kind=Party.Kind.ORGANISATION, merged_into__isnull=True, is_active=True
    ).first()
    if found is None:
        raise NotFound("No such organisation.")
    return found


def _email_free(email: str) -> None:
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationFailed(
            "Someone already logs in with this e-mail address.",
            field_errors={"email": ["Someone already logs in with this e-mail address."]},
        )


@transaction.atomic
def invitation_send(*, actor: User, company: Company, customer_id: int, email: str, full_name: str, language: str = "en") -> str:
    """Invite a customer's contact to the portal: e-mail them a link to choose a password; return the link.

    Only staff with ``portal.invite`` may invite, only for a customer organisation of their own
    company (another company's is NotFound). Raises ValidationFailed for a missing name, an invalid
    or taken e-mail address, or an organisation that is not a customer. The mail leaves after commit.
    """
    require(actor, "portal.invite", company)
    customer = _customer(company, customer_id)
    if not customer.roles.filter(role="customer").exists():
        raise ValidationFailed(f"{customer.name} is not a customer; give it the customer role first.")
    try:
        clean_email = normalise_email(email)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], field_errors={"email": exc.messages}) from None
    name = full_name.strip()
    if not name:
        raise ValidationFailed("Give the contact's name.", field_errors={"full_name": ["Give the contact's name."]})
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    _email_free(clean_email)
    token = signing.dumps({"c": company.pk, "p": customer.pk, "e": clean_email, "n": name, "l": language}, salt=SALT)
    link = settings.SPONA_BASE_URL.rstrip("/") + reverse("portal:invitation", kwargs={"token": token})
    audit.record(actor=actor, target=customer, action="portal_invited", changes={"portal_invitation": [None, clean_email]})
    events.publish("portal.user_invited", company=company, party=customer, actor=actor, email=clean_email, full_name=name)
    context = {"name": name, "inviter": actor, "company": company, "customer": customer, "link": link, "days": invitation_days()}
    with translation.override(language):
        subject = render_to_string("portal/email/invitation_subject.txt", context).strip()
        body = render_to_string("portal/email/invitation.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, None, [clean_email]))
    return link


def invitation_read(token: str) -> Invitation:
    """Check an invitation link: signature, age, company and customer, and that it was not used.

    Raises InvitationInvalid, InvitationExpired or InvitationUsed, each with a message for the contact.
    """
    try:
        data = signing.loads(token, salt=SALT, max_age=invitation_days() * 86400)
    except signing.SignatureExpired:
        raise InvitationExpired("This invitation has expired. Ask your contact at the company for a new one.") from None
    except signing.BadSignature:
        raise InvitationInvalid("This invitation link is not valid.") from None
    company = Company.objects.filter(pk=data.get("c"), is_active=True).first()
    if company is None:
        raise InvitationInvalid("This invitation link is not valid.")
    try:
        customer = _customer(company, int(data.get("p") or 0))
    except NotFound:
        raise InvitationInvalid("This invitation link is not valid any more.") from None
    if User.objects.filter(email__iexact=data.get("e", "")).exists():
        raise InvitationUsed("This invitation was already used. Log in, or reset your password if you forgot it.")
    return Invitation(company=company, customer=customer, email=data["e"], full_name=data["n"], language=data["l"])


@transaction.atomic
def invitation_accept(*, token: str, password: str) -> User:
    """Accept an invitation: create the contact's portal login, bound to the customer, with ``password``.

    Raises what ``invitation_read`` raises, and ValidationFailed for a password the site's rules
    refuse. Two acceptances at once create one login: the other finds the e-mail address taken.
    """
    invitation = invitation_read(token)
    try:
        with transaction.atomic():
            user = core.user_create(
                actor=None,
                company=invitation.company,
                email=invitation.email,
                full_name=invitation.full_name,
                roles=["portal"],
                password=password,
                portal_party=invitation.customer,
                language=invitation.language,
            )
    except IntegrityError:
        raise InvitationUsed("This invitation was already used. Log in, or reset your password if you forgot it.") from None
    except ValidationFailed as exc:
        if "email" in exc.field_errors:
            raise InvitationUsed("This invitation was already used. Log in, or reset your password if you forgot it.") from None
        raise
    audit.record(actor=user, target=invitation.customer, action="portal_joined", changes={"portal_user": [None, user.email]})
    events.publish(
        "portal.invitation_accepted",
        company=invitation.company,
        party=invitation.customer,
        actor=user,
        email=user.email,
        full_name=user.full_name,
    )
    return user
