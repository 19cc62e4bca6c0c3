"""The condition language of automation rules: a JSON tree, evaluated without running any code (SEC9).

A condition is one of

- ``{"all": [c, …]}`` — every condition holds (an empty list holds);
- ``{"any": [c, …]}`` — at least one holds (an empty list does not);
- ``{"not": c}``;
- ``{"field": "event.total", "op": "gte", "value": "1000"}`` — a comparison. ``field`` names a
  value of the event's payload (``event.…``) or of the record the rule is about
  (``record.…``, the readable fields its record type lists). ``op`` is one of ``OPERATORS``.

Values are compared as numbers when both sides read as numbers, as dates when both read as
ISO dates, else as text. Nothing in a condition is executed: names are looked up in plain
dictionaries, and trees deeper than ``MAX_DEPTH`` or larger than ``MAX_NODES`` are refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

MAX_DEPTH = 8
MAX_NODES = 100
MAX_TEXT = 500

OPERATORS = {
    "eq": "is",
    "ne": "is not",
    "gt": "is greater than",
    "gte": "is at least",
    "lt": "is less than",
    "lte": "is at most",
    "contains": "contains",
    "not_contains": "does not contain",
    "in": "is one of",
    "is_empty": "is empty",
    "not_empty": "is not empty",
}
UNARY = {"is_empty", "not_empty"}


class ConditionError(ValueError):
    """The condition is not a valid tree; the message says where."""


def validate(tree: Any, fields: Mapping[str, str] | None = None) -> None:
    """Raise ConditionError unless ``tree`` is a well-formed condition.

    With ``fields`` (readable names → labels), a comparison must name one of them.
    """
    count = [0]
    _check(tree, 0, count, fields, "condition")


def _check(node: Any, depth: int, count: list[int], fields: Mapping[str, str] | None, where: str) -> None:
    count[0] += 1
    if count[0] > MAX_NODES:
        raise ConditionError(f"The condition has more than {MAX_NODES} parts.")
    if depth > MAX_DEPTH:
        raise ConditionError(f"The condition is nested deeper than {MAX_DEPTH} levels.")
    if not isinstance(node, dict) or len(node) == 0:
        raise ConditionError(f"{where}: expected an object.")
    keys = set(node)
    if keys == {"all"} or keys == {"any"}:
        (group,) = keys
        children = node[group]
        if not isinstance(children, list):
            raise ConditionError(f"{where}: '{group}' needs a list.")
        for i, child in enumerate(children, start=1):
            _check(child, depth + 1, count, fields, f"{where}.{group}[{i}]")
        return
    if keys == {"not"}:
        _check(node["not"], depth + 1, count, fields, f"{where}.not")
        return
    if keys - {"field", "op", "value"} or not {"field", "op"} <= keys:
        raise ConditionError(f"{where}: expected all, any, not, or field/op/value.")
    field, op = node["field"], node["op"]
    if not isinstance(field, str) or not field or len(field) > 100:
        raise ConditionError(f"{where}: the field must be a name.")
    if not field.startswith(("event.", "record.")):
        raise ConditionError(f"{where}: the field must start with event. or record.")
    if fields is not None and field not in fields:
        raise ConditionError(f"{where}: unknown field {field}.")
    if op not in OPERATORS:
        raise ConditionError(f"{where}: unknown operator.")
    if op in UNARY:
        return
    if "value" not in node:
        raise ConditionError(f"{where}: a value is needed.")
    value = node["value"]
    values = value if op == "in" else [value]
    if op == "in" and (not isinstance(value, list) or len(value) > 50):
        raise ConditionError(f"{where}: 'in' needs a list of at most 50 values.")
    for v in values:
        if v is not None and not isinstance(v, (str, int, float, bool)):
            raise ConditionError(f"{where}: a value must be text, a number, true/false or null.")
        if isinstance(v, str) and len(v) > MAX_TEXT:
            raise ConditionError(f"{where}: a value is longer than {MAX_TEXT} characters.")


def lookup(context: Mapping[str, Any], field: str) -> Any:
    """Read ``event.a.b`` or ``record.a`` from plain nested dictionaries; a missing name is None."""
    current: Any = context
    for part in field.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return None
        current = current[part]
    return current


def evaluate(tree: Any, context: Mapping[str, Any]) -> bool:
    """Tell whether the condition holds for ``context`` (``{"event": {…}, "record": {…}}``).

    Raises ConditionError for a malformed tree (validate first to get it at saving time).
    """
    validate(tree)
    return _eval(tree, context)


def _eval(node: dict[str, Any], context: Mapping[str, Any]) -> bool:
    if "all" in node:
        return all(_eval(child, context) for child in node["all"])
    if "any" in node:
        return any(_eval(child, context) for child in node["any"])
    if "not" in node:
        return not _eval(node["not"], context)
    return compare(lookup(context, node["field"]), node["op"], node.get("value"))


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and 8 <= len(value) <= 40:
        try:
            return dt.datetime.fromisoformat(value).date()
        except ValueError:
            return None
    return None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value).casefold()


def _empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, (list, dict)) and len(value) == 0)


def _equal(left: Any, right: Any) -> bool:
    a, b = _number(left), _number(right)
    if a is not None and b is not None:
        return a == b
    return _text(left) == _text(right)


def _order(left: Any, right: Any) -> int | None:
    """-1, 0 or 1 when both sides compare as numbers, dates or text; None when one is empty."""
    if _empty(left) or _empty(right):
        return None
    pairs: list[tuple[Any, Any]] = [(_number(left), _number(right)), (_date(left), _date(right))]
    for a, b in pairs:
        if a is not None and b is not None:
            return (a > b) - (a < b)
    a_text, b_text = _text(left), _text(right)
    return (a_text > b_text) - (a_text < b_text)


def compare(left: Any, op: str, right: Any) -> bool:
    """Apply one operator; a list on the left (tags, say) matches when any item does for eq/in/contains."""
    if op == "is_empty":
        return _empty(left)
    if op == "not_empty":
        return not _empty(left)
    if isinstance(left, list) and op in ("eq", "in", "contains"):
        return any(compare(item, "eq" if op == "contains" else op, right) for item in left)
    if isinstance(left, list) and op in ("ne", "not_contains"):
        return not compare(left, "eq", right)
    if op == "eq":
        return _equal(left, right)
    if op == "ne":
        return not _equal(left, right)
    if op == "in":
        return any(_equal(left, item) for item in right)
    if op == "contains":
        return _text(right) in _text(left)
    if op == "not_contains":
        return _text(right) not in _text(left)
    order = _order(left, right)
    if order is None:
        return False
    return {"gt": order > 0, "gte": order >= 0, "lt": order < 0, "lte": order <= 0}[op]


def describe(tree: Any) -> str:
    """Render a condition as a sentence for the rule list and the dry run."""
    if "all" in tree:
        parts = [describe(c) for c in tree["all"]]
        return " and ".join(f"({p})" if len(parts) > 1 else p for p in parts) or "always"
    if "any" in tree:
        return " or ".join(f"({describe(c)})" for c in tree["any"]) or "never"
    if "not" in tree:
        return f"not ({describe(tree['not'])})"
    value = "" if tree["op"] in UNARY else f" {tree.get('value')!r}"
    return f"{tree['field']} {OPERATORS[tree['op']]}{value}"
