"""The condition language: comparisons, groups, and SEC9 (arbitrary JSON never executes code nor fails loudly)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spona.bridge.automation import conditions, services
from spona.bridge.automation.conditions import ConditionError, evaluate
from spona.core.errors import ValidationFailed

CONTEXT = {
    "event": {"total": "1250.00", "currency": "EUR", "due_date": "2026-03-01", "name": "Nova Trade"},
    "record": {"tags": ["VIP", "Retail"], "state": "posted", "residual": "0.00", "owner_id": 7, "party": {"name": "Nova"}},
}


@pytest.mark.parametrize(
    ("tree", "holds"),
    [
        ({"field": "event.total", "op": "gt", "value": "999.99"}, True),
        ({"field": "event.total", "op": "gte", "value": 1250}, True),
        ({"field": "event.total", "op": "lt", "value": "1000"}, False),
        ({"field": "event.total", "op": "eq", "value": "1250"}, True),
        ({"field": "event.currency", "op": "eq", "value": "eur"}, True),
        ({"field": "event.currency", "op": "in", "value": ["USD", "EUR"]}, True),
        ({"field": "event.due_date", "op": "lt", "value": "2026-04-01"}, True),
        ({"field": "event.name", "op": "contains", "value": "trade"}, True),
        ({"field": "event.name", "op": "not_contains", "value": "trade"}, False),
        ({"field": "record.tags", "op": "contains", "value": "vip"}, True),
        ({"field": "record.tags", "op": "ne", "value": "Wholesale"}, True),
        ({"field": "record.residual", "op": "gt", "value": "0"}, False),
        ({"field": "record.party.name", "op": "eq", "value": "Nova"}, True),
        ({"field": "record.missing", "op": "is_empty"}, True),
        ({"field": "record.missing", "op": "gt", "value": "0"}, False),
        ({"field": "record.owner_id", "op": "not_empty"}, True),
        ({"all": []}, True),
        ({"any": []}, False),
        ({"not": {"field": "record.state", "op": "eq", "value": "draft"}}, True),
        (
            {
                "all": [
                    {"field": "record.state", "op": "eq", "value": "posted"},
                    {
                        "any": [
                            {"field": "event.total", "op": "gt", "value": "5000"},
                            {"field": "record.tags", "op": "eq", "value": "VIP"},
                        ]
                    },
                ]
            },
            True,
        ),
    ],
)
def test_comparisons_and_groups(tree, holds):
    assert evaluate(tree, CONTEXT) is holds


@pytest.mark.parametrize(
    "tree",
    [
        "__import__('os').system('id')",
        {"field": "event.total", "op": "__class__", "value": 1},
        {"field": "__class__.__bases__", "op": "eq", "value": 1},
        {"field": "event.total", "op": "eq"},
        {"field": "event.total", "op": "in", "value": "abc"},
        {"field": "event.total", "op": "eq", "value": {"$where": "1"}},
        {"all": {"field": "event.total"}},
        {"all": [], "any": []},
        {"not": []},
        [],
    ],
)
def test_malformed_trees_are_refused(tree):
    with pytest.raises(ConditionError):
        evaluate(tree, CONTEXT)


def test_depth_and_size_are_bounded():
    deep = {"field": "event.total", "op": "is_empty"}
    for _ in range(conditions.MAX_DEPTH + 1):
        deep = {"not": deep}
    with pytest.raises(ConditionError, match="nested deeper"):
        conditions.validate(deep)
    wide = {"any": [{"field": "event.total", "op": "is_empty"}] * (conditions.MAX_NODES + 1)}
    with pytest.raises(ConditionError, match="more than"):
        conditions.validate(wide)


def test_fields_are_checked_against_the_readable_list():
    with pytest.raises(ConditionError, match=r"unknown field record\.salary"):
        conditions.validate({"field": "record.salary", "op": "gt", "value": 1}, {"record.total": "total"})


def test_a_condition_reads_as_a_sentence():
    tree = {
        "all": [{"field": "record.state", "op": "eq", "value": "posted"}, {"not": {"field": "record.tags", "op": "is_empty"}}]
    }
    assert conditions.describe(tree) == "(record.state is 'posted') and (not (record.tags is empty))"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30,
)
KEYS = st.sampled_from(["all", "any", "not", "field", "op", "value", "__class__", "eval"])
FIELDS = st.sampled_from(["event.total", "record.tags", "record.__class__", "event.__init__.__globals__", "x", ""])
OPS = st.sampled_from([*conditions.OPERATORS, "__eq__", "exec", ""])
TREES = st.recursive(
    st.fixed_dictionaries({"field": FIELDS, "op": OPS, "value": JSON}) | JSON,
    lambda children: st.dictionaries(KEYS, children | st.lists(children, max_size=3), max_size=3),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(tree=TREES, event=JSON)
def test_sec9_arbitrary_json_is_refused_or_evaluated_never_executed(tree, event):
    # given any JSON as a condition and any JSON as the event payload
    context = {"event": event, "record": {"tags": ["VIP"], "total": "10"}}
    # when it is evaluated
    try:
        result = evaluate(tree, context)
    except ConditionError:
        return
    # then it is a plain yes or no: no other exception, nothing run
    assert result in (True, False)


@pytest.mark.django_db
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=TREES, sample=JSON)
def test_sec9_arbitrary_json_through_the_rule_service_is_saved_or_refused_never_a_crash(company, admin, tree, sample):
    # given any JSON as a rule's condition
    data = services.RuleIn(
        name="Fuzz", event_name="core.party_created", condition=tree, actions=[{"type": "add_tag", "tag": "x"}]
    )
    # when an admin saves it, and a saved one is dry-run against any sample payload
    try:
        rule = services.rule_save(actor=admin, company=company, data=data)
    except ValidationFailed as refused:
        # then a refusal names the condition
        assert "condition" in refused.field_errors
        return
    result = services.rule_test(
        actor=admin, company=company, rule_id=rule.pk, payload=sample if isinstance(sample, dict) else {"value": sample}
    )
    assert result.matched in (True, False)
