"""Notifications: make them for people, mark them read, and keep each person's preferences.

``notify`` is what other apps (and this app's event handlers) call. It finds the recipients
and their preferences in one query and writes every notification with one insert. Mail is
never sent from here: an immediate e-mail is queued after commit, the rest waits for the
daily digest (``spona.bridge.notifications.mail``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone, translation
from django.utils.functional import Promise

from spona.bridge.notifications.kinds import KINDS, EmailMode
from spona.bridge.notifications.models import Notification, Preference
from spona.core.errors import NotFound, ValidationFailed
from spona.core.models import Company, Event, User
from spona.core.permissions import STAFF, require

TITLE_MAX = 200
BODY_MAX = 4000
LINK_MAX = 300


def _check(kind: str, title: str | Promise, link: str, role: str | None) -> None:
    errors: dict[str, list[str]] = {}
    if kind not in KINDS:
        errors["kind"] = [f"Unknown kind of notification {kind!r}."]
    if not str(title).strip():
        errors["title"] = ["A notification needs a title."]
    # Only pages of Spona itself: a notification must never send anyone to another site.
    if link and (not link.startswith("/") or link.startswith("//") or "\\" in link or len(link) > LINK_MAX):
        errors["link"] = ["The link must be a page inside Spona, such as /support/tickets/12/."]
    if role is not None and role not in STAFF:
        errors["role"] = [f"Unknown staff role {role!r}."]
    if errors:
        raise ValidationFailed("This notification is not valid.", field_errors=errors)


def _recipients(
    company: Company, kind: str, user_ids: Iterable[int] | None, role: str | None, exclude_user_ids: Iterable[int]
) -> list[tuple[int, str, bool | None, str | None]]:
    """Active staff members meant, with their language and their preference for ``kind`` (one query)."""
    users = User.objects.filter(
        is_active=True, memberships__company=company, memberships__role__in=[role] if role else list(STAFF)
    )
    if user_ids is not None:
        users = users.filter(pk__in=list(user_ids))
    exclude = [pk for pk in exclude_user_ids if pk is not None]
    if exclude:
        users = users.exclude(pk__in=exclude)
    preference = Preference.objects.filter(user=OuterRef("pk"), kind=kind)
    return list(
        users.annotate(pref_in_app=Subquery(preference.values("in_app")[:1]), pref_email=Subquery(preference.values("email")[:1]))
        .values_list("pk", "language", "pref_in_app", "pref_email")
        .distinct()
        .order_by("pk")
    )


@transaction.atomic
def notify(
    *,
    company: Company,
    kind: str,
    title: str | Promise,
    body: str | Promise = "",
    link: str = "",
    user_ids: Iterable[int] | None = None,
    role: str | None = None,
    exclude_user_ids: Iterable[int | None] = (),
    event: Event | None = None,
    mailed: bool = False,
) -> int:
    """Notify the company's active staff members named by ``user_ids``, or holding ``role``, or all.

    Each person's preference for ``kind`` decides whether it shows in the app and whether and
    when it is e-mailed; nobody who wants neither gets a row. ``title`` and ``body`` may be lazy
    translations: each person gets them in their own language. ``mailed`` says the source has
    e-mailed the news itself, so it is not mailed again. With an ``event`` a person is notified
    once per event and kind, however often the event is delivered. Returns how many people
    were notified. Raises ValidationFailed on an unknown kind or role, an empty title, or a
    link outside Spona.
    """
    _check(kind, title, link, role)
    default = KINDS[kind]
    rows = []
    for user_id, language, pref_in_app, pref_email in _recipients(company, kind, user_ids, role, exclude_user_ids):
        in_app = True if pref_in_app is None else pref_in_app
        email = EmailMode.NEVER if mailed else (pref_email or default.email)
        if not in_app and email == EmailMode.NEVER:
            continue
        with translation.override(language or None):
            rows.append(
                Notification(
                    company=company,
                    recipient_id=user_id,
                    kind=kind,
                    title=str(title).strip()[:TITLE_MAX],
                    body=str(body).strip()[:BODY_MAX],
                    link=link,
                    event=event,
                    in_app=in_app,
                    email=email,
                )
            )
    Notification.objects.bulk_create(rows, ignore_conflicts=event is not None)
    if any(row.email == EmailMode.IMMEDIATELY for row in rows):
        from spona.bridge.notifications import tasks

        transaction.on_commit(lambda: tasks.queue_immediate.enqueue())
    return len(rows)


def _own(user: User, company: Company, notification_id: int) -> Notification:
    require(user, "notifications.use", company)
    notification = Notification.objects.filter(pk=notification_id, recipient=user, company=company, in_app=True).first()
    if notification is None:
        # Another person's notification is as missing as one that never was (SEC1).
        raise NotFound("No such notification.")
    return notification


@transaction.atomic
def notification_mark_read(*, user: User, company: Company, notification_id: int) -> Notification:
    """Mark one of the user's notifications read (again is harmless). Raises NotFound for anyone else's."""
    notification = _own(user, company, notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notification_mark_unread(*, user: User, company: Company, notification_id: int) -> Notification:
    """Put one of the user's notifications back among the unread. Raises NotFound for anyone else's."""
    notification = _own(user, company, notification_id)
    if notification.read_at is not None:
        notification.read_at = None
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user: User, company: Company, kind: str = "") -> int:
    """Mark all of the user's unread notifications in the company read (of one kind if given); return how many."""
    require(user, "notifications.use", company)
    if kind and kind not in KINDS:
        raise ValidationFailed("Unknown kind of notification.", field_errors={"kind": [f"Unknown kind {kind!r}."]})
    unread = Notification.objects.filter(recipient=user, company=company, in_app=True, read_at__isnull=True)
    if kind:
        unread = unread.filter(kind=kind)
    return unread.update(read_at=timezone.now())


@dataclass(frozen=True)
class PreferenceIn:
    """A person's wish for one kind: show it in the app or not, and when to e-mail it."""

    kind: str
    in_app: bool
    email: str


@transaction.atomic
def preferences_save(*, user: User, company: Company, preferences: list[PreferenceIn]) -> list[Preference]:
    """Save the user's preferences for the kinds given; the others keep theirs.

    They apply from now on, and to the notifications still waiting for an e-mail: switching a
    kind's e-mail to "never" keeps the waiting ones out of the next digest. Raises
    ValidationFailed on an unknown kind or e-mail mode, or a kind given twice.
    """
    require(user, "notifications.use", company)
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    for p in preferences:
        if p.kind not in KINDS:
            errors.setdefault("kind", []).append(f"Unknown kind {p.kind!r}.")
        elif p.kind in seen:
            errors.setdefault("kind", []).append(f"{p.kind!r} is given twice.")
        if p.email not in EmailMode.values:
            errors.setdefault("email", []).append(f"Choose one of {', '.join(EmailMode.values)}.")
        seen.add(p.kind)
    if errors:
        raise ValidationFailed("Some preferences are not valid.", field_errors=errors)
    saved = []
    for p in preferences:
        # A kind its source app mails itself is never mailed here, whatever the input says.
        email = p.email if KINDS[p.kind].emailable else EmailMode.NEVER
        preference, _created = Preference.objects.update_or_create(
            user=user, kind=p.kind, defaults={"in_app": p.in_app, "email": email}
        )
        saved.append(preference)
        # Waiting ones follow the new choice; those mailed by their source (``never`` from the start) stay so.
        Notification.objects.filter(recipient=user, kind=p.kind, emailed_at__isnull=True, read_at__isnull=True).exclude(
            email=EmailMode.NEVER
        ).update(email=email)
    return saved
