"""Reorder rules, the purchasing policy, and turning a replenishment proposal into RFQs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction

from spona.back.purchasing.models import PurchaseSettings, ReorderRule
from spona.back.purchasing.services.common import products_by_id, warehouse_of
from spona.back.purchasing.services.orders import LineIn, OrderIn, order_create
from spona.core import audit, events
from spona.core.errors import Conflict, NotFound, ValidationFailed
from spona.core.models import Company, Party, User
from spona.core.money import to_decimal
from spona.core.permissions import require


@dataclass(frozen=True)
class RuleIn:
    """A reorder rule as a buyer describes it; quantities are in the product's stock unit."""

    product_id: int
    warehouse_id: int
    min_quantity: Decimal
    max_quantity: Decimal
    multiple: Decimal = Decimal(1)
    is_active: bool = True


def _validated(company: Company, data: RuleIn) -> tuple[object, object, Decimal, Decimal, Decimal]:
    errors: dict[str, list[str]] = {}
    product = products_by_id(company, [data.product_id]).get(data.product_id)
    if product is None or not product.is_stocked():
        errors["product_id"] = ["Choose a stocked product of this company."]
    warehouse = warehouse_of(company, data.warehouse_id)
    if warehouse is None:
        errors["warehouse_id"] = ["Choose a warehouse of this company."]
    values = {}
    for name in ("min_quantity", "max_quantity", "multiple"):
        value = getattr(data, name)
        if isinstance(value, float):
            errors[name] = ["Use exact decimals, not floats."]
            continue
        try:
            values[name] = to_decimal(value)
        except (TypeError, ValueError):
            errors[name] = ["Give a number."]
            continue
        if not Decimal(0) <= values[name] < Decimal(10) ** 15:
            errors[name] = ["Give a quantity between 0 and 10¹⁵."]
    if not errors:
        if values["multiple"] <= 0:
            errors["multiple"] = ["Order in multiples of a positive quantity."]
        if values["max_quantity"] < values["min_quantity"]:
            errors["max_quantity"] = ["The maximum cannot be below the minimum."]
    if errors:
        raise ValidationFailed("Please correct the reorder rule.", field_errors=errors)
    return product, warehouse, values["min_quantity"], values["max_quantity"], values["multiple"]


@transaction.atomic
def rule_create(*, actor: User | None, company: Company, data: RuleIn) -> ReorderRule:
    """Add a reorder rule for a product in a warehouse; one per pair (Conflict for a second)."""
    if actor is not None:
        require(actor, "purchasing.manage", company)
    product, warehouse, minimum, maximum, multiple = _validated(company, data)
    if ReorderRule.objects.filter(product=product, warehouse=warehouse).exists():
        raise Conflict(f"{product} already has a reorder rule in {warehouse}.")
    try:
        with transaction.atomic():
            rule = ReorderRule.objects.create(
                company=company,
                product=product,
                warehouse=warehouse,
                min_quantity=minimum,
                max_quantity=maximum,
                multiple=multiple,
                is_active=data.is_active,
            )
    except IntegrityError:
        raise Conflict(f"{product} already has a reorder rule in {warehouse}.") from None
    audit.record(actor=actor, target=rule, action="created", changes={"min": [None, str(minimum)], "max": [None, str(maximum)]})
    return rule


@transaction.atomic
def rule_update(*, actor: User, company: Company, rule_id: int, version: int, data: RuleIn) -> ReorderRule:
    """Change a rule's quantities or switch it off; a stale version is refused (QUALITY C2)."""
    require(actor, "purchasing.manage", company)
    rule = ReorderRule.objects.select_for_update().filter(pk=rule_id, company=company).first()
    if rule is None:
        raise NotFound("No such reorder rule.")
    if rule.version != version:
        raise Conflict("Someone else changed this rule since you opened it. Reload it and apply your change again.")
    product, warehouse, minimum, maximum, multiple = _validated(company, data)
    if (product.pk, warehouse.pk) != (rule.product_id, rule.warehouse_id):  # type: ignore[attr-defined]
        raise ValidationFailed("A rule stays with its product and warehouse; add a new rule instead.")
    before = {
        "min": str(rule.min_quantity),
        "max": str(rule.max_quantity),
        "multiple": str(rule.multiple),
        "active": rule.is_active,
    }
    rule.min_quantity, rule.max_quantity, rule.multiple, rule.is_active = minimum, maximum, multiple, data.is_active
    rule.version += 1
    rule.save()
    after = {"min": str(minimum), "max": str(maximum), "multiple": str(multiple), "active": data.is_active}
    audit.record(actor=actor, target=rule, action="updated", changes=audit.diff(before, after))
    return rule


@transaction.atomic
def settings_update(*, actor: User, company: Company, approval_threshold: Decimal) -> PurchaseSettings:
    """Set the amount (company currency) above which a purchase order needs approval."""
    require(actor, "purchasing.settings", company)
    if isinstance(approval_threshold, float) or to_decimal(approval_threshold) < 0:
        raise ValidationFailed("Give a non-negative amount.", field_errors={"approval_threshold": ["Not negative."]})
    settings = PurchaseSettings.objects.select_for_update().filter(company=company).first() or PurchaseSettings(company=company)
    before = str(settings.approval_threshold) if settings.pk else None
    settings.approval_threshold = to_decimal(approval_threshold)
    settings.save()
    audit.record(
        actor=actor, target=settings, action="updated", changes={"approval_threshold": [before, str(approval_threshold)]}
    )
    return settings


@transaction.atomic
def replenishment_order(*, actor: User, company: Company, rule_ids: Sequence[int]) -> list[int]:
    """Draft one RFQ per supplier for the chosen rules' current proposals; return the new orders' ids.

    The proposal is computed again here (the report may be stale); rules no longer below their
    minimum, or without a supplier, are skipped.
    """
    require(actor, "purchasing.manage", company)
    from spona.back.purchasing.selectors import replenishment

    wanted = set(rule_ids)
    proposals = [p for p in replenishment(user=None, company=company) if p.rule_id in wanted and p.supplier_id]
    groups: dict[tuple[int, int, str], list[LineIn]] = defaultdict(list)
    for p in proposals:
        groups[(p.supplier_id, p.warehouse_id, p.currency)].append(  # type: ignore[index]
            LineIn(product_id=p.product_id, quantity=p.purchase_quantity, uom_id=p.purchase_uom_id)
        )
    created = []
    for (supplier_id, warehouse_id, currency), lines in sorted(groups.items()):
        order = order_create(
            actor=actor,
            company=company,
            data=OrderIn(supplier_id=supplier_id, warehouse_id=warehouse_id, currency=currency, lines=lines),
        )
        created.append(order.pk)
    return created


def reorder_check() -> int:
    """Publish ``purchasing.below_reorder_point`` once per rule that fell below its minimum (the daily job).

    The event goes on the timeline of the supplier replenishment would buy from. A rule that
    recovered is re-armed. Runs over every company; returns how many events went out.
    """
    from spona.back.purchasing.selectors import replenishment

    published = 0
    for company in Company.objects.filter(is_active=True).order_by("pk"):
        with transaction.atomic():
            rules = {
                r.pk: r
                for r in ReorderRule.objects.select_for_update(of=("self",))
                .filter(company=company, is_active=True)
                .select_related("product", "warehouse")
            }
            if not rules:
                continue
            below = {p.rule_id: p for p in replenishment(user=None, company=company)}
            suppliers = {p.pk: p for p in Party.objects.filter(company=company, pk__in={p.supplier_id for p in below.values()})}
            for rule in rules.values():
                proposal = below.get(rule.pk)
                if proposal is not None and not rule.alerted:
                    rule.alerted = True
                    rule.save(update_fields=["alerted", "updated_at"])
                    events.publish(
                        "purchasing.below_reorder_point",
                        company=company,
                        party=suppliers.get(proposal.supplier_id),  # type: ignore[arg-type]
                        rule_id=rule.pk,
                        product_id=rule.product_id,
                        sku=rule.product.sku,
                        warehouse=rule.warehouse.code,
                        forecast=f"{proposal.forecast.normalize():f}",
                        min_quantity=f"{rule.min_quantity.normalize():f}",
                        supplier_id=proposal.supplier_id,
                    )
                    published += 1
                elif proposal is None and rule.alerted:
                    rule.alerted = False
                    rule.save(update_fields=["alerted", "updated_at"])
    return published
