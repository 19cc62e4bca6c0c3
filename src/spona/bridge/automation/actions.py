"""What a rule can do when its conditions hold, each through the owning app's services.

An action is a JSON object ``{"type": "create_task", …}``; ``ACTIONS`` lists the types with their
parameters. Texts may name values as ``{record.number}`` or ``{event.total}``: they are filled
in by looking the name up, never by formatting or evaluating anything (SEC9).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

import spona.bridge.notifications.services as notifications
import spona.front.crm.services as crm
import spona.front.support.selectors as support_selectors
import spona.front.support.services as support
from spona.bridge.automation.conditions import lookup
from spona.bridge.automation.models import Webhook, WebhookDelivery
from spona.bridge.automation.models.approvals import APPROVER_ROLES
from spona.bridge.automation.services import approvals
from spona.core import services as core_services
from spona.core.errors import ValidationFailed
from spona.core.models import Company, Event, User

PLACEHOLDER = re.compile(r"\{((?:event|record)(?:\.[A-Za-z0-9_]{1,60}){1,3})\}")
ROLES = {value for value, _label in APPROVER_ROLES}
MAX_TEXT = 2000


@dataclass
class RunContext:
    """What an action works with: the rule's company and actor, and the values conditions saw."""

    company: Company
    actor: User
    rule_name: str
    values: dict[str, Any]
    record_type: str
    record_id: int | None
    event: Event | None
    dry_run: bool = False


@dataclass(frozen=True)
class ActionType:
    name: str
    label: str
    params: tuple[str, ...]
    check: Callable[[dict[str, Any], Company], list[str]]
    run: Callable[[dict[str, Any], RunContext], str]
    describe: Callable[[dict[str, Any]], str]


ACTIONS: dict[str, ActionType] = {}


def fill(template: str, values: dict[str, Any]) -> str:
    """Replace ``{record.x}`` / ``{event.x}`` with the values; unknown names become empty."""

    def one(match: re.Match[str]) -> str:
        value = lookup(values, match.group(1))
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return "" if value is None or isinstance(value, dict) else str(value)

    return PLACEHOLDER.sub(one, template)[:MAX_TEXT]


def _text(params: dict[str, Any], key: str, *, required: bool = True, limit: int = 200) -> list[str]:
    value = params.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        return [f"'{key}' is required."] if required else [f"'{key}' must be text."]
    return [f"'{key}' is longer than {limit} characters."] if len(value) > limit else []


def _check_recipient(params: dict[str, Any], company: Company, key: str = "to") -> list[str]:
    value = params.get(key)
    if value == "record_owner":
        return []
    if isinstance(value, str) and value.startswith("role:") and value[5:] in ROLES:
        return []
    if isinstance(value, str) and value.startswith("user:") and value[5:].isdigit():
        if User.objects.filter(pk=int(value[5:]), memberships__company=company, is_active=True).exists():
            return []
        return [f"'{key}': no such user in this company."]
    return [f"'{key}' must be record_owner, role:<role> or user:<id>."]


def recipients(value: str, ctx: RunContext) -> list[User]:
    """The active members a recipient names; the record's owner falls back to nobody."""
    members = User.objects.filter(memberships__company=ctx.company, is_active=True).distinct().order_by("id")
    if value == "record_owner":
        owner_id = lookup(ctx.values, "record.owner_id")
        return list(members.filter(pk=owner_id)) if isinstance(owner_id, int) else []
    if value.startswith("role:"):
        return list(members.filter(memberships__role=value[5:], memberships__company=ctx.company))
    return list(members.filter(pk=int(value[5:])))


def _party_id(ctx: RunContext) -> int | None:
    for name in ("record.party_id", "event.party_id"):
        value = lookup(ctx.values, name)
        if isinstance(value, int):
            return value
    if ctx.event is not None and ctx.event.party_id:
        return ctx.event.party_id
    return None


# add_tag ----------------------------------------------------------------------------------------


def _check_tag(params: dict[str, Any], company: Company) -> list[str]:
    return _text(params, "tag", limit=60)


def _run_tag(params: dict[str, Any], ctx: RunContext) -> str:
    party_id = _party_id(ctx)
    if party_id is None:
        return "No party to tag."
    if ctx.dry_run:
        return f"Would tag party #{party_id} with {params['tag']!r}."
    core_services.party_tag_add(actor=ctx.actor, company=ctx.company, party_id=party_id, tag=fill(params["tag"], ctx.values))
    return f"Tagged party #{party_id} with {params['tag']!r}."


# create_task ------------------------------------------------------------------------------------


def _check_task(params: dict[str, Any], company: Company) -> list[str]:
    errors = _text(params, "subject") + _check_recipient(params, company, "assignee")
    days = params.get("due_in_days", 0)
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 365:
        errors.append("'due_in_days' must be a whole number from 0 to 365.")
    return errors


def _run_task(params: dict[str, Any], ctx: RunContext) -> str:
    people = recipients(params["assignee"], ctx)
    if not people:
        return f"Nobody to assign the task to ({params['assignee']})."
    owner = people[0]
    subject = fill(params["subject"], ctx.values)[:200]
    if ctx.dry_run:
        return f"Would plan the task {subject!r} for {owner}."
    due = timezone.now() + dt.timedelta(days=params.get("due_in_days", 0))
    party_id = _party_id(ctx)
    opportunity_id = ctx.record_id if ctx.record_type == "crm.opportunity" else None
    activity = crm.activity_create(
        actor=ctx.actor,
        company=ctx.company,
        kind="task",
        subject=subject,
        due_at=due,
        owner_id=owner.pk,
        notes=fill(params.get("notes", ""), ctx.values),
        opportunity_id=opportunity_id,
        party_id=None if opportunity_id else party_id,
    )
    return f"Planned task #{activity.pk} {subject!r} for {owner}."


# send_email and notify ---------------------------------------------------------------------------


def _check_mail(params: dict[str, Any], company: Company) -> list[str]:
    return _check_recipient(params, company) + _text(params, "subject") + _text(params, "body", limit=MAX_TEXT)


def _mail_on_commit(subject: str, body: str, emails: list[str]) -> None:
    from spona.bridge.automation import tasks

    transaction.on_commit(lambda: tasks.send_rule_mail.enqueue(subject, body, emails))


def _run_mail(params: dict[str, Any], ctx: RunContext) -> str:
    people = recipients(params["to"], ctx)
    if not people:
        return f"Nobody to mail ({params['to']})."
    subject = fill(params["subject"], ctx.values)[:200]
    if ctx.dry_run:
        return f"Would e-mail {subject!r} to {len(people)} people."
    _mail_on_commit(subject, fill(params["body"], ctx.values), [p.email for p in people])
    return f"E-mail {subject!r} queued for {len(people)} people."


def _check_notify(params: dict[str, Any], company: Company) -> list[str]:
    return _check_recipient(params, company) + _text(params, "message", limit=MAX_TEXT)


def _run_notify(params: dict[str, Any], ctx: RunContext) -> str:
    people = recipients(params["to"], ctx)
    if not people:
        return f"Nobody to notify ({params['to']})."
    if ctx.dry_run:
        return f"Would notify {len(people)} people."
    # A notification under the bell; each person's preferences decide whether and when it is also e-mailed.
    count = notifications.notify(
        company=ctx.company,
        kind="automation",
        user_ids=[p.pk for p in people],
        title=ctx.rule_name,
        body=fill(params["message"], ctx.values),
    )
    return f"Notified {count} people."


# call_webhook -----------------------------------------------------------------------------------


def _check_webhook(params: dict[str, Any], company: Company) -> list[str]:
    pk = params.get("webhook_id")
    if not isinstance(pk, int) or isinstance(pk, bool) or not Webhook.objects.filter(pk=pk, company=company).exists():
        return ["'webhook_id' must name a webhook of this company."]
    return []


def _run_webhook(params: dict[str, Any], ctx: RunContext) -> str:
    webhook = Webhook.objects.filter(pk=params["webhook_id"], company=ctx.company, is_active=True).first()
    if webhook is None:
        return "The webhook is switched off or gone."
    if ctx.dry_run:
        return f"Would call the webhook {webhook.name}."
    from spona.bridge.automation.services import webhooks

    body = json.dumps(
        {"rule": ctx.rule_name, "record_type": ctx.record_type, "record_id": ctx.record_id, **ctx.values},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    delivery = WebhookDelivery.objects.create(
        webhook=webhook, event=None, event_name="automation.rule", body=body, next_attempt_at=timezone.now()
    )
    webhooks.send_on_commit([delivery.pk])
    return f"Webhook {webhook.name} queued (delivery #{delivery.pk})."


# start_approval ---------------------------------------------------------------------------------


def _check_approval(params: dict[str, Any], company: Company) -> list[str]:
    return _text(params, "kind", limit=60) + _text(params, "subject")


def _amount(ctx: RunContext) -> Decimal | None:
    for name in ("record.total", "record.expected_revenue", "event.total", "event.amount"):
        value = lookup(ctx.values, name)
        if value is not None:
            try:
                return Decimal(str(value))
            except InvalidOperation:
                return None
    return None


def _run_approval(params: dict[str, Any], ctx: RunContext) -> str:
    if ctx.record_id is None:
        return "No record to approve."
    subject = fill(params["subject"], ctx.values)[:250]
    if ctx.dry_run:
        return f"Would ask for approval ({params['kind']}): {subject!r}."
    request = approvals.approval_request(
        actor=ctx.actor,
        company=ctx.company,
        kind=params["kind"],
        record_type=ctx.record_type,
        record_id=ctx.record_id,
        subject=subject,
        amount=_amount(ctx),
        currency=str(lookup(ctx.values, "record.currency") or ""),
    )
    return f"Approval request #{request.pk} started."


# set_field --------------------------------------------------------------------------------------

# (record type, field) -> (label, setter through the owning app's service)
SETTERS: dict[tuple[str, str], tuple[str, Callable[[RunContext, str], str]]] = {}


def register_setter(record_type: str, field: str, label: str, setter: Callable[[RunContext, str], str]) -> None:
    """Let a rule set ``field`` of ``record_type`` records, through the owning app's service."""
    SETTERS[(record_type, field)] = (label, setter)


def _check_set_field(params: dict[str, Any], company: Company) -> list[str]:
    errors = _text(params, "field", limit=60) + _text(params, "value", limit=200)
    if not errors and not any(field == params["field"] for _rt, field in SETTERS):
        errors.append(f"'{params['field']}' cannot be set by a rule.")
    return errors


def _run_set_field(params: dict[str, Any], ctx: RunContext) -> str:
    entry = SETTERS.get((ctx.record_type, params["field"]))
    if entry is None:
        return f"A {ctx.record_type or 'record'} has no settable field {params['field']!r}."
    value = fill(params["value"], ctx.values)
    if ctx.dry_run:
        return f"Would set {entry[0]} to {value!r}."
    return entry[1](ctx, value)


def _set_opportunity_stage(ctx: RunContext, value: str) -> str:
    stage = next(
        (s for s in crm.pipeline_default(company=ctx.company).stages.all() if s.name.casefold() == value.casefold()), None
    )
    if stage is None or ctx.record_id is None:
        raise ValidationFailed(f"No stage named {value!r}.")
    crm.opportunity_move(actor=ctx.actor, company=ctx.company, opportunity_id=ctx.record_id, stage_id=stage.pk)
    return f"Moved the opportunity to {stage.name}."


register_setter("crm.opportunity", "stage", "the opportunity's stage", _set_opportunity_stage)


def _set_ticket_priority(ctx: RunContext, value: str) -> str:
    if ctx.record_id is None:
        raise ValidationFailed("No ticket to change.")
    ticket = support_selectors.ticket_get(user=ctx.actor, company=ctx.company, ticket_id=ctx.record_id)
    support.ticket_update(actor=ctx.actor, company=ctx.company, ticket_id=ticket.pk, version=ticket.version, priority=value)
    return f"Set the ticket's priority to {value}."


register_setter("support.ticket", "priority", "the ticket's priority", _set_ticket_priority)


def _register(*types: ActionType) -> None:
    for action in types:
        ACTIONS[action.name] = action


_register(
    ActionType(
        "create_task",
        "Plan a task",
        ("subject", "assignee", "due_in_days", "notes"),
        _check_task,
        _run_task,
        lambda p: f"plan the task {p.get('subject')!r} for {p.get('assignee')}",
    ),
    ActionType("add_tag", "Tag the party", ("tag",), _check_tag, _run_tag, lambda p: f"tag the party {p.get('tag')!r}"),
    ActionType(
        "send_email",
        "Send an e-mail",
        ("to", "subject", "body"),
        _check_mail,
        _run_mail,
        lambda p: f"e-mail {p.get('subject')!r} to {p.get('to')}",
    ),
    ActionType("notify", "Notify", ("to", "message"), _check_notify, _run_notify, lambda p: f"notify {p.get('to')}"),
    ActionType(
        "call_webhook",
        "Call a webhook",
        ("webhook_id",),
        _check_webhook,
        _run_webhook,
        lambda p: f"call webhook #{p.get('webhook_id')}",
    ),
    ActionType(
        "start_approval",
        "Ask for approval",
        ("kind", "subject"),
        _check_approval,
        _run_approval,
        lambda p: f"ask for approval ({p.get('kind')})",
    ),
    ActionType(
        "set_field",
        "Set a field",
        ("field", "value"),
        _check_set_field,
        _run_set_field,
        lambda p: f"set {p.get('field')} to {p.get('value')!r}",
    ),
)


def validate(actions: Any, company: Company) -> list[str]:
    """Return every problem of a list of actions (empty when valid)."""
    if not isinstance(actions, list) or not actions:
        return ["Add at least one action."]
    if len(actions) > 10:
        return ["A rule has at most 10 actions."]
    errors = []
    for i, action in enumerate(actions, start=1):
        kind = action.get("type") if isinstance(action, dict) else None
        if kind not in ACTIONS:
            errors.append(f"Action {i}: unknown type.")
            continue
        unknown = set(action) - {"type", *ACTIONS[kind].params}
        if unknown:
            errors.append(f"Action {i}: unknown parameters {', '.join(sorted(map(str, unknown)))}.")
            continue
        errors += [f"Action {i}: {message}" for message in ACTIONS[kind].check(action, company)]
    return errors
