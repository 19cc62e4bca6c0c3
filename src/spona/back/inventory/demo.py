"""The inventory part of the demo company: a catalogue with stock, supplier prices and open transfers.

Everything goes through the inventory services, as a clerk would do it: units and categories,
about 150 products (some with variants, some tracked by lot), a warehouse with shelves,
supplier prices from the demo suppliers, receipts that bring the stock in, deliveries to demo
customers, and a few transfers left open to work on. The step's random generator is seeded
by its name, so two builds give the same catalogue, barcodes and quantities.
"""

from __future__ import annotations

from decimal import Decimal

from spona.back.inventory import services
from spona.back.inventory.models import Product, StockMove, StockQuant, Uom, Warehouse
from spona.back.inventory.services import CountIn, ProductInput, TemplateInput, TransferLineIn
from spona.core import demo
from spona.core.demo import DemoContext
from spona.core.models import Party

# (category, parent category, kind, [(name, unit, cost)]); names get sizes and grades below.
# fmt: off
CATALOGUE = (
    ("Fasteners", "Hardware", "goods", [("Hex bolt", "Units", "0.08"), ("Hex nut", "Units", "0.03"),
                                          ("Washer", "Units", "0.01"), ("Wood screw", "Units", "0.02")]),
    ("Tools", "Hardware", "goods", [("Claw hammer", "Units", "6.40"), ("Screwdriver set", "Units", "9.90"),
                                     ("Adjustable wrench", "Units", "7.20"), ("Tape measure 5 m", "Units", "3.10"),
                                     ("Utility knife", "Units", "2.40"), ("Spirit level 60 cm", "Units", "8.30")]),
    ("Electrical", None, "goods", [("Cable NYM 3x1.5", "m", "0.62"), ("Cable NYM 3x2.5", "m", "0.94"),
                                    ("Socket outlet", "Units", "1.80"), ("Light switch", "Units", "1.55"),
                                    ("LED bulb E27 9 W", "Units", "1.20"), ("Junction box", "Units", "0.70"),
                                    ("Circuit breaker 16 A", "Units", "3.40"), ("Cable tie pack", "Units", "0.90")]),
    ("Chemicals", None, "goods", [("Epoxy resin 1 kg", "Units", "14.50"), ("Machine oil", "kg", "4.20"),
                                   ("Silicone sealant", "Units", "3.60"), ("Wood glue", "kg", "5.10")]),
    ("Packaging", None, "consumable", [("Carton box S", "Units", "0.35"), ("Carton box M", "Units", "0.52"),
                                        ("Carton box L", "Units", "0.78"), ("Stretch film", "m", "0.04"),
                                        ("Packing tape", "Units", "0.95"), ("Pallet EUR", "Units", "9.00")]),
    ("Office", None, "consumable", [("Copy paper A4", "Units", "3.90"), ("Ballpoint pen", "Units", "0.25"),
                                     ("Stapler", "Units", "4.10"), ("Label roll", "Units", "2.30")]),
    ("Services", None, "service", [("Installation hour", "Units", "0"), ("Delivery service", "Units", "0"),
                                    ("Repair hour", "Units", "0")]),
)
# fmt: on
SIZES = ("M4", "M5", "M6", "M8", "M10", "M12")
LENGTHS = ("16", "20", "30", "40")
LOT_TRACKED = ("Epoxy resin 1 kg", "Silicone sealant", "Wood glue")
WAREHOUSE = ("WH", "Main warehouse Beograd")
SHELVES = ("Shelf A", "Shelf B", "Shelf C")
# Lot-tracked chemicals and cable leave stock oldest first; the rest at the running average.
FIFO_CATEGORIES = ("Chemicals", "Electrical")


def ean13(body: str) -> str:
    """Append the EAN-13 check digit to twelve digits."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _units(ctx: DemoContext) -> dict[str, Uom]:
    actor, company = ctx.users.get("operations"), ctx.company
    count = services.uom_category_create(actor=actor, company=company, name="Count")
    weight = services.uom_category_create(actor=actor, company=company, name="Weight")
    length = services.uom_category_create(actor=actor, company=company, name="Length")
    make = services.uom_create
    return {
        "Units": make(actor=actor, company=company, category_id=count.pk, name="Units", rounding=Decimal(1)),
        "Box of 100": make(
            actor=actor, company=company, category_id=count.pk, name="Box of 100", factor=Decimal(100), rounding=Decimal(1)
        ),
        "kg": make(actor=actor, company=company, category_id=weight.pk, name="kg", rounding=Decimal("0.001")),
        "g": make(actor=actor, company=company, category_id=weight.pk, name="g", factor=Decimal("0.001"), rounding=Decimal(1)),
        "m": make(actor=actor, company=company, category_id=length.pk, name="m", rounding=Decimal("0.01")),
    }


def _product_specs() -> list[tuple[str, str, str, str, str]]:
    """(category, kind, name, unit, cost) of every simple product, fasteners in every size."""
    specs = []
    for category, _parent, kind, items in CATALOGUE:
        for name, unit, cost in items:
            if category == "Fasteners":
                for size in SIZES:
                    for length in LENGTHS:
                        price = Decimal(cost) * (1 + SIZES.index(size) * Decimal("0.35") + LENGTHS.index(length) * Decimal("0.1"))
                        specs.append((category, kind, f"{name} {size}x{length}", unit, str(price.quantize(Decimal("0.0001")))))
            else:
                specs.append((category, kind, name, unit, cost))
    return specs


def build_catalogue(ctx: DemoContext) -> None:
    """Units, categories, about 150 products with barcodes, variants, and a warehouse with shelves."""
    actor, company = ctx.users.get("operations"), ctx.company
    units = _units(ctx)
    parents = {name: services.category_create(actor=actor, company=company, name=name) for name in ("Hardware", "Apparel")}
    categories = {
        category: services.category_create(
            actor=actor,
            company=company,
            name=category,
            parent_id=parents[parent].pk if parent else None,
            costing_method="fifo" if category in FIFO_CATEGORIES else "average",
        )
        for category, parent, _kind, _items in CATALOGUE
    }
    categories["Apparel"] = parents["Apparel"]
    ids = []
    for number, (category, kind, name, unit, cost) in enumerate(ctx.track(_product_specs(), "Products"), start=1):
        margin = Decimal(ctx.rng.choice(["1.35", "1.5", "1.8", "2.2"]))
        sku = f"{category[:3].upper()}-{number:04d}"
        product = services.product_create(
            actor=actor,
            company=company,
            data=ProductInput(
                name=name,
                sku=sku,
                uom_id=units[unit].pk,
                purchase_uom_id=units["Box of 100"].pk if category == "Fasteners" else None,
                kind=kind,
                barcode=ean13(f"860{number:09d}") if kind != "service" else "",
                category_id=categories[category].pk,
                cost_price=Decimal(cost),
                sale_price=(Decimal(cost) * margin).quantize(Decimal("0.01")) if kind != "service" else Decimal("35.00"),
                tracking=Product.Tracking.LOT if name in LOT_TRACKED else Product.Tracking.NONE,
            ),
        )
        ids.append(product.pk)
    size = services.attribute_create(actor=actor, company=company, name="Size", values=["S", "M", "L", "XL"])
    colour = services.attribute_create(actor=actor, company=company, name="Colour", values=["Navy", "Grey"])
    size_values = list(size.values.order_by("sequence").values_list("pk", flat=True))
    colour_values = list(colour.values.order_by("sequence").values_list("pk", flat=True))
    for name, prefix, values, cost in (
        ("Work T-shirt", "TS", size_values + colour_values, "4.80"),
        ("Work gloves", "GL", size_values, "1.90"),
        ("Safety jacket", "SJ", size_values + colour_values, "18.50"),
    ):
        template = services.template_create(
            actor=actor,
            company=company,
            data=TemplateInput(
                name=name,
                sku_prefix=prefix,
                value_ids=values,
                defaults=ProductInput(
                    name="",
                    sku="",
                    uom_id=units["Units"].pk,
                    category_id=categories["Apparel"].pk,
                    cost_price=Decimal(cost),
                    sale_price=(Decimal(cost) * 2).quantize(Decimal("0.01")),
                ),
            ),
        )
        ids += list(template.variants.order_by("pk").values_list("pk", flat=True))
    warehouse = services.warehouse_create(actor=actor, company=company, code=WAREHOUSE[0], name=WAREHOUSE[1])
    for shelf in SHELVES:
        services.location_create(actor=actor, company=company, parent_id=warehouse.stock_location_id, name=shelf)
    ctx.records["inventory.products"] = ids
    ctx.records["inventory.warehouse"] = [warehouse.pk]


def _parties_with_role(ctx: DemoContext, role: str) -> list[int]:
    return list(
        Party.objects.filter(pk__in=ctx.records.get("organisations", []), roles__role=role)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def build_stock(ctx: DemoContext) -> None:
    """Supplier prices, receipts that bring stock in, deliveries to customers, and a few open transfers."""
    actor, company = ctx.users.get("operations"), ctx.company
    product_ids = ctx.records.get("inventory.products", [])
    if not product_ids or not ctx.records.get("inventory.warehouse"):
        return
    warehouse_id = ctx.records["inventory.warehouse"][0]
    products = list(Product.objects.filter(pk__in=product_ids).select_related("uom").order_by("pk"))
    stocked = [p for p in products if p.is_stocked()]
    suppliers, customers = _parties_with_role(ctx, "supplier"), _parties_with_role(ctx, "customer")
    for product in ctx.track(stocked, "Supplier prices") if suppliers else []:
        for supplier_id in ctx.rng.sample(suppliers, k=min(len(suppliers), ctx.rng.choice([1, 1, 2]))):
            base = product.cost_price * Decimal(ctx.rng.choice(["0.9", "1", "1.05"]))
            services.supplier_info_set(
                actor=actor,
                company=company,
                product_id=product.pk,
                supplier_id=supplier_id,
                supplier_code=f"S{supplier_id}-{product.sku}",
                lead_time_days=ctx.rng.choice([2, 3, 5, 7, 14]),
                price_breaks=[
                    (Decimal(1), base.quantize(Decimal("0.0001"))),
                    (Decimal(100), (base * Decimal("0.92")).quantize(Decimal("0.0001"))),
                ],
            )

    def lines(items: list[Product], low: int, high: int, *, receipt: bool) -> list[TransferLineIn]:
        result = []
        for product in items:
            step = Decimal(1) if product.uom.rounding >= 1 else Decimal(5)
            quantity = Decimal(ctx.rng.randint(low, high)) * step
            lot = f"L{ctx.rng.randint(2401, 2612)}" if receipt and product.is_tracked() else ""
            # Suppliers' prices drift around the cost price, so average and FIFO costs differ.
            cost = (product.cost_price * Decimal(ctx.rng.choice(["0.95", "1", "1.04"]))).quantize(Decimal("0.0001"))
            result.append(TransferLineIn(product_id=product.pk, quantity=quantity, lot=lot, unit_cost=cost if receipt else None))
        return result

    # Receipts bring everything in, fifteen products each.
    batches = [stocked[i : i + 15] for i in range(0, len(stocked), 15)]
    for batch in ctx.track(batches, "Receipts"):
        receipt = services.transfer_create(
            actor=actor,
            company=company,
            kind="receipt",
            warehouse_id=warehouse_id,
            party_id=ctx.rng.choice(suppliers) if suppliers else None,
            reference=f"PO-{ctx.rng.randint(1000, 9999)}",
            lines=lines(batch, 20, 200, receipt=True),
        )
        services.transfer_validate(actor=actor, company=company, transfer_id=receipt.pk)
    # Each delivery takes products no other delivery takes, so the stock received always suffices.
    plain = [p for p in stocked if not p.is_tracked()]
    untracked = ctx.rng.sample(plain, k=len(plain))
    # Deliveries to customers; every third leaves a backorder.
    for number in ctx.track(range(12), "Deliveries"):
        delivery = services.transfer_create(
            actor=actor,
            company=company,
            kind="delivery",
            warehouse_id=warehouse_id,
            party_id=ctx.rng.choice(customers) if customers else None,
            reference=f"SO-{ctx.rng.randint(1000, 9999)}",
            lines=lines([untracked.pop() for _ in range(3)], 1, 10, receipt=False),
        )
        services.transfer_confirm(actor=actor, company=company, transfer_id=delivery.pk)
        quantities = None
        if number % 3 == 0:
            first = delivery.lines.order_by("pk").first()
            quantities = {line.pk: line.quantity for line in delivery.lines.all()}
            quantities[first.pk] = Decimal(0)
        services.transfer_validate(actor=actor, company=company, transfer_id=delivery.pk, quantities=quantities)
    # Work left to do: two receipts awaiting their goods and two deliveries waiting to ship.
    for _ in range(2):
        services.transfer_create(
            actor=actor,
            company=company,
            kind="receipt",
            warehouse_id=warehouse_id,
            party_id=ctx.rng.choice(suppliers) if suppliers else None,
            reference=f"PO-{ctx.rng.randint(1000, 9999)}",
            lines=lines(ctx.rng.sample(untracked, k=4), 10, 50, receipt=True),
        )
    for _ in range(2):
        delivery = services.transfer_create(
            actor=actor,
            company=company,
            kind="delivery",
            warehouse_id=warehouse_id,
            party_id=ctx.rng.choice(customers) if customers else None,
            reference=f"SO-{ctx.rng.randint(1000, 9999)}",
            lines=lines([untracked.pop() for _ in range(2)], 1, 5, receipt=False),
        )
        services.transfer_confirm(actor=actor, company=company, transfer_id=delivery.pk)


def build_valuation(ctx: DemoContext) -> None:
    """The other ways stock changes value: a customer return, a cycle count with differences, scrap.

    Every receipt and delivery above was valued and posted in the stock journal as it was done;
    these add the returns and stock-loss entries, so the valuation report has all kinds of
    layers and still reconciles with the ledger's stock account to the cent.
    """
    actor, company = ctx.users.get("operations"), ctx.company
    if not ctx.records.get("inventory.warehouse"):
        return
    warehouse = Warehouse.objects.select_related("stock_location").get(pk=ctx.records["inventory.warehouse"][0])
    delivered = list(
        StockMove.objects.filter(
            company=company, state="done", transfer__kind="delivery", to_location__kind="customer", lot__isnull=True
        )
        .select_related("transfer")
        .order_by("pk")[:20]
    )
    if not delivered:
        return
    sold = ctx.rng.choice(delivered)
    customers = services.locations_setup(company=company)["customer"]
    back = services.transfer_create(
        actor=actor,
        company=company,
        kind="receipt",
        warehouse_id=warehouse.pk,
        from_location_id=customers.pk,
        party_id=sold.transfer.party_id,
        reference=f"RMA-{sold.transfer.number}",
        lines=[TransferLineIn(product_id=sold.product_id, quantity=Decimal(1))],
    )
    services.transfer_validate(actor=actor, company=company, transfer_id=back.pk)
    stock = warehouse.stock_location
    counted = ctx.rng.sample(list(StockQuant.objects.filter(location=stock, lot__isnull=True, quantity__gt=5)), k=3)
    services.inventory_count_apply(
        actor=actor,
        company=company,
        location_id=stock.pk,
        counts=[CountIn(q.product_id, q.quantity + delta) for q, delta in zip(counted, (2, -1, -3), strict=True)],
        reason="Cycle count",
    )
    services.scrap(
        actor=actor,
        company=company,
        product_id=counted[0].product_id,
        location_id=stock.pk,
        quantity=Decimal(1),
        reason="Dropped",
    )


demo.register_step("inventory.catalogue", build_catalogue, order=300)
demo.register_step("inventory.stock", build_stock, order=310)
demo.register_step("inventory.valuation", build_valuation, order=320)
