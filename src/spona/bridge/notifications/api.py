"""The notification REST endpoints under /api/v1/notifications/: my inbox, marking read, my preferences.

Each caller sees and changes only their own notifications in the company of the call:
another person's notification answers 404, exactly like one that does not exist (SEC1).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from spona.bridge.notifications import selectors, services
from spona.bridge.notifications.kinds import KINDS, EmailMode
from spona.bridge.notifications.models import Notification
from spona.core.api import Id, Input, PageParams
from spona.core.models import Company, User

router = Router(tags=["notifications"])

KindName = Literal[tuple(KINDS)]  # type: ignore[valid-type]
Email = Literal[tuple(EmailMode.values)]  # type: ignore[valid-type]


def _caller(request: HttpRequest) -> tuple[User, Company]:
    return request.user, request.company  # type: ignore[attr-defined,return-value]


class NotificationOut(Schema):
    id: int
    kind: KindName
    title: str
    body: str
    link: str = Field(description="The page inside Spona the notification is about (a path), or empty.")
    read_at: dt.datetime | None
    created_at: dt.datetime


class NotificationPage(Schema):
    items: list[NotificationOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")
    unread: int = Field(description="All unread notifications of the caller in this company (the bell's number).")


class InboxFilters(PageParams):
    kind: KindName | None = None
    unread: bool = Field(False, description="Only the unread ones.")


class ReadAllIn(Input):
    kind: KindName | None = Field(None, description="Only this kind; omit for all.")


class ReadAllOut(Schema):
    marked: int


class PreferenceOut(Schema):
    kind: KindName
    label: str
    in_app: bool
    email: Email
    emailable: bool = Field(description="False when the app the news comes from e-mails it itself.")


class PreferenceItem(Input):
    kind: KindName
    in_app: bool = True
    email: Email = EmailMode.DIGEST


class PreferencesIn(Input):
    preferences: list[PreferenceItem] = Field(min_length=1, max_length=len(KINDS))


def _out(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "link": notification.link,
        "read_at": notification.read_at,
        "created_at": notification.created_at,
    }


@router.get("", response=NotificationPage)
def list_notifications(request: HttpRequest, filters: Query[InboxFilters]) -> Any:
    """My notifications in this company, unread first and then newest first, a page at a time."""
    user, company = _caller(request)
    page = selectors.notification_keyset(
        user=user, company=company, kind=filters.kind or "", unread=filters.unread, cursor=filters.cursor, limit=filters.limit
    )
    return {
        "items": [_out(n) for n in page.items],
        "next_cursor": page.next_cursor,
        "unread": selectors.unread_count(user=user, company=company),
    }


@router.post("/{notification_id}/read", response=NotificationOut)
def read_notification(request: HttpRequest, notification_id: Id) -> Any:
    """Mark one of my notifications read (again is harmless)."""
    user, company = _caller(request)
    return _out(services.notification_mark_read(user=user, company=company, notification_id=notification_id))


@router.post("/{notification_id}/unread", response=NotificationOut)
def unread_notification(request: HttpRequest, notification_id: Id) -> Any:
    """Put one of my notifications back among the unread."""
    user, company = _caller(request)
    return _out(services.notification_mark_unread(user=user, company=company, notification_id=notification_id))


@router.post("/read-all", response=ReadAllOut)
def read_all_notifications(request: HttpRequest, payload: ReadAllIn) -> Any:
    """Mark all my unread notifications in this company read, or those of one kind."""
    user, company = _caller(request)
    return {"marked": services.notifications_mark_all_read(user=user, company=company, kind=payload.kind or "")}


@router.get("/preferences", response=list[PreferenceOut])
def list_notification_preferences(request: HttpRequest) -> Any:
    """How I want each kind of notification: in Spona or not, and when by e-mail (defaults included)."""
    user, company = _caller(request)
    return [
        {"kind": r.kind, "label": r.label, "in_app": r.in_app, "email": r.email, "emailable": r.emailable}
        for r in selectors.preference_list(user=user, company=company)
    ]


@router.put("/preferences", response=list[PreferenceOut])
def set_notification_preferences(request: HttpRequest, payload: PreferencesIn) -> Any:
    """Change my preferences for the kinds listed; the others keep theirs."""
    user, company = _caller(request)
    services.preferences_save(
        user=user,
        company=company,
        preferences=[services.PreferenceIn(kind=p.kind, in_app=p.in_app, email=p.email) for p in payload.preferences],
    )
    return list_notification_preferences(request)
