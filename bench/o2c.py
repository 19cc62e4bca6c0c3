"""Order to cash: the whole flow per order, against the floors of writing the same rows.

Per order, each stage in its own transaction as the screens would do it: register a new
customer; draft an order of 3 lines with 20 % VAT (prices from the catalogue); confirm it (credit
check, delivery created and confirmed, stock reserved); deliver everything (the warehouse
validates the delivery; sales hears ``inventory.delivered``); invoice (posted through finance);
register the full payment, which reconciles the invoice. Events are dispatched after each
commit in-process, as in the embedded mode, so every handler's work is in the figures.

The floors write the very rows one Spona order inserted (copied from that order, table by
table, stage by stage, parents first) in the same number of transactions: with bare ORM
``create()`` calls, then with plain SQL ``INSERT`` statements. They do no reads, no checks, no
updates: what is left of Spona's time above them is validation, locking and bookkeeping.
"""

from __future__ import annotations

import graphlib
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

Figures = dict[str, tuple[float, str]]
STAGES = ("customer", "order", "confirm", "deliver", "invoice", "payment")
APPS = ("core", "finance", "inventory", "sales")


def _setup() -> dict[str, Any]:
    """A company with a ledger (20 % VAT), a warehouse with plenty of 3 products, and its staff."""
    from spona.back.finance import services as finance
    from spona.back.finance.models import Journal, Tax
    from spona.back.inventory import services as inventory
    from spona.core import services as core
    from spona.front.sales import services as sales

    company = core.company_create(actor=None, name="Bench Sales d.o.o.", code="bench-o2c", country="RS")
    staff = {
        role: core.user_create(
            actor=None, company=company, email=f"{role}@bench.example", full_name=f"Bench {role}", roles=[role]
        )
        for role in ("sales", "operations", "finance")
    }
    finance.ledger_setup(actor=None, company=company)
    warehouse = inventory.warehouse_create(actor=None, company=company, code="WH", name="Bench warehouse")
    count = inventory.uom_category_create(actor=None, company=company, name="Count")
    unit = inventory.uom_create(actor=None, company=company, category_id=count.pk, name="Units", rounding=Decimal(1))
    products = [
        inventory.product_create(
            actor=None,
            company=company,
            data=inventory.ProductInput(
                name=name, sku=name.upper(), uom_id=unit.pk, sale_price=Decimal(price), cost_price=Decimal(cost)
            ),
        )
        for name, price, cost in (("Chair", "49.90", "30.00"), ("Desk", "289.00", "190.00"), ("Lamp", "19.99", "8.00"))
    ]
    receipt = inventory.transfer_create(
        actor=None,
        company=company,
        kind="receipt",
        warehouse_id=warehouse.pk,
        lines=[inventory.TransferLineIn(product_id=p.pk, quantity=Decimal(1_000_000)) for p in products],
    )
    inventory.transfer_validate(actor=None, company=company, transfer_id=receipt.pk)
    settings = sales.settings_for(company=company)
    settings.default_tax = Tax.objects.get(company=company, use="sales", amount=20)
    settings.save()
    return {
        "company": company,
        "staff": staff,
        "products": products,
        "bank": Journal.objects.get(company=company, code="BNK"),
    }


def _flow(world: dict[str, Any]) -> Callable[[int], dict[str, float]]:
    """One order through every stage, each in its own transaction; returns seconds per stage."""
    from django.utils import timezone

    from spona.back.finance.services import payment_register
    from spona.back.inventory.services import transfer_validate
    from spona.core import services as core
    from spona.front.sales import services as sales

    company, staff, products, bank = world["company"], world["staff"], world["products"], world["bank"]
    seller, clerk, accountant = staff["sales"], staff["operations"], staff["finance"]

    def one(i: int) -> dict[str, float]:
        times: dict[str, float] = {}
        t0 = time.perf_counter()
        customer = core.party_create(
            actor=seller,
            company=company,
            data=core.PartyInput(kind="organisation", name=f"Bench Buyer {i:06d} d.o.o.", emails=[f"buy@b{i:06d}.example"]),
        )
        t1 = time.perf_counter()
        order = sales.order_create(
            actor=seller,
            company=company,
            party_id=customer.pk,
            lines=[sales.LineIn(product_id=p.pk, quantity=Decimal(q)) for p, q in zip(products, (4, 1, 2), strict=True)],
        )
        t2 = time.perf_counter()
        sales.order_confirm(actor=seller, company=company, order_id=order.pk)
        t3 = time.perf_counter()
        delivery = order.documents.get(kind="delivery").transfer_id
        transfer_validate(actor=clerk, company=company, transfer_id=delivery)
        t4 = time.perf_counter()
        invoice = sales.order_invoice(actor=seller, company=company, order_id=order.pk).invoice
        t5 = time.perf_counter()
        payment_register(
            actor=accountant,
            company=company,
            direction="inbound",
            party_id=customer.pk,
            amount=invoice.total,
            journal_id=bank.pk,
            date=timezone.localdate(),
            invoice_ids=[invoice.pk],
        )
        t6 = time.perf_counter()
        for stage, (a, b) in zip(STAGES, ((t0, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5), (t5, t6)), strict=True):
            times[stage] = b - a
        return times

    return one


def _models() -> list[Any]:
    from django.apps import apps

    return [m for m in apps.get_models() if m._meta.app_label in APPS and not m._meta.proxy]


def _max_ids(models: list[Any]) -> dict[Any, int]:
    return {m: m._base_manager.order_by("-pk").values_list("pk", flat=True).first() or 0 for m in models}


def _traced_order(world: dict[str, Any], i: int) -> dict[str, dict[Any, list[Any]]]:
    """Run one order stage by stage and collect, per stage, the rows each table gained."""
    from django.utils import timezone

    from spona.back.finance.services import payment_register
    from spona.back.inventory.services import transfer_validate
    from spona.core import services as core
    from spona.front.sales import services as sales

    company, staff, products, bank = world["company"], world["staff"], world["products"], world["bank"]
    models = _models()
    state: dict[str, Any] = {}

    def customer() -> None:
        state["customer"] = core.party_create(
            actor=staff["sales"],
            company=company,
            data=core.PartyInput(kind="organisation", name=f"Bench Buyer {i:06d} d.o.o.", emails=[f"buy@b{i:06d}.example"]),
        )

    def order() -> None:
        state["order"] = sales.order_create(
            actor=staff["sales"],
            company=company,
            party_id=state["customer"].pk,
            lines=[sales.LineIn(product_id=p.pk, quantity=Decimal(q)) for p, q in zip(products, (4, 1, 2), strict=True)],
        )

    def confirm() -> None:
        sales.order_confirm(actor=staff["sales"], company=company, order_id=state["order"].pk)

    def deliver() -> None:
        delivery = state["order"].documents.get(kind="delivery").transfer_id
        transfer_validate(actor=staff["operations"], company=company, transfer_id=delivery)

    def invoice() -> None:
        state["invoice"] = sales.order_invoice(actor=staff["sales"], company=company, order_id=state["order"].pk).invoice

    def payment() -> None:
        payment_register(
            actor=staff["finance"],
            company=company,
            direction="inbound",
            party_id=state["customer"].pk,
            amount=state["invoice"].total,
            journal_id=bank.pk,
            date=timezone.localdate(),
            invoice_ids=[state["invoice"].pk],
        )

    rows: dict[str, dict[Any, list[Any]]] = {}
    for stage, step in zip(STAGES, (customer, order, confirm, deliver, invoice, payment), strict=True):
        before = _max_ids(models)
        step()
        gained = {m: list(m._base_manager.filter(pk__gt=before[m]).order_by("pk")) for m in models}
        rows[stage] = {m: r for m, r in gained.items() if r}
    return rows


def _parents_first(models: list[Any]) -> list[Any]:
    graph: graphlib.TopologicalSorter[Any] = graphlib.TopologicalSorter()
    for m in models:
        graph.add(
            m,
            *[
                f.related_model
                for f in m._meta.concrete_fields
                if f.is_relation and f.related_model in models and f.related_model is not m
            ],
        )
    return list(graph.static_order())


def _unique_columns(model: Any) -> set[str]:
    """Columns that must differ between copies: unique fields and the text fields of unique constraints."""
    from django.db import models as m

    names = {f.attname for f in model._meta.concrete_fields if f.unique and not f.primary_key}
    for constraint in model._meta.constraints:
        if isinstance(constraint, m.UniqueConstraint):
            for name in constraint.fields:
                field = model._meta.get_field(name)
                if isinstance(field, (m.CharField, m.UUIDField)) or (field.is_relation and field.unique):
                    names.add(field.attname)
            if (
                not any(isinstance(model._meta.get_field(n), (m.CharField, m.UUIDField)) for n in constraint.fields)
                and constraint.fields
            ):
                names.add(model._meta.get_field(constraint.fields[-1]).attname)
    return names


class Copier:
    """Writes copies of a traced order's rows: same tables, same values, parents first, fresh unique values."""

    def __init__(self, traced: dict[str, dict[Any, list[Any]]]) -> None:
        self.traced = traced
        self.order = {stage: _parents_first(list(rows)) for stage, rows in traced.items()}
        self.serial = 0

    def values(self, row: Any, mapping: dict[tuple[Any, int], int]) -> dict[str, Any]:
        from django.db import models as m

        model = type(row)
        unique = _unique_columns(model)
        out: dict[str, Any] = {}
        for field in model._meta.concrete_fields:
            if field.primary_key:
                continue
            value = getattr(row, field.attname)
            if field.is_relation:
                copied = mapping.get((field.related_model, value)) if value is not None else None
                if copied is not None:
                    value = copied
                elif field.attname in unique:
                    value = None  # a one-to-one link to a row this order did not write is left empty
            elif field.attname in unique:
                self.serial += 1
                if isinstance(field, m.UUIDField):
                    value = uuid.uuid4()
                elif isinstance(field, m.IntegerField):
                    value = 1_000_000_000 + self.serial
                else:
                    value = f"F{self.serial}-{uuid.uuid4().hex[:8]}"[: field.max_length]
            elif field.name == "state" and field.has_default():
                value = field.get_default()  # a copied entry is a draft: the posted-ledger triggers refuse new lines
            out[field.attname] = value
        return out

    def orm(self) -> None:
        from django.db import transaction

        mapping: dict[tuple[Any, int], int] = {}
        for stage in STAGES:
            with transaction.atomic():
                for model in self.order[stage]:
                    for row in self.traced[stage][model]:
                        copy = model(**self.values(row, mapping))
                        copy.save(force_insert=True)
                        mapping[(model, row.pk)] = copy.pk

    def raw(self) -> None:
        from django.db import connection, transaction

        mapping: dict[tuple[Any, int], int] = {}
        for stage in STAGES:
            with transaction.atomic(), connection.cursor() as cursor:
                for model in self.order[stage]:
                    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
                    sql = (
                        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} "
                        f"({', '.join(connection.ops.quote_name(f.column) for f in fields)}) "
                        f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {connection.ops.quote_name(model._meta.pk.column)}"
                    )
                    for row in self.traced[stage][model]:
                        values = self.values(row, mapping)
                        cursor.execute(sql, [f.get_db_prep_save(values[f.attname], connection) for f in fields])
                        mapping[(model, row.pk)] = cursor.fetchone()[0]


def order_to_cash(*, count: int, **_: Any) -> Figures:
    """Orders through the whole flow per second, milliseconds per stage, SQL per order, and the two floors."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    count = max(10, min(count, 300))
    world = _setup()
    one = _flow(world)
    for i in range(5):
        one(i)  # warm caches and connections; not timed
    traced = _traced_order(world, 5)
    with CaptureQueriesContext(connection) as captured:
        one(6)
    queries = len(captured.captured_queries)
    per_stage = dict.fromkeys(STAGES, 0.0)
    started = time.perf_counter()
    for i in range(count):
        for stage, seconds in one(100 + i).items():
            per_stage[stage] += seconds
    spona_rate = count / (time.perf_counter() - started)

    copier = Copier(traced)
    rows = sum(len(r) for stage in traced.values() for r in stage.values())
    started = time.perf_counter()
    for _i in range(count):
        copier.orm()
    orm_rate = count / (time.perf_counter() - started)
    started = time.perf_counter()
    for _i in range(count):
        copier.raw()
    raw_rate = count / (time.perf_counter() - started)

    figures: Figures = {
        "orders": (count, ""),
        "Spona order to cash": (spona_rate, "orders/s"),
        "SQL queries per order": (queries, ""),
        "rows inserted per order": (rows, ""),
    }
    for stage in STAGES:
        figures[f"stage: {stage}"] = (1000 * per_stage[stage] / count, "ms/order")
    figures.update(
        {
            "bare ORM floor": (orm_rate, "orders/s"),
            "raw SQL floor": (raw_rate, "orders/s"),
            "Spona / bare ORM": (100 * spona_rate / orm_rate, "%"),
            "bare ORM / raw SQL": (100 * orm_rate / raw_rate, "%"),
        }
    )
    return figures
