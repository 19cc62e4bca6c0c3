"""Quotations: draft, revise, send, share with a signed link, accept into an order, decline, cancel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core import signing
from django.db import transaction
from django.utils import timezone

from spona.back.finance.selectors.sales import payment_term_ids
from spona.core import audit, events
from spona.core.errors import Conflict, NotFound, PermissionDenied, StateError, ValidationFailed
from spona.core.models import Company, Party, User
from spona.core.permissions import require
from spona.core.services import sequence_next
from spona.front.crm.selectors import opportunity_get
from spona.front.sales.models import Approval, Order, Quotation, QuotationLine, QuotationRevision
from spona.front.sales.services.approvals import ask_discount_approval
from spona.front.sales.services.lines import LineIn, PricedLine, price_lines, totals
from spona.front.sales.services.pricing import settings_for

SHARE_SALT = "spona.sales.quotation"
# A share link works at most this long, and never after the quotation's validity date.
SHARE_MAX_AGE = dt.timedelta(days=90)


def _payload(q: Quotation) -> dict[str, object]:
    return {"quotation_id": q.pk, "number": str(q), "total": str(q.total), "currency": q.currency}


def _check_header(
    actor: User | None, company: Company, party_id: int, payment_term_id: int | None, opportunity_id: int | None
) -> Party:
    errors: dict[str, list[str]] = {}
    party = Party.objects.filter(pk=party_id, company=company, merged_into__isnull=True).first()
    if party is None:
        errors["party_id"] = ["Choose a customer of this company."]
    if payment_term_id is not None and not payment_term_ids(company=company, ids=[payment_term_id]):
        errors["payment_term_id"] = ["Choose a payment term of this company."]
    if opportunity_id is not None:
        try:
            if actor is None:
                raise NotFound("An opportunity is linked by a user who may see it.")
            opportunity_get(user=actor, company=company, opportunity_id=opportunity_id)
        except (NotFound, PermissionDenied):
            errors["opportunity_id"] = ["Choose an opportunity of this company."]
    if errors:
        raise ValidationFailed("The quotation is not valid.", field_errors=errors)
    assert party is not None
    return party


def _write_lines(quotation: Quotation, priced: Sequence[PricedLine]) -> None:
    QuotationLine.objects.bulk_create(
        [
            QuotationLine(
                quotation=quotation,
                sequence=(i + 1) * 10,
                product_id=x.product_id,
                description=x.description,
                quantity=x.quantity,
                unit_price=x.unit_price,
                discount=x.discount,
                tax_ids=x.tax_ids,
                is_optional=x.is_optional,
                is_chosen=not x.is_optional,
                subtotal=x.subtotal,
            )
            for i, x in enumerate(priced)
        ]
    )


def _price(company: Company, quotation: Quotation, lines: Sequence[LineIn]) -> list[PricedLine]:
    settings = settings_for(company=company)
    priced = price_lines(
        company=company,
        settings=settings,
        party_id=quotation.party_id,
        currency=quotation.currency,
        on=timezone.localdate(),
        lines=lines,
    )
    result = totals(company=company, currency=quotation.currency, lines=priced, counted=[not x.is_optional for x in priced])
    quotation.untaxed, quotation.tax, quotation.total = result.untaxed, result.tax, result.total
    above = [x for x in priced if x.discount > settings.discount_limit]
    quotation.approval = Approval.PENDING if above else Approval.NONE
    return priced


@transaction.atomic
def quotation_create(
    *,
    actor: User | None,
    company: Company,
    party_id: int,
    lines: Sequence[LineIn],
    opportunity_id: int | None = None,
    payment_term_id: int | None = None,
    valid_until: dt.date | None = None,
    terms: str = "",
) -> Quotation:
    """Draft a quotation, priced from the customer's price lists, in the company's currency.

    A line discount above the company's limit asks a manager's approval (``sales.discount``);
    until it is approved the quotation cannot be sent. Raises ValidationFailed naming every
    invalid field and line.
    """
    if actor is not None:
        require(actor, "sales.manage", company)
    party = _check_header(actor, company, party_id, payment_term_id, opportunity_id)
    today = timezone.localdate()
    valid_until = valid_until or today + dt.timedelta(days=settings_for(company=company).validity_days)
    if valid_until < today:
        raise ValidationFailed("The validity date is in the past.", field_errors={"valid_until": ["Choose today or later."]})
    quotation = Quotation(
        company=company,
        party=party,
        opportunity_id=opportunity_id,
        currency=company.base_currency,
        payment_term_id=payment_term_id,
        valid_until=valid_until,
        terms=terms.strip(),
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    priced = _price(company, quotation, lines)
    quotation.number = sequence_next(company=company, code="sales.quotation", prefix="Q/")
    quotation.save()
    _write_lines(quotation, priced)
    audit.record(actor=actor, target=quotation, action="created", changes={"total": [None, str(quotation.total)]})
    if quotation.approval == Approval.PENDING:
        ask_discount_approval(actor=actor, quotation=quotation)
    return quotation


def _snapshot(quotation: Quotation) -> dict[str, object]:
    return {
        "valid_until": quotation.valid_until.isoformat(),
        "terms": quotation.terms,
        "untaxed": str(quotation.untaxed),
        "tax": str(quotation.tax),
        "total": str(quotation.total),
        "lines": [
            {
                "product_id": x.product_id,
                "description": x.description,
                "quantity": str(x.quantity),
                "unit_price": str(x.unit_price),
                "discount": str(x.discount),
                "tax_ids": x.tax_ids,
                "optional": x.is_optional,
                "subtotal": str(x.subtotal),
            }
            for x in quotation.lines.all()
        ],
    }


def _locked(company: Company, quotation_id: int, version: int | None = None) -> Quotation:
    quotation = (
        Quotation.objects.select_for_update(of=("self",)).select_related("party").filter(pk=quotation_id, company=company).first()
    )
    if quotation is None:
        raise NotFound("No such quotation.")
    if version is not None and version != quotation.version:
        raise Conflict("Someone changed this quotation since you opened it; reload and try again.", code="stale_version")
    return quotation


@transaction.atomic
def quotation_update(
    *,
    actor: User,
    company: Company,
    quotation_id: int,
    version: int,
    lines: Sequence[LineIn],
    valid_until: dt.date,
    payment_term_id: int | None = None,
    terms: str = "",
) -> Quotation:
    """Change an open quotation's lines and terms. A sent one becomes a new revision (the customer's
    version is kept in its history) and goes back to draft, to be sent again.

    Raises StateError for an accepted, declined or cancelled quotation, Conflict for a stale version.
    """
    require(actor, "sales.manage", company)
    quotation = _locked(company, quotation_id, version)
    if not quotation.is_open():
        raise StateError(f"Quotation {quotation} is {quotation.get_status_display().lower()}; it can no longer change.")
    _check_header(actor, company, quotation.party_id, payment_term_id, None)
    if valid_until < timezone.localdate():
        raise ValidationFailed("The validity date is in the past.", field_errors={"valid_until": ["Choose today or later."]})
    revised = quotation.status == Quotation.Status.SENT
    if revised:
        QuotationRevision.objects.create(quotation=quotation, revision=quotation.revision, content=_snapshot(quotation))
    before = {"total": str(quotation.total), "revision": quotation.revision}
    priced = _price(company, quotation, lines)
    quotation.valid_until, quotation.payment_term_id, quotation.terms = valid_until, payment_term_id, terms.strip()
    if revised:
        quotation.revision += 1
        quotation.status = Quotation.Status.DRAFT
    quotation.version += 1
    quotation.save()
    quotation.lines.all().delete()
    _write_lines(quotation, priced)
    audit.record(
        actor=actor,
        target=quotation,
        action="revised" if revised else "updated",
        changes=audit.diff(before, {"total": str(quotation.total), "revision": quotation.revision}),
    )
    if quotation.approval == Approval.PENDING:
        ask_discount_approval(actor=actor, quotation=quotation)
    return quotation


@transaction.atomic
def quotation_send(*, actor: User | None, company: Company, quotation_id: int) -> Quotation:
    """Mark a quotation sent to the customer (its share link works from now on).

    Raises StateError while a discount waits for approval or after it was rejected, and for a
    quotation that is no longer open.
    """
    if actor is not None:
        require(actor, "sales.manage", company)
    quotation = _locked(company, quotation_id)
    if not quotation.can_send():
        reason = (
            "its discount waits for approval"
            if quotation.approval == Approval.PENDING
            else "its discount was rejected"
            if quotation.approval == Approval.REJECTED
            else f"it is {quotation.get_status_display().lower()}"
        )
        raise StateError(f"Quotation {quotation} cannot be sent: {reason}.")
    if quotation.valid_until < timezone.localdate():
        raise StateError(f"Quotation {quotation} expired on {quotation.valid_until}; revise its validity first.")
    quotation.status = Quotation.Status.SENT
    quotation.sent_at = timezone.now()
    quotation.version += 1
    quotation.save(update_fields=["status", "sent_at", "version", "updated_at"])
    audit.record(actor=actor, target=quotation, action="sent")
    events.publish("sales.quotation_sent", company=company, party=quotation.party, actor=actor, **_payload(quotation))
    return quotation


def share_token(quotation: Quotation) -> str:
    """A signed token naming this revision of the quotation, for the customer's link."""
    return signing.dumps({"q": quotation.pk, "r": quotation.revision}, salt=SHARE_SALT, compress=True)


def quotation_from_token(token: str) -> Quotation:
    """The quotation a share link names; raises NotFound for a forged, expired or superseded link."""
    try:
        data = signing.loads(token, salt=SHARE_SALT, max_age=SHARE_MAX_AGE)
    except signing.BadSignature:
        raise NotFound("This link is not valid or has expired.") from None
    quotation = (
        Quotation.objects.select_related("company", "party").filter(pk=data.get("q"), revision=data.get("r")).first()
        if isinstance(data, dict)
        else None
    )
    if quotation is None or quotation.status in (Quotation.Status.DRAFT, Quotation.Status.CANCELLED):
        raise NotFound("This link is not valid any more; ask us for the current offer.")
    return quotation


@transaction.atomic
def quotation_accept(
    *,
    actor: User | None,
    company: Company,
    quotation_id: int,
    chosen_line_ids: Sequence[int] = (),
    revision: int | None = None,
) -> Order:
    """Accept a sent quotation (the customer through the link, or a salesperson for them): make the
    sales order of its lines and the chosen optional ones, and confirm it.

    ``revision`` (from the link) must be the current one. Raises StateError when the quotation is
    not sent, is expired or waits for approval. The order may stay a draft on hold when the
    customer's credit limit is exceeded (see ``order_confirm``).
    """
    from spona.front.sales.services.orders import order_confirm_checked, order_from_quotation

    if actor is not None:
        require(actor, "sales.manage", company)
    quotation = _locked(company, quotation_id)
    if revision is not None and revision != quotation.revision:
        raise StateError("This offer was revised since the link was sent; ask us for the current one.")
    if not quotation.can_accept():
        raise StateError(f"Quotation {quotation} cannot be accepted: it is {quotation.get_status_display().lower()}.")
    if quotation.valid_until < timezone.localdate():
        raise StateError(f"Quotation {quotation} expired on {quotation.valid_until}.")
    lines = list(quotation.lines.all())
    chosen = set(chosen_line_ids)
    if chosen - {x.pk for x in lines if x.is_optional}:
        raise ValidationFailed("Choose among the optional lines of this quotation.", field_errors={"chosen": ["Unknown line."]})
    for line in lines:
        line.is_chosen = not line.is_optional or line.pk in chosen
    QuotationLine.objects.bulk_update(lines, ["is_chosen"])
    quotation.status = Quotation.Status.ACCEPTED
    quotation.decided_at = timezone.now()
    quotation.version += 1
    order = order_from_quotation(quotation=quotation, lines=[x for x in lines if x.is_chosen], actor=actor)
    quotation.untaxed, quotation.tax, quotation.total = order.untaxed, order.tax, order.total
    quotation.save(update_fields=["status", "decided_at", "version", "untaxed", "tax", "total", "updated_at"])
    audit.record(actor=actor, target=quotation, action="accepted", changes={"order": [None, order.number]})
    events.publish(
        "sales.quotation_accepted",
        company=company,
        party=quotation.party,
        actor=actor,
        order_id=order.pk,
        order_number=order.number,
        **_payload(quotation),
    )
    return order_confirm_checked(actor=actor, order=order, requester=quotation.created_by)


@transaction.atomic
def quotation_decline(*, actor: User | None, company: Company, quotation_id: int, reason: str = "") -> Quotation:
    """Record that the customer declined a sent quotation (through the link or told a salesperson)."""
    if actor is not None:
        require(actor, "sales.manage", company)
    quotation = _locked(company, quotation_id)
    if quotation.status != Quotation.Status.SENT:
        raise StateError(f"Quotation {quotation} is {quotation.get_status_display().lower()}; only a sent one can be declined.")
    quotation.status = Quotation.Status.DECLINED
    quotation.decided_at = timezone.now()
    quotation.decline_reason = reason.strip()[:300]
    quotation.version += 1
    quotation.save(update_fields=["status", "decided_at", "decline_reason", "version", "updated_at"])
    audit.record(actor=actor, target=quotation, action="declined")
    events.publish(
        "sales.quotation_declined",
        company=company,
        party=quotation.party,
        actor=actor,
        reason=quotation.decline_reason,
        **_payload(quotation),
    )
    return quotation


@transaction.atomic
def quotation_cancel(*, actor: User, company: Company, quotation_id: int) -> Quotation:
    """Withdraw an open quotation; its share link stops working."""
    require(actor, "sales.manage", company)
    quotation = _locked(company, quotation_id)
    if not quotation.is_open():
        raise StateError(f"Quotation {quotation} is {quotation.get_status_display().lower()}; it cannot be cancelled.")
    quotation.status = Quotation.Status.CANCELLED
    quotation.version += 1
    quotation.save(update_fields=["status", "version", "updated_at"])
    audit.record(actor=actor, target=quotation, action="cancelled")
    return quotation


def discount_approved(*, quotation: Quotation, approved: bool) -> None:
    """Apply a manager's decision on a quotation's discount (called by the approval handler)."""
    quotation.approval = Approval.APPROVED if approved else Approval.REJECTED
    quotation.version += 1
    quotation.save(update_fields=["approval", "version", "updated_at"])
    audit.record(actor=None, target=quotation, action="discount_" + ("approved" if approved else "rejected"))
