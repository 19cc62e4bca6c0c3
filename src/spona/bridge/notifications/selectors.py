"""Reads of notifications: a person's inbox, the bell's count, their preferences. Always one's own."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from spona.bridge.notifications.kinds import KINDS, EmailMode
from spona.bridge.notifications.models import Notification, Preference
from spona.core import selectors as core_selectors
from spona.core.errors import NotFound, ValidationFailed
from spona.core.models import Company, User
from spona.core.permissions import require

PAGE_SIZE = 25
# Unread first, then newest first (ids grow with time).
UNREAD = ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
ORDER = (UNREAD.desc(), "-id")


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
    return qs.order_by(*ORDER)


def notification_page(*, user: User, company: Company, kind: str = "", unread: bool = False, page: int = 1) -> Page:
    """One page of the inbox (see ``notification_queryset``); a page past the end gives the last one."""
    paginator = Paginator(notification_queryset(user=user, company=company, kind=kind, unread=unread), PAGE_SIZE)
    return paginator.get_page(page)


def notification_keyset(
    *, user: User, company: Company, kind: str = "", unread: bool = False, cursor: str | None = None, limit: int = 50
) -> core_selectors.Page:
    """One page of the user's notifications for the API: unread first, then newest first, by cursor.

    The cursor names the last row's state and id, so rows added meanwhile never shift a page.
    Raises ValidationFailed on an unknown kind or a broken cursor.
    """
    qs = notification_queryset(user=user, company=company, kind=kind, unread=unread)
    if cursor:
        state, pk = core_selectors.decode_cursor(cursor)
        if state not in ("unread", "read"):
            raise ValidationFailed(
                "The page cursor is not valid; start from the first page.", field_errors={"cursor": ["Invalid cursor."]}
            )
        older_read = Q(read_at__isnull=False, pk__lt=pk)
        # After an unread row: the older unread ones, then every read one; after a read row: the older read ones.
        qs = qs.filter(Q(read_at__isnull=True, pk__lt=pk) | Q(read_at__isnull=False) if state == "unread" else older_read)
    rows = list(qs.order_by(*ORDER)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = core_selectors.encode_cursor(["read" if rows[-1].read_at else "unread", rows[-1].pk]) if more else None
    return core_selectors.Page(items=rows, next_cursor=next_cursor)


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
