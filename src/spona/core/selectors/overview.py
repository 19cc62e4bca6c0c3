"""Reads for overviews: the home dashboard, the company's audit log and the merge preview."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, QuerySet

from spona.core.errors import ValidationFailed
from spona.core.models import AuditEntry, Company, Party, PartyRole, Tag, TimelineEntry, User
from spona.core.permissions import require
from spona.core.selectors.parties import Page, decode_cursor, encode_cursor, of_apps, party_queryset, readable_apps


def party_counts(*, user: User, company: Company) -> dict[str, Any]:
    """Count the company's active parties by kind and by role, in one query each."""
    qs = party_queryset(user=user, company=company).filter(is_active=True)
    by_kind = qs.aggregate(
        total=Count("pk"),
        organisations=Count("pk", filter=Q(kind=Party.Kind.ORGANISATION)),
        persons=Count("pk", filter=Q(kind=Party.Kind.PERSON)),
    )
    counted = dict(
        PartyRole.objects.filter(party__in=qs).values("role").annotate(n=Count("pk")).values_list("role", "n").order_by()
    )
    roles = [{"role": value, "label": label, "count": counted.get(value, 0)} for value, label in PartyRole.Kind.choices]
    return {**by_kind, "roles": roles}


def party_recent(*, user: User, company: Company, limit: int = 5) -> list[Party]:
    """Return the parties registered most recently."""
    return list(party_queryset(user=user, company=company).prefetch_related("roles").order_by("-created_at", "-pk")[:limit])


def timeline_recent(*, user: User, company: Company, limit: int = 10) -> list[TimelineEntry]:
    """Return the latest timeline entries across all the company's parties, of the apps the user may read."""
    require(user, "core.view_party", company)
    return list(
        TimelineEntry.objects.filter(
            of_apps(readable_apps(user=user, company=company)), company=company, party__merged_into__isnull=True
        )
        .select_related("party", "event__actor")
        .order_by("-occurred_at", "-pk")[:limit]
    )


def tag_list(*, user: User, company: Company) -> QuerySet[Tag]:
    """Return the company's tags by name (for filters and tag pickers)."""
    require(user, "core.view_party", company)
    return Tag.objects.filter(company=company).order_by("name")


def audit_list(
    *,
    user: User,
    company: Company,
    actor_id: int | None = None,
    action: str = "",
    target_type: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page:
    """List the company's audit entries, newest first, with keyset pagination.

    Management and administrators only (``core.view_audit``); raises ValidationFailed for a
    malformed cursor.
    """
    require(user, "core.view_audit", company)
    qs = AuditEntry.objects.filter(company=company).select_related("actor")
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    if action:
        qs = qs.filter(action=action)
    if target_type:
        qs = qs.filter(target_type=target_type)
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    if cursor:
        at, pk = decode_cursor(cursor)
        try:
            since = datetime.fromisoformat(at)
        except ValueError:
            raise ValidationFailed(
                "The page cursor is not valid; start from the first page.", field_errors={"cursor": ["Invalid cursor."]}
            ) from None
        qs = qs.filter(Q(at__lt=since) | Q(at=since, pk__lt=pk))
    limit = max(1, min(limit, 200))
    rows = list(qs.order_by("-at", "-pk")[: limit + 1])
    next_cursor = encode_cursor([rows[limit - 1].at.isoformat(), rows[limit - 1].pk]) if len(rows) > limit else None
    return Page(items=rows[:limit], next_cursor=next_cursor)


def audit_filter_options(*, user: User, company: Company) -> dict[str, list[Any]]:
    """Return the actions, record types and actors that occur in the company's audit log."""
    require(user, "core.view_audit", company)
    entries = AuditEntry.objects.filter(company=company).order_by()
    actor_ids = entries.exclude(actor=None).values("actor_id").distinct()
    return {
        "actions": sorted(set(entries.values_list("action", flat=True).distinct())),
        "target_types": sorted(set(entries.values_list("target_type", flat=True).distinct())),
        "actors": list(User.objects.filter(pk__in=actor_ids).order_by("full_name", "email")),
    }


def party_merge_preview(*, user: User, company: Company, merge: Party) -> list[dict[str, Any]]:
    """Count, per kind of record, what would move from ``merge`` to the party kept.

    Reads every model that points at a party, so records of apps added later are counted too.
    """
    require(user, "core.merge_party", company)
    counts: dict[str, int] = {}
    for rel in Party._meta.related_objects:
        if rel.many_to_many or rel.related_model is Party or not getattr(rel, "field", None):
            continue
        model = rel.related_model
        count = model._default_manager.filter(**{rel.field.name: merge}).count()
        if count:
            # Links in both directions are one kind of record to the reader.
            label = str(model._meta.verbose_name_plural)
            counts[label] = counts.get(label, 0) + count
    tags = merge.tags.count()
    if tags:
        counts[str(Tag._meta.verbose_name_plural)] = tags
    return [{"label": label, "count": n} for label, n in sorted(counts.items())]
