"""Automation rules: save, test against a sample, switch on and off, and run them.

An event rule runs when the outbox delivers an event of its type to the ``automation.rules``
handler; a time rule runs from the schedule for each record whose date field lies at least
``offset_days`` in the past. Conditions (``conditions.py``) read the event's payload and the
record's readable fields (``records.py``); actions (``actions.py``) work through the owning
apps' services with the permissions of the rule's ``run_as`` admin.

Loops are cut two ways: runs caused by one original change share a chain (the request id the
dispatcher binds), and a rule runs at most once per record in a chain and at most
``MAX_DEPTH`` rules run in one chain. A time rule acts on a record once (``RuleRun.once_key``).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from spona.bridge.automation import actions, conditions, records
from spona.bridge.automation.models import Rule, RuleRun
from spona.core import audit, context, memo
from spona.core.errors import ApplicationError, NotFound, StateError, ValidationFailed
from spona.core.events import EVENT_TYPES
from spona.core.models import Company, Event, User
from spona.core.permissions import has_perm, require

logger = logging.getLogger(__name__)

MAX_DEPTH = 5


@dataclass
class RuleIn:
    """What an admin sets on a rule (SEC2: company, state, run_as and version come from the service)."""

    name: str
    trigger: str = Rule.Trigger.EVENT
    event_name: str = ""
    record_type: str = ""
    date_field: str = ""
    offset_days: int = 0
    condition: Any = field(default_factory=lambda: {"all": []})
    actions: Any = field(default_factory=list)
    description: str = ""


@dataclass(frozen=True)
class TestResult:
    """What a dry run found: whether the conditions hold and what the actions would do."""

    matched: bool
    record_found: bool
    steps: list[str]
    values: dict[str, Any]


def fields_for(*, trigger: str, event_name: str = "", record_type: str = "") -> dict[str, str]:
    """The names a condition may use for this trigger (for the rule builder and validation)."""
    if trigger == Rule.Trigger.TIME:
        return records.field_labels(records.RECORD_TYPES.get(record_type), [])
    event_type = EVENT_TYPES.get(event_name)
    payload = list(event_type.payload.model_fields) if event_type else []
    return records.field_labels(records.for_event(event_name), payload)


def _validate(company: Company, data: RuleIn) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.name.strip():
        errors["name"] = ["This field is required."]
    if data.trigger == Rule.Trigger.EVENT:
        if data.event_name not in EVENT_TYPES:
            errors["event_name"] = ["Choose an event."]
    elif data.trigger == Rule.Trigger.TIME:
        record_type = records.RECORD_TYPES.get(data.record_type)
        if record_type is None or record_type.due is None:
            errors["record_type"] = ["Choose a record type with dates."]
        elif data.date_field not in record_type.dates:
            errors["date_field"] = ["Choose one of the record's dates."]
        if not isinstance(data.offset_days, int) or not -3650 <= data.offset_days <= 3650:
            errors["offset_days"] = ["Give a number of days from -3650 to 3650."]
    else:
        errors["trigger"] = ["Choose a trigger."]
    if not errors.keys() & {"trigger", "event_name", "record_type", "date_field", "offset_days"}:
        try:
            conditions.validate(
                data.condition, fields_for(trigger=data.trigger, event_name=data.event_name, record_type=data.record_type)
            )
        except conditions.ConditionError as exc:
            errors["condition"] = [str(exc)]
    action_errors = actions.validate(data.actions, company)
    if action_errors:
        errors["actions"] = action_errors
    return errors


@transaction.atomic
def rule_save(*, actor: User, company: Company, data: RuleIn, rule_id: int | None = None) -> Rule:
    """Create a rule, or change one; a changed rule is switched off until it is tested again.

    Raises ValidationFailed listing every problem (unknown event, bad condition tree, bad
    action), NotFound for another company's rule.
    """
    require(actor, "automation.manage", company)
    errors = _validate(company, data)
    if errors:
        raise ValidationFailed("Some fields are not valid.", field_errors=errors)
    values = {
        "name": data.name.strip()[:120],
        "description": data.description.strip(),
        "trigger": data.trigger,
        "event_name": data.event_name if data.trigger == Rule.Trigger.EVENT else "",
        "record_type": data.record_type if data.trigger == Rule.Trigger.TIME else "",
        "date_field": data.date_field if data.trigger == Rule.Trigger.TIME else "",
        "offset_days": data.offset_days if data.trigger == Rule.Trigger.TIME else 0,
        "condition": data.condition,
        "actions": data.actions,
    }
    if rule_id is None:
        rule = Rule.objects.create(company=company, run_as=actor, **values)
        audit.record(actor=actor, target=rule, action="created")
        return rule
    rule = Rule.objects.select_for_update().filter(pk=rule_id, company=company).first()
    if rule is None:
        raise NotFound("No such rule.")
    before = audit.snapshot(rule, list(values))
    for key, value in values.items():
        setattr(rule, key, value)
    rule.run_as, rule.version, rule.is_active = actor, rule.version + 1, False
    rule.save()
    audit.record(actor=actor, target=rule, action="changed", changes=audit.diff(before, audit.snapshot(rule, list(values))))
    return rule


def _rule(company: Company, rule_id: int, *, lock: bool = False) -> Rule:
    qs = Rule.objects.filter(pk=rule_id, company=company)
    rule = (qs.select_for_update() if lock else qs).first()
    if rule is None:
        raise NotFound("No such rule.")
    return rule


def _values_for(rule: Rule, company: Company, record_id: int | None, payload: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    record_type = records.RECORD_TYPES.get(rule.record_type) if rule.trigger == Rule.Trigger.TIME else None
    if rule.trigger == Rule.Trigger.EVENT:
        record_type = records.for_event(rule.event_name)
    record = record_type.load(company.pk, record_id) if record_type is not None and record_id else None
    return {"event": payload, "record": record or {}}, record is not None


@transaction.atomic
def rule_test(
    *, actor: User, company: Company, rule_id: int, record_id: int | None = None, payload: dict[str, Any] | None = None
) -> TestResult:
    """Dry-run a rule against a sample record (and, for event rules, a sample payload).

    Nothing is changed except the run log and the rule's tested version, which allows
    switching it on. Raises NotFound, ValidationFailed for a malformed stored condition.
    """
    require(actor, "automation.manage", company)
    rule = _rule(company, rule_id, lock=True)
    sample = dict(payload or {})
    event_type = records.for_event(rule.event_name) if rule.trigger == Rule.Trigger.EVENT else None
    if record_id is not None and event_type is not None:
        sample.setdefault(event_type.events[rule.event_name], record_id)
    values, found = _values_for(rule, company, record_id, sample)
    try:
        matched = conditions.evaluate(rule.condition, values)
    except conditions.ConditionError as exc:
        raise ValidationFailed(str(exc), field_errors={"condition": [str(exc)]}) from None
    ctx = actions.RunContext(
        company=company,
        actor=rule.run_as,
        rule_name=rule.name,
        values=values,
        record_type=event_type.name if event_type else rule.record_type,
        record_id=record_id,
        event=None,
        dry_run=True,
    )
    steps = [f"Conditions: {conditions.describe(rule.condition)} → {'hold' if matched else 'do not hold'}."]
    if matched:
        steps += [actions.ACTIONS[a["type"]].run(a, ctx) for a in rule.actions]
    RuleRun.objects.create(
        company=company,
        rule=rule,
        record_type=ctx.record_type,
        record_id=record_id,
        outcome=RuleRun.Outcome.DRY_RUN,
        detail=steps,
    )
    rule.tested_version = rule.version
    rule.save(update_fields=["tested_version", "updated_at"])
    return TestResult(matched=matched, record_found=found, steps=steps, values=values)


@transaction.atomic
def rule_activate(*, actor: User, company: Company, rule_id: int, active: bool) -> Rule:
    """Switch a rule on (only after a dry run of its current version) or off.

    Raises StateError when switching on an untested rule.
    """
    require(actor, "automation.manage", company)
    rule = _rule(company, rule_id, lock=True)
    if active and not rule.is_tested():
        raise StateError("Test the rule against a sample record before switching it on.", code="untested")
    rule.is_active = active
    rule.save(update_fields=["is_active", "updated_at"])
    audit.record(actor=actor, target=rule, action="activated" if active else "deactivated")
    return rule


@transaction.atomic
def rule_delete(*, actor: User, company: Company, rule_id: int) -> None:
    """Remove a rule and its run log."""
    require(actor, "automation.manage", company)
    rule = _rule(company, rule_id, lock=True)
    audit.record(actor=actor, target=rule, action="deleted")
    rule.delete()


# Running ---------------------------------------------------------------------------------------


def _execute(rule: Rule, ctx: actions.RunContext, run: RuleRun) -> RuleRun:
    """Run the actions in a savepoint: all of them happen, or none and the run says why."""
    if not has_perm(rule.run_as, "automation.manage", rule.company_id):
        run.outcome, run.error = RuleRun.Outcome.FAILED, f"{rule.run_as} may no longer run automation rules."
        run.save()
        return run
    done: list[str] = []
    try:
        with transaction.atomic():
            for action in rule.actions:
                done.append(actions.ACTIONS[action["type"]].run(action, ctx))
    except ApplicationError as exc:
        run.outcome, run.error = RuleRun.Outcome.FAILED, exc.message[:500]
    except Exception as exc:
        # A rule must not stop the outbox: the failure is logged on the run for the admin.
        logger.exception("Automation rule %s failed", rule.pk)
        run.outcome, run.error = RuleRun.Outcome.FAILED, f"{type(exc).__name__}: {exc}"[:500]
    else:
        run.outcome = RuleRun.Outcome.DONE
    run.detail = done
    run.save()
    return run


def wants_event(company_id: int | None, event_name: str) -> bool:
    """Tell whether the company has an active rule on this event (asked when the event is published).

    The company's rule events are read once per transaction: a service publishing several
    events asks once. Saving or deleting a rule forgets the answer (``forget_events``).
    """
    if company_id is None:
        return False
    return event_name in memo.remember(("automation.rules", company_id), lambda: _rule_events(company_id))


def _rule_events(company_id: int) -> frozenset[str]:
    return frozenset(Rule.objects.filter(company_id=company_id, is_active=True).values_list("event_name", flat=True))


def forget_events(sender: type[Rule], instance: Rule, **kwargs: Any) -> None:
    """Signal receiver for saved and deleted rules: the company's rule events are read again."""
    memo.forget(("automation.rules", instance.company_id))


def run_for_event(event: Event) -> list[RuleRun]:
    """Run the company's active rules for ``event``; called by the outbox handler, in its transaction."""
    if event.company_id is None:
        return []
    rules = list(
        Rule.objects.filter(company_id=event.company_id, is_active=True, event_name=event.name).select_related(
            "run_as", "company"
        )
    )
    if not rules:
        return []
    record_type = records.for_event(event.name)
    record_id = event.payload.get(record_type.events[event.name]) if record_type else None
    record_id = record_id if isinstance(record_id, int) else None
    chain = event.request_id or f"event-{event.pk}"
    runs = []
    # Events the actions publish carry this chain as their request id, so their rules see it.
    with context.bound_request_id(chain):
        for rule in rules:
            runs.append(_run_one(rule, event, record_type.name if record_type else "", record_id, chain))
    return runs


def _run_one(rule: Rule, event: Event, record_type: str, record_id: int | None, chain: str) -> RuleRun:
    in_chain = RuleRun.objects.filter(chain=chain).exclude(outcome=RuleRun.Outcome.NOT_MATCHED)
    run = RuleRun(
        company_id=rule.company_id,
        rule=rule,
        event=event,
        record_type=record_type,
        record_id=record_id,
        chain=chain,
        depth=in_chain.count(),
    )
    if in_chain.filter(rule=rule, record_type=record_type, record_id=record_id).exists() or run.depth >= MAX_DEPTH:
        run.outcome = RuleRun.Outcome.LOOP_BLOCKED
        run.error = (
            "This rule already ran for this record in this chain of changes."
            if run.depth < MAX_DEPTH
            else (f"More than {MAX_DEPTH} rules ran in one chain of changes.")
        )
        run.save()
        return run
    values, _found = _values_for(rule, rule.company, record_id, event.payload)
    try:
        matched = conditions.evaluate(rule.condition, values)
    except conditions.ConditionError as exc:
        run.outcome, run.error = RuleRun.Outcome.FAILED, str(exc)[:500]
        run.save()
        return run
    if not matched:
        run.outcome = RuleRun.Outcome.NOT_MATCHED
        run.save()
        return run
    ctx = actions.RunContext(
        company=rule.company,
        actor=rule.run_as,
        rule_name=rule.name,
        values=values,
        record_type=record_type,
        record_id=record_id,
        event=event,
    )
    return _execute(rule, ctx, run)


def run_time_rules(today: dt.date | None = None) -> int:
    """Run every active time rule for the records whose date has passed by its offset; return runs done.

    Each rule acts once per record: the run's ``once_key`` is unique per rule, so a second look
    (the next schedule turn, or another worker) adds nothing.
    """
    today = today or timezone.localdate()
    done = 0
    for rule in Rule.objects.filter(is_active=True, trigger=Rule.Trigger.TIME).select_related("run_as", "company"):
        record_type = records.RECORD_TYPES.get(rule.record_type)
        if record_type is None or record_type.due is None:
            continue
        cutoff = today - dt.timedelta(days=rule.offset_days)
        seen = set(RuleRun.objects.filter(rule=rule, once_key__isnull=False).values_list("record_id", flat=True))
        for record_id in record_type.due(rule.company_id, rule.date_field, cutoff):
            if record_id not in seen and _run_time_one(rule, record_type.name, record_id):
                done += 1
    return done


def _run_time_one(rule: Rule, record_type: str, record_id: int) -> bool:
    values, found = _values_for(rule, rule.company, record_id, {})
    if not found:
        return False
    try:
        matched = conditions.evaluate(rule.condition, values)
    except conditions.ConditionError:
        return False
    if not matched:
        # Not yet (say, still unpaid is false): look again at the next turn, log nothing.
        return False
    run = RuleRun(
        company_id=rule.company_id,
        rule=rule,
        record_type=record_type,
        record_id=record_id,
        once_key=f"{record_type}:{record_id}",
        chain=f"rule-{rule.pk}-{record_id}",
    )
    try:
        with transaction.atomic():
            run.outcome = RuleRun.Outcome.FAILED
            run.save()
    except IntegrityError:
        return False  # another worker took this record
    ctx = actions.RunContext(
        company=rule.company,
        actor=rule.run_as,
        rule_name=rule.name,
        values=values,
        record_type=record_type,
        record_id=record_id,
        event=None,
    )
    with context.bound_request_id(run.chain):
        return _execute(rule, ctx, run).outcome == RuleRun.Outcome.DONE
