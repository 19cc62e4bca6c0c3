"""Global search: every kind of record a user may see, behind one adapter over two engines.

Apps register the kinds of records they want found (``register(SearchKind(...))`` from their
``AppConfig.ready()``). Each kind names its model, the permission that lets a user see it, how
to title it and which other words find it. The index (``SearchEntry``) holds each record's text
folded to lower case without diacritics, so "Petrovic" finds "Petrović" on both engines; the
full-text index over it is PostgreSQL's ``to_tsvector('simple', …)`` with a GIN index, or an
SQLite FTS5 table kept in step by triggers (migration ``core.0005``).

The index follows the records by itself: saving or deleting a registered model queues its id,
and the queue is indexed at the end of the service that made the change, in its transaction
(``core.db.before_service_commit``), or else once the transaction commits, in one of its own:
one read per model, one upsert and at most one delete in all, not per save; nothing is indexed
if the transaction rolls back. Writes that bypass ``save()``
(``bulk_create``, ``update()``) call ``reindex()`` for the ids they touched, and
``spona search --rebuild`` rebuilds everything.

Reading, every hit is checked against the live records of the user's company and the kinds
the user's roles allow, so a stale or foreign entry is never shown.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.db.models.signals import post_delete, post_save
from django.urls import reverse

from spona.core.db import before_service_commit
from spona.core.models import Company, SearchEntry, User
from spona.core.permissions import has_perm

MAX_TOKENS = 8
MAX_LIMIT = 50
CHUNK = 1000


def _nothing(obj: Any) -> str:
    return ""


def _everything(obj: Any) -> bool:
    return True


def _same(queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
    return queryset


@dataclass(frozen=True)
class SearchKind:
    """A kind of record global search finds; ``name`` is stable (it is stored in the index)."""

    name: str
    label: Any
    model: type[models.Model]
    permission: str
    url_name: str
    title: Callable[[Any], str]
    text: Callable[[Any], str] = _nothing
    subtitle: Callable[[Any], str] = _nothing
    include: Callable[[Any], bool] = _everything
    queryset: Callable[[models.QuerySet[Any]], models.QuerySet[Any]] = _same
    icon: str = "search"
    # A kind meant for users *without* ``unless``: they find a narrower view of records that
    # holders of ``unless`` already find under a fuller kind (public help articles vs. all articles).
    unless: str = ""
    # The page of a record when it is not ``url_name`` with the record's pk (a public page, say).
    url: Callable[[Any], str] | None = None

    def url_of(self, obj: Any) -> str:
        return self.url(obj) if self.url is not None else reverse(self.url_name, kwargs={"pk": obj.pk})


@dataclass(frozen=True)
class Hit:
    kind: str
    label: Any
    icon: str
    object_id: int
    title: str
    subtitle: str
    url: str


@dataclass
class _Queue:
    ids: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    # Records inserted since the queue began: no entry of theirs can exist yet (entries are
    # written only by indexing, which ends the queue or, in ``reindex``, takes them out of this
    # set; ids are never reused), so one that is left out needs no delete.
    created: set[tuple[str, int]] = field(default_factory=set)


KINDS: dict[str, SearchKind] = {}
_local = threading.local()


def register(kind: SearchKind) -> None:
    """Make a kind of record searchable and keep its index entries in step with its saves and deletes."""
    if kind.name in KINDS and KINDS[kind.name] != kind:
        raise ValueError(f"Search kind {kind.name!r} is registered twice.")
    KINDS[kind.name] = kind
    uid = f"spona.search.{kind.name}"
    post_save.connect(_saved, sender=kind.model, dispatch_uid=f"{uid}.save", weak=False)
    post_delete.connect(_saved, sender=kind.model, dispatch_uid=f"{uid}.delete", weak=False)


def fold(text: str) -> str:
    """Lower-case ``text`` and strip its diacritics (đ → d as well, which Unicode does not decompose)."""
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _saved(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    kinds = [k.name for k in KINDS.values() if k.model is sender]
    if not kinds or instance.pk is None:
        return
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        for name in kinds:
            reindex(name, [instance.pk])
        return
    # One queue per transaction: a rolled-back transaction drops its commit hooks, ours with them.
    queue = getattr(_local, "queue", None)
    if queue is None or not any(func is _flush for _sids, func, _robust in conn.run_on_commit):
        queue = _local.queue = _Queue()
        transaction.on_commit(_flush)
    for name in kinds:
        queue.ids[name].add(instance.pk)
        if kwargs.get("created"):
            queue.created.add((name, instance.pk))


def _flush() -> None:
    queue = getattr(_local, "queue", None)
    _local.queue = None
    if queue is not None:
        with transaction.atomic():
            _index(queue.ids, fresh=queue.created)


def _flush_in_transaction() -> None:
    """Index what the running transaction queued so far, in it (a service has done its writes)."""
    queue = getattr(_local, "queue", None)
    if queue is None or not transaction.get_connection().in_atomic_block:
        return
    # The queue's commit hook, still pending, finds nothing left; later saves start a new queue.
    _local.queue = None
    _index(queue.ids, fresh=queue.created)


before_service_commit(_flush_in_transaction)


def _entry(kind: SearchKind, obj: Any) -> SearchEntry:
    title = str(kind.title(obj))[:300]
    subtitle = str(kind.subtitle(obj) or "")[:300]
    text = " ".join(part for part in (title, subtitle, str(kind.text(obj) or "")) if part)
    return SearchEntry(
        company_id=obj.company_id,
        kind=kind.name,
        object_id=obj.pk,
        title=title,
        subtitle=subtitle,
        # Words only: PostgreSQL's parser would keep "SAL/2026/00001" or an e-mail address as one
        # token, which the words of a query ("sal 2026 00001") never match.
        folded=" ".join(re.findall(r"\w+", fold(text))),
    )


def reindex(kind_name: str, ids: Iterable[int]) -> int:
    """Bring the index entries of these records of one kind up to date (gone or excluded ones are dropped)."""
    wanted = set(ids)
    queue = getattr(_local, "queue", None)
    if queue is not None:
        queue.created -= {(kind_name, pk) for pk in wanted}  # they may have an entry from now on
    return _index({kind_name: wanted})


def _index(wanted: Mapping[str, set[int]], *, fresh: Collection[tuple[str, int]] = ()) -> int:
    """Index these records of several kinds: one read per model and queryset (kinds of one model share
    it), one upsert, one delete of the entries of records gone or left out; return the entries written."""
    reads: dict[tuple[type[models.Model], Callable[..., Any]], set[int]] = defaultdict(set)
    for name, ids in wanted.items():
        kind = KINDS[name]
        reads[(kind.model, kind.queryset)] |= ids
    found: dict[type[models.Model], dict[int, Any]] = defaultdict(dict)
    for (model, queryset), ids in reads.items():
        if ids:
            found[model].update((obj.pk, obj) for obj in queryset(model._default_manager.filter(pk__in=ids)))
    entries = []
    stale = models.Q()
    for name, ids in wanted.items():
        kind = KINDS[name]
        rows = [obj for pk in ids if (obj := found[kind.model].get(pk)) is not None and kind.include(obj)]
        entries += [_entry(kind, obj) for obj in rows]
        gone = {pk for pk in ids - {obj.pk for obj in rows} if (name, pk) not in fresh}
        if gone:
            stale |= models.Q(kind=name, object_id__in=gone)
    if entries:
        SearchEntry.objects.bulk_create(
            entries,
            update_conflicts=True,
            unique_fields=["kind", "object_id"],
            update_fields=["company", "title", "subtitle", "folded", "updated_at"],
        )
    if stale:
        SearchEntry.objects.filter(stale).delete()
    return len(entries)


def rebuild(*, company: Company | None = None, kinds: Iterable[str] | None = None) -> dict[str, int]:
    """Re-index every record of the given kinds (all by default), in chunks; return the count per kind."""
    counts = {}
    for name in kinds or list(KINDS):
        kind = KINDS[name]
        entries = SearchEntry.objects.filter(kind=name)
        records = kind.model._default_manager.order_by("pk")
        if company is not None:
            entries = entries.filter(company=company)
            records = records.filter(company=company)
        entries.delete()
        total = 0
        last = 0
        while True:
            ids = list(records.filter(pk__gt=last).values_list("pk", flat=True)[:CHUNK])
            if not ids:
                break
            total += reindex(name, ids)
            last = ids[-1]
        counts[name] = total
    return counts


def kinds_for(user: User, company: Company) -> list[SearchKind]:
    """The kinds of record this user may find in ``company``."""
    return [
        kind
        for kind in KINDS.values()
        if has_perm(user, kind.permission, company) and not (kind.unless and has_perm(user, kind.unless, company))
    ]


def _tokens(query: str) -> list[str]:
    return re.findall(r"\w+", fold(query))[:MAX_TOKENS]


def _matches(company: Company, kinds: list[str], tokens: list[str], limit: int) -> list[tuple[str, int]]:
    # The tokens are word characters only (``_tokens``) and travel as parameters, never as SQL.
    if connection.vendor == "postgresql":
        sql = (
            "SELECT kind, object_id FROM core_searchentry "
            "WHERE company_id = %s AND kind = ANY(%s) "
            "AND to_tsvector('simple'::regconfig, folded) @@ to_tsquery('simple'::regconfig, %s) "
            "ORDER BY ts_rank(to_tsvector('simple'::regconfig, folded), to_tsquery('simple'::regconfig, %s)) DESC, title "
            "LIMIT %s"
        )
        expression = " & ".join(f"{token}:*" for token in tokens)
        params: list[Any] = [company.pk, kinds, expression, expression, limit]
    else:
        sql = (
            "SELECT e.kind, e.object_id FROM core_searchentry_fts f JOIN core_searchentry e ON e.id = f.rowid "
            "WHERE core_searchentry_fts MATCH %s AND e.company_id = %s AND e.kind IN (SELECT value FROM json_each(%s)) "
            "ORDER BY f.rank, e.title LIMIT %s"
        )
        params = [" ".join(f'"{token}"*' for token in tokens), company.pk, json.dumps(kinds), limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(kind, int(object_id)) for kind, object_id in cursor.fetchall()]


def search(*, user: User, company: Company, query: str, kinds: Iterable[str] | None = None, limit: int = 20) -> list[Hit]:
    """Records of ``company`` whose text starts with every word of ``query``, best first.

    Only kinds the user's roles allow (and, with ``kinds``, only those) are searched; each hit
    is re-read from its live record, so a deleted or moved record never shows.
    """
    tokens = _tokens(query)
    allowed = [k.name for k in kinds_for(user, company) if kinds is None or k.name in set(kinds)]
    if not tokens or not allowed:
        return []
    matches = _matches(company, allowed, tokens, max(1, min(limit, MAX_LIMIT)))
    wanted: dict[str, list[int]] = defaultdict(list)
    for name, object_id in matches:
        wanted[name].append(object_id)
    live: dict[tuple[str, int], Any] = {}
    for name, ids in wanted.items():
        kind = KINDS[name]
        for obj in kind.queryset(kind.model._default_manager.filter(company=company, pk__in=ids)):
            if kind.include(obj):
                live[(name, obj.pk)] = obj
    hits = []
    for name, object_id in matches:
        obj = live.get((name, object_id))
        if obj is None:
            continue
        kind = KINDS[name]
        hits.append(
            Hit(
                kind=name,
                label=kind.label,
                icon=kind.icon,
                object_id=object_id,
                title=str(kind.title(obj)),
                subtitle=str(kind.subtitle(obj) or ""),
                url=kind.url_of(obj),
            )
        )
    return hits
