"""The product catalogue: categories, units, products, variants and supplier prices."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db import transaction

from spona.back.inventory.models import (
    Product,
    ProductAttribute,
    ProductAttributeValue,
    ProductCategory,
    ProductTemplate,
    StockMove,
    SupplierInfo,
    SupplierPriceBreak,
    Uom,
    UomCategory,
    ValuationLayer,
)
from spona.core import audit
from spona.core import services as core_services
from spona.core.errors import Conflict, NotFound, ValidationFailed
from spona.core.models import Company, Party, User
from spona.core.money import to_decimal
from spona.core.permissions import require
from spona.core.services.base import full_clean_or_raise

ZERO = Decimal(0)


def convert_quantity(quantity: Decimal, from_uom: Uom, to_uom: Uom) -> Decimal:
    """Convert a quantity between two units of one category, rounded half up to the target's rounding.

    Raises ValidationFailed when the units measure different things (pieces and kilograms).
    """
    if from_uom.category_id != to_uom.category_id:
        raise ValidationFailed(
            f"{from_uom.name} cannot be converted to {to_uom.name}: they measure different things.",
            code="uom_category_mismatch",
            field_errors={"uom": [f"Use a unit of the same kind as {to_uom.name}."]},
        )
    quantity = to_decimal(quantity)
    if from_uom.pk == to_uom.pk:
        return quantity
    return to_uom.round(quantity * from_uom.factor / to_uom.factor)


# Categories and units ----------------------------------------------------------------------


@transaction.atomic
def category_create(
    *, actor: User | None, company: Company, name: str, parent_id: int | None = None, costing_method: str = "average"
) -> ProductCategory:
    """Add a product category, at the top or under another category of the company.

    ``costing_method`` (``average`` or ``fifo``) decides how its products' outgoing stock is valued.
    """
    if actor is not None:
        require(actor, "inventory.manage", company)
    parent = _category(company, parent_id) if parent_id is not None else None
    category = ProductCategory(company=company, name=(name or "").strip(), parent=parent, costing_method=costing_method)
    full_clean_or_raise(category, exclude=["company"])
    if ProductCategory.objects.filter(company=company, parent=parent, name__iexact=category.name).exists():
        raise ValidationFailed("This category exists already.", field_errors={"name": ["Choose another name."]})
    category.save()
    audit.record(actor=actor, target=category, action="created")
    return category


@transaction.atomic
def category_update(
    *, actor: User | None, company: Company, category_id: int, name: str, parent_id: int | None, costing_method: str | None = None
) -> ProductCategory:
    """Rename or move a category; moving it under itself or one of its children is refused.

    The costing method changes only while none of the category's products has been valued:
    the stock's layers were built for one method and a switch would need a revaluation.
    """
    if actor is not None:
        require(actor, "inventory.manage", company)
    category = ProductCategory.objects.select_for_update().filter(pk=category_id, company=company).first()
    if category is None:
        raise NotFound("No such category.")
    parent = _category(company, parent_id) if parent_id is not None else None
    ancestor = parent
    while ancestor is not None:
        if ancestor.pk == category.pk:
            raise ValidationFailed(
                "A category cannot be moved under itself.", field_errors={"parent": ["Choose a category outside this one."]}
            )
        ancestor = ancestor.parent
    before = audit.snapshot(category, ["name", "parent", "costing_method"])
    if costing_method is not None and costing_method != category.costing_method:
        if ValuationLayer.objects.filter(company=company, product__category=category).exists():
            raise ValidationFailed(
                "The costing method cannot change once the category's stock has been valued.",
                field_errors={"costing_method": ["Stock of this category is valued already."]},
            )
        category.costing_method = costing_method
    category.name, category.parent = (name or "").strip(), parent
    full_clean_or_raise(category, exclude=["company"])
    if (
        ProductCategory.objects.filter(company=company, parent=parent, name__iexact=category.name)
        .exclude(pk=category.pk)
        .exists()
    ):
        raise ValidationFailed("This category exists already.", field_errors={"name": ["Choose another name."]})
    category.save()
    audit.record(
        actor=actor,
        target=category,
        action="updated",
        changes=audit.diff(before, audit.snapshot(category, ["name", "parent", "costing_method"])),
    )
    return category


def _costing_method(category: ProductCategory | None) -> str:
    """The method that values a product of the category (products without one use the average)."""
    return category.costing_method if category is not None else ProductCategory.CostingMethod.AVERAGE


def _category(company: Company, category_id: int) -> ProductCategory:
    category = ProductCategory.objects.filter(pk=category_id, company=company).first()
    if category is None:
        raise NotFound("No such category.")
    return category


@transaction.atomic
def uom_category_create(*, actor: User | None, company: Company, name: str) -> UomCategory:
    """Add a family of units (count, weight, volume …)."""
    if actor is not None:
        require(actor, "inventory.manage", company)
    category = UomCategory(company=company, name=(name or "").strip())
    full_clean_or_raise(category, exclude=["company"])
    if UomCategory.objects.filter(company=company, name__iexact=category.name).exists():
        raise ValidationFailed("This unit category exists already.", field_errors={"name": ["Choose another name."]})
    category.save()
    audit.record(actor=actor, target=category, action="created")
    return category


@transaction.atomic
def uom_create(
    *,
    actor: User | None,
    company: Company,
    category_id: int,
    name: str,
    factor: Decimal = Decimal(1),
    rounding: Decimal = Decimal("0.01"),
) -> Uom:
    """Add a unit: ``factor`` reference units of its category make one of it (a dozen: 12).

    Raises ValidationFailed for a float, a factor or rounding that is not positive, or a duplicate name.
    """
    if actor is not None:
        require(actor, "inventory.manage", company)
    category = UomCategory.objects.filter(pk=category_id, company=company).first()
    if category is None:
        raise NotFound("No such unit category.")
    try:
        factor, rounding = to_decimal(factor), to_decimal(rounding)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(str(exc), field_errors={"factor": [str(exc)]}) from None
    errors: dict[str, list[str]] = {}
    if factor <= 0:
        errors["factor"] = ["The factor must be positive."]
    if rounding <= 0:
        errors["rounding"] = ["The rounding must be positive."]
    if Uom.objects.filter(company=company, name__iexact=(name or "").strip()).exists():
        errors["name"] = ["A unit with this name exists already."]
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", field_errors=errors)
    uom = Uom(company=company, category=category, name=(name or "").strip(), factor=factor, rounding=rounding)
    full_clean_or_raise(uom, exclude=["company"])
    uom.save()
    audit.record(actor=actor, target=uom, action="created")
    return uom


# Products --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductInput:
    """What a caller may set on a product (SEC2: company, version and variant links are not input)."""

    name: str
    sku: str
    uom_id: int
    purchase_uom_id: int | None = None
    kind: str = Product.Kind.GOODS
    barcode: str = ""
    category_id: int | None = None
    sale_price: Decimal = ZERO
    cost_price: Decimal = ZERO
    tracking: str = Product.Tracking.NONE
    allow_negative_stock: bool = False
    is_active: bool = True


PRODUCT_FIELDS = [
    "name",
    "sku",
    "barcode",
    "kind",
    "category",
    "uom",
    "purchase_uom",
    "sale_price",
    "cost_price",
    "tracking",
    "allow_negative_stock",
    "is_active",
]


def _apply_input(company: Company, product: Product, data: ProductInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    product.name = (data.name or "").strip()
    product.sku = (data.sku or "").strip()
    product.barcode = (data.barcode or "").strip()
    product.kind, product.tracking = data.kind, data.tracking
    product.allow_negative_stock, product.is_active = bool(data.allow_negative_stock), bool(data.is_active)
    for name in ("sale_price", "cost_price"):
        value = getattr(data, name)
        if isinstance(value, float):
            errors[name] = ["Prices must be exact decimals, not floats."]
            continue
        setattr(product, name, to_decimal(value))
        if getattr(product, name) < 0:
            errors[name] = ["A price cannot be negative."]
    units = {u.pk: u for u in Uom.objects.filter(company=company, pk__in=[data.uom_id, data.purchase_uom_id or data.uom_id])}
    uom, purchase_uom = units.get(data.uom_id), units.get(data.purchase_uom_id or data.uom_id)
    if uom is None:
        errors["uom_id"] = ["Choose a unit of this company."]
    if purchase_uom is None:
        errors["purchase_uom_id"] = ["Choose a unit of this company."]
    if uom is not None and purchase_uom is not None:
        if uom.category_id != purchase_uom.category_id:
            errors["purchase_uom_id"] = [f"The purchase unit must measure the same thing as {uom.name}."]
        product.uom, product.purchase_uom = uom, purchase_uom
    if data.category_id is not None:
        product.category = ProductCategory.objects.filter(pk=data.category_id, company=company).first()
        if product.category is None:
            errors["category_id"] = ["Choose a category of this company."]
    else:
        product.category = None
    if data.tracking != Product.Tracking.NONE and data.kind != Product.Kind.GOODS:
        errors["tracking"] = ["Only stocked goods are tracked by lot or serial number."]
    if data.tracking != Product.Tracking.NONE and data.allow_negative_stock:
        errors["allow_negative_stock"] = ["Tracked stock cannot go negative: a lot or serial is counted, never owed."]
    others = Product.objects.filter(company=company).exclude(pk=product.pk)
    if product.sku and others.filter(sku=product.sku).exists():
        errors["sku"] = [f"SKU {product.sku} is used by another product."]
    if product.barcode and others.filter(barcode=product.barcode).exists():
        errors["barcode"] = [f"Barcode {product.barcode} is used by another product."]
    try:
        full_clean_or_raise(product, exclude=["company", "attribute_values", "template", "uom", "purchase_uom", "category"])
    except ValidationFailed as exc:
        for name, messages in exc.field_errors.items():
            errors.setdefault(name, []).extend(messages)
    return errors


@transaction.atomic
def product_create(*, actor: User | None, company: Company, data: ProductInput) -> Product:
    """Add a product to the catalogue.

    Rules: SKU and barcode unique in the company; the purchase unit measures what the stock
    unit measures; only goods are tracked; prices are non-negative Decimals. Raises
    ValidationFailed listing every problem at once.
    """
    if actor is not None:
        require(actor, "inventory.manage", company)
    product = Product(company=company)
    errors = _apply_input(company, product, data)
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", field_errors=errors)
    product.save()
    audit.record(actor=actor, target=product, action="created")
    return product


@transaction.atomic
def product_update(*, actor: User | None, company: Company, product_id: int, version: int, data: ProductInput) -> Product:
    """Change a product; refuses a stale edit (Conflict) so nobody overwrites another's change.

    Once stock has moved, the unit, the kind and the tracking stay as they are: the quantities
    already recorded were counted that way.
    """
    if actor is not None:
        require(actor, "inventory.manage", company)
    product = Product.objects.select_for_update().filter(pk=product_id, company=company).first()
    if product is None:
        raise NotFound("No such product.")
    if product.version != version:
        raise Conflict("Someone else changed this product since you opened it. Reload it and apply your change again.")
    before = audit.snapshot(product, PRODUCT_FIELDS)
    before_method = _costing_method(product.category)
    errors = _apply_input(company, product, data)
    if StockMove.objects.filter(product=product).exclude(state=StockMove.State.CANCELLED).exists():
        for name in ("uom", "kind", "tracking"):
            if audit.snapshot(product, [name])[name] != before[name]:
                errors.setdefault(f"{name}_id" if name == "uom" else name, []).append(
                    "Stock of this product has moved already; this cannot change any more."
                )
    if _costing_method(product.category) != before_method and ValuationLayer.objects.filter(product=product).exists():
        # Its layers were built for one method (FIFO keeps what is left of each receipt, average does not).
        errors.setdefault("category_id", []).append(
            "This product's stock is valued already; move it only to a category with the same costing method."
        )
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", field_errors=errors)
    product.version += 1
    product.save()
    audit.record(
        actor=actor, target=product, action="updated", changes=audit.diff(before, audit.snapshot(product, PRODUCT_FIELDS))
    )
    return product


# Variants --------------------------------------------------------------------------------


@transaction.atomic
def attribute_create(*, actor: User | None, company: Company, name: str, values: Sequence[str]) -> ProductAttribute:
    """Add an attribute with its values in order, e.g. Size: S, M, L (the value is its own SKU code)."""
    if actor is not None:
        require(actor, "inventory.manage", company)
    name = (name or "").strip()
    cleaned = [v.strip() for v in values if v.strip()]
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Give the attribute a name."]
    elif ProductAttribute.objects.filter(company=company, name__iexact=name).exists():
        errors["name"] = ["This attribute exists already."]
    if not cleaned:
        errors["values"] = ["Give at least one value."]
    if len({v.lower() for v in cleaned}) != len(cleaned):
        errors["values"] = ["Each value once."]
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", field_errors=errors)
    attribute = ProductAttribute.objects.create(company=company, name=name[:60])
    ProductAttributeValue.objects.bulk_create(
        [
            ProductAttributeValue(attribute=attribute, name=v[:60], code="".join(v.split()).upper()[:20], sequence=i)
            for i, v in enumerate(cleaned)
        ]
    )
    audit.record(actor=actor, target=attribute, action="created", changes={"values": [None, cleaned]})
    return attribute


@dataclass(frozen=True)
class TemplateInput:
    """A product template: its name, the SKU prefix of its variants, what the variants share."""

    name: str
    sku_prefix: str
    defaults: ProductInput
    value_ids: list[int] = field(default_factory=list)


@transaction.atomic
def template_create(*, actor: User | None, company: Company, data: TemplateInput) -> ProductTemplate:
    """Create a product template and one variant per combination of the chosen attribute values.

    A T-shirt with sizes S, M and colours red, blue gets four variants named "T-shirt (S, Red)"
    with SKUs like TS-S-RED. Raises ValidationFailed for foreign values or a used prefix.
    """
    if actor is not None:
        require(actor, "inventory.manage", company)
    prefix, name = (data.sku_prefix or "").strip().upper(), (data.name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Give the template a name."]
    if not prefix:
        errors["sku_prefix"] = ["Give the variants' SKU prefix."]
    elif ProductTemplate.objects.filter(company=company, sku_prefix=prefix).exists():
        errors["sku_prefix"] = ["Another template uses this prefix."]
    values = _values(company, data.value_ids, errors)
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", field_errors=errors)
    template = ProductTemplate.objects.create(company=company, name=name[:200], sku_prefix=prefix[:40])
    template.attributes.set({v.attribute_id for v in values})
    _add_variants(company, template, values, data.defaults)
    audit.record(actor=actor, target=template, action="created", changes={"values": [None, sorted(data.value_ids)]})
    return template


@transaction.atomic
def template_add_values(*, actor: User | None, company: Company, template_id: int, value_ids: list[int]) -> list[Product]:
    """Add variants for new attribute values (a new size); existing combinations are kept as they are.

    New variants copy the template's first variant (unit, kind, prices, tracking, category).
    """
    if actor is not None:
        require(actor, "inventory.manage", company)
    template = ProductTemplate.objects.select_for_update().filter(pk=template_id, company=company).first()
    if template is None:
        raise NotFound("No such product template.")
    first = template.variants.order_by("pk").first()
    if first is None:
        raise ValidationFailed("The template has no variant to copy from.")
    errors: dict[str, list[str]] = {}
    wanted = _values(company, value_ids, errors)
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", field_errors=errors)
    existing = list(ProductAttributeValue.objects.filter(variants__template=template).distinct())
    template.attributes.add(*{v.attribute_id for v in wanted})
    defaults = ProductInput(
        name="",
        sku="",
        uom_id=first.uom_id,
        purchase_uom_id=first.purchase_uom_id,
        kind=first.kind,
        category_id=first.category_id,
        sale_price=first.sale_price,
        cost_price=first.cost_price,
        tracking=first.tracking,
        allow_negative_stock=first.allow_negative_stock,
    )
    created = _add_variants(company, template, list({v.pk: v for v in existing + wanted}.values()), defaults)
    audit.record(actor=actor, target=template, action="variants_added", changes={"variants": [None, [p.sku for p in created]]})
    return created


def _values(company: Company, value_ids: list[int], errors: dict[str, list[str]]) -> list[ProductAttributeValue]:
    values = list(
        ProductAttributeValue.objects.filter(pk__in=set(value_ids), attribute__company=company).select_related("attribute")
    )
    if len(values) != len(set(value_ids)) or not values:
        errors["value_ids"] = ["Choose attribute values of this company."]
    return values


def _add_variants(
    company: Company, template: ProductTemplate, values: list[ProductAttributeValue], defaults: ProductInput
) -> list[Product]:
    by_attribute: dict[int, list[ProductAttributeValue]] = {}
    for value in sorted(values, key=lambda v: (v.attribute.name, v.sequence, v.pk)):
        by_attribute.setdefault(value.attribute_id, []).append(value)
    taken = set(template.variants.values_list("variant_key", flat=True))
    created = []
    for combination in itertools.product(*by_attribute.values()):
        key = ".".join(str(pk) for pk in sorted(v.pk for v in combination))
        if key in taken:
            continue
        data = replace(
            defaults,
            name=f"{template.name} ({', '.join(v.name for v in combination)})",
            sku="-".join([template.sku_prefix, *(v.code for v in combination)]),
            barcode="",
        )
        product = Product(company=company, template=template, variant_key=key)
        errors = _apply_input(company, product, data)
        if errors:
            raise ValidationFailed(f"Variant {data.sku} is not valid.", field_errors=errors)
        product.save()
        product.attribute_values.set(combination)
        created.append(product)
    return created


# Suppliers -------------------------------------------------------------------------------


@transaction.atomic
def supplier_info_set(
    *,
    actor: User | None,
    company: Company,
    product_id: int,
    supplier_id: int,
    price_breaks: Sequence[tuple[Decimal, Decimal]],
    supplier_code: str = "",
    supplier_name: str = "",
    currency: str = "",
    lead_time_days: int = 0,
    sequence: int = 10,
) -> SupplierInfo:
    """Record how a supplier sells a product: their code, lead time and (minimum quantity, unit price) breaks.

    Replaces what was recorded for the same supplier and product. Prices are per purchase unit
    in ``currency`` (the company's by default). The supplier gets the supplier role.
    """
    if actor is not None:
        require(actor, "inventory.manage", company)
    product = Product.objects.filter(pk=product_id, company=company).first()
    if product is None:
        raise NotFound("No such product.")
    supplier = Party.objects.filter(pk=supplier_id, company=company, merged_into__isnull=True).first()
    if supplier is None:
        raise NotFound("No such supplier.")
    errors: dict[str, list[str]] = {}
    breaks: dict[Decimal, Decimal] = {}
    for i, (minimum, price) in enumerate(price_breaks):
        if isinstance(minimum, float) or isinstance(price, float):
            errors[f"price_breaks[{i}]"] = ["Use exact decimals, not floats."]
            continue
        minimum, price = to_decimal(minimum), to_decimal(price)
        if minimum < 0 or price < 0:
            errors[f"price_breaks[{i}]"] = ["Quantities and prices cannot be negative."]
        elif minimum in breaks:
            errors[f"price_breaks[{i}]"] = [f"Two prices from {minimum}."]
        breaks[minimum] = price
    if lead_time_days < 0:
        errors["lead_time_days"] = ["The lead time cannot be negative."]
    if errors:
        raise ValidationFailed("Please correct the price breaks.", field_errors=errors)
    info = SupplierInfo.objects.select_for_update().filter(product=product, supplier=supplier).first() or SupplierInfo(
        company=company, product=product, supplier=supplier
    )
    info.supplier_code, info.supplier_name = supplier_code.strip()[:60], supplier_name.strip()[:200]
    info.currency = (currency or company.base_currency).upper()
    info.lead_time_days, info.sequence = lead_time_days, sequence
    full_clean_or_raise(info, exclude=["company", "product", "supplier"])
    action = "updated" if info.pk else "created"
    info.save()
    info.price_breaks.all().delete()
    SupplierPriceBreak.objects.bulk_create(
        [SupplierPriceBreak(supplier_info=info, min_quantity=m, price=p) for m, p in sorted(breaks.items())]
    )
    core_services.party_add_role(actor=None, company=company, party_id=supplier.pk, role="supplier")
    audit.record(
        actor=actor,
        target=info,
        action=action,
        changes={"price_breaks": [None, [[str(m), str(p)] for m, p in sorted(breaks.items())]]},
    )
    return info
