"""Reads of notifications: a person's inbox, the bell's count, their preferences. Always one's own."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet

from spona.bridge.notifications.kinds import KINDS, EmailMode
from spona.bridge.notifications.models import Notification, Preference
from spona.core.errors import NotFound, ValidationFailed
from spona.core.models import Company, User
from spona.core.permissions import require

PAGE_SIZE = 25


def notification_queryset(*, user: User, company: Company, kind: str = "", unread: bool = False) -> QuerySet[Notification]:
    """The user's notifications in the company, unread first, then newest first.

    Raises ValidationFailed on an unknown kind.
    """
    require(user, "notifications.use", company)
    if kind and kind not in KINDS:
        raise ValidationFailed("Unknown kind of notification.", field_errors={"kind": [f"Unknown kind {kind!r}."]})
    qs = Notification.objects.filter(recipient=user, company=company, in_app=True)
    if kind:
        qs = qs.filter(kind=kind)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by(F("read_at").asc(nulls_first=True), "-created_at", "-id")


def notification_page(*, user: User, company: Company, kind: str = "", unread: bool = False, page: int = 1) -> Page:
    """One page of the inbox (see ``notification_queryset``); a page past the end gives the last one."""
    paginator = Paginator(notification_queryset(user=user, company=company, kind=kind, unread=unread), PAGE_SIZE)
    return paginator.get_page(page)


def notification_get(*, user: User, company: Company, notification_id: int) -> Notification:
    """One of the user's notifications; anyone else's raises NotFound."""
    notification = notification_queryset(user=user, company=company).filter(pk=notification_id).first()
    if notification is None:
        raise NotFound("No such notification.")
    return notification


def unread_count(*, user: User, company: Company | None) -> int:
    """How many notifications the user has not read in the company: the bell's number (one COUNT)."""
    if company is None or not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, company=company, in_app=True, read_at__isnull=True).count()


@dataclass(frozen=True)
class PreferenceRow:
    """A kind with the user's choice for it (the kind's default when they made none)."""

    kind: str
    label: str
    help: str
    in_app: bool
    email: str
    emailable: bool


def preference_list(*, user: User, company: Company) -> list[PreferenceRow]:
    """Every kind of notification with the user's choice for it, in the order of ``KINDS``."""
    require(user, "notifications.use", company)
    saved = {p.kind: p for p in Preference.objects.filter(user=user)}
    rows = []
    for kind in KINDS.values():
        mine = saved.get(kind.name)
        rows.append(
            PreferenceRow(
                kind=kind.name,
                label=str(kind.label),
                help=str(kind.help),
                in_app=mine.in_app if mine else True,
                email=(mine.email if mine else kind.email) if kind.emailable else EmailMode.NEVER,
                emailable=kind.emailable,
            )
        )
    return rows
