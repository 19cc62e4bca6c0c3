"""Commands of the purchasing app; other apps call these and never write purchasing tables.

The modules below group the services by subject; import them from here.
"""

from spona.back.purchasing.services.bills import MatchLine, bill_create, bill_post, bills_refresh, match_lines
from spona.back.purchasing.services.orders import (
    LineIn,
    OrderIn,
    order_cancel,
    order_confirm,
    order_create,
    order_decide,
    order_register_receipt,
    order_send,
    order_update,
)
from spona.back.purchasing.services.rules import (
    RuleIn,
    reorder_check,
    replenishment_order,
    rule_create,
    rule_update,
    settings_update,
)

__all__ = [
    "LineIn",
    "MatchLine",
    "OrderIn",
    "RuleIn",
    "bill_create",
    "bill_post",
    "bills_refresh",
    "match_lines",
    "order_cancel",
    "order_confirm",
    "order_create",
    "order_decide",
    "order_register_receipt",
    "order_send",
    "order_update",
    "reorder_check",
    "replenishment_order",
    "rule_create",
    "rule_update",
    "settings_update",
]
