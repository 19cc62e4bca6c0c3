"""Queues, their agents and skills, and the choice of an agent for a new ticket."""

from __future__ import annotations

from django.db.models import Count

from spona.core import audit
from spona.core.db import service_atomic
from spona.core.errors import NotFound, ValidationFailed
from spona.core.models import Company, User
from spona.core.permissions import has_perm, require
from spona.core.services.base import full_clean_or_raise
from spona.front.support.models import Queue, QueueMember, Ticket


def _skills(raw: list[str]) -> list[str]:
    return sorted({s.strip().lower() for s in raw if s and s.strip()})


@service_atomic
def queue_create(
    *,
    actor: User | None,
    company: Company,
    name: str,
    method: str = Queue.Method.MANUAL,
    capacity: int = 0,
    email: str = "",
    is_default: bool = False,
    members: dict[int, list[str]] | None = None,
) -> Queue:
    """Create a queue with its agents (user id -> skills); agents must hold support.manage here.

    Raises ValidationFailed for a taken name, an unknown method or an agent who cannot work tickets.
    """
    if actor is not None:
        require(actor, "support.configure", company)
    queue = Queue(
        company=company, name=name.strip(), method=method, capacity=capacity, email=email.strip().lower(), is_default=is_default
    )
    full_clean_or_raise(queue, exclude=["company"])
    if Queue.objects.filter(company=company, name__iexact=queue.name).exists():
        raise ValidationFailed("Another queue has this name.", field_errors={"name": ["Taken."]})
    if is_default:
        Queue.objects.filter(company=company, is_default=True).update(is_default=False)
    queue.save()
    _set_members(company, queue, members or {})
    audit.record(actor=actor, target=queue, action="created", changes={"members": [None, sorted(members or {})]})
    return queue


@service_atomic
def queue_set_members(*, actor: User, company: Company, queue_id: int, members: dict[int, list[str]]) -> Queue:
    """Replace a queue's agents and their skills."""
    require(actor, "support.configure", company)
    queue = Queue.objects.select_for_update().filter(pk=queue_id, company=company).first()
    if queue is None:
        raise NotFound("No such queue.")
    before = sorted(queue.members.values_list("user_id", flat=True))
    _set_members(company, queue, members)
    audit.record(actor=actor, target=queue, action="members_changed", changes={"members": [before, sorted(members)]})
    return queue


def _set_members(company: Company, queue: Queue, members: dict[int, list[str]]) -> None:
    users = {u.pk: u for u in User.objects.filter(pk__in=list(members), is_active=True)}
    bad = [pk for pk in members if pk not in users or not has_perm(users[pk], "support.manage", company)]
    if bad:
        raise ValidationFailed("Every agent must work in support here.", field_errors={"members": ["Not a support agent."]})
    QueueMember.objects.filter(queue=queue).delete()
    QueueMember.objects.bulk_create(
        [QueueMember(company=company, queue=queue, user_id=pk, skills=_skills(skills)) for pk, skills in sorted(members.items())]
    )


def open_load(company: Company, user_ids: list[int]) -> dict[int, int]:
    """Open tickets per agent."""
    rows = (
        Ticket.objects.filter(company=company, status__in=Ticket.OPEN_STATES, assignee_id__in=user_ids)
        .values_list("assignee_id")
        .annotate(n=Count("pk"))
        .values_list("assignee_id", "n")
    )
    return dict(rows)


def choose_agent(*, company: Company, queue: Queue, skills: list[str]) -> User | None:
    """Pick the agent for a new ticket in ``queue`` by its method, or None (manual, nobody free).

    Round-robin takes the members in turn (the queue row is locked, so two tickets arriving at
    once go to different agents). Load-based takes the member with the fewest open tickets
    among those under the queue's capacity. Skill-based keeps the members holding every skill
    the ticket needs, then chooses by load. Inactive users are passed over.
    """
    if queue.method == Queue.Method.MANUAL:
        return None
    # One statement reads the members and locks the queue row through them; the lock returns the
    # row as the last transaction to hold it left it, so round-robin sees the latest turn. A queue
    # without an active member is not locked: nobody can be chosen from it.
    members = list(
        QueueMember.objects.filter(queue_id=queue.pk, user__is_active=True)
        .select_related("user", "queue")
        .select_for_update(of=("queue",))
        .order_by("user_id")
    )
    if members:
        queue = members[0].queue
    if queue.method == Queue.Method.SKILL:
        needed = set(_skills(skills))
        members = [m for m in members if needed <= set(m.skills)]
    if not members:
        return None
    if queue.method == Queue.Method.ROUND_ROBIN:
        after = [m for m in members if queue.last_assigned_id is not None and m.user_id > queue.last_assigned_id]
        chosen = (after or members)[0].user
        queue.last_assigned = chosen
        queue.save(update_fields=["last_assigned", "updated_at"])
        return chosen
    loads = open_load(company, [m.user_id for m in members])
    free = [m for m in members if not queue.capacity or loads.get(m.user_id, 0) < queue.capacity]
    if not free:
        return None
    return min(free, key=lambda m: (loads.get(m.user_id, 0), m.user_id)).user


def default_queue(company: Company) -> Queue | None:
    return Queue.objects.filter(company=company, is_default=True).first()
