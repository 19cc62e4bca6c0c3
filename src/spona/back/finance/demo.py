"""The demo company's books: a year of invoices, bills, payments and bank activity that balance.

Registered as a demo step (see ``spona.core.demo``); everything goes through the finance
services, so the entries, chains, balances and timelines are what real use would produce.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from spona.back.finance import services
from spona.back.finance.models import Account, Journal, PaymentTerm, PaymentTermLine, Tax, TaxGroup
from spona.back.finance.services import InvoiceLineIn, LineIn
from spona.core.demo import DemoContext, register_step
from spona.core.models import Party
from spona.core.services import exchange_rate_set

SERVICES = [
    ("Implementation day", "4100", Decimal("640.00")),
    ("Support subscription (month)", "4100", Decimal("180.00")),
    ("Training session", "4100", Decimal("450.00")),
    ("Consulting hour", "4100", Decimal("85.00")),
]
GOODS = [
    ("Barcode scanner", "4000", Decimal("129.90")),
    ("Label printer", "4000", Decimal("349.00")),
    ("Thermal labels (box)", "4000", Decimal("24.50")),
    ("Handheld terminal", "4000", Decimal("899.00")),
]
COSTS = [
    ("Office rent", "6100", Decimal("2400.00")),
    ("Electricity and water", "6200", Decimal("310.00")),
    ("Office supplies", "6300", Decimal("145.00")),
    ("Online advertising", "6500", Decimal("780.00")),
    ("Goods for resale", "5000", Decimal("3100.00")),
    ("Travel", "6400", Decimal("420.00")),
]
USD_RATES = [
    Decimal(x)
    for x in (
        "0.9210",
        "0.9185",
        "0.9262",
        "0.9301",
        "0.9248",
        "0.9176",
        "0.9133",
        "0.9204",
        "0.9259",
        "0.9317",
        "0.9290",
        "0.9242",
    )
]


def build_finance(ctx: DemoContext) -> None:
    """Set up the ledger and book January to last month of this year."""
    company, rng = ctx.company, ctx.rng
    accountant = ctx.users.get("finance")
    services.ledger_setup(actor=None, company=company)
    code = {a.code: a for a in Account.objects.filter(company=company)}
    journal = {j.code: j for j in Journal.objects.filter(company=company)}
    vat20_sales = Tax.objects.get(company=company, use="sales")
    vat20_purchase = Tax.objects.get(company=company, use="purchase")
    group10 = TaxGroup.objects.create(company=company, name="VAT 10 %")
    vat10_sales = Tax.objects.create(
        company=company, name="VAT 10 %", use="sales", amount=Decimal(10), group=group10, account=code["2100"]
    )
    terms = []
    for name, parts in (
        ("Immediate", [(100, 0)]),
        ("15 days", [(100, 15)]),
        ("30 days", [(100, 30)]),
        ("30 % now, 70 % in 30 days", [(30, 0), (70, 30)]),
    ):
        term = PaymentTerm.objects.create(company=company, name=name)
        PaymentTermLine.objects.bulk_create([PaymentTermLine(term=term, percent=Decimal(p), days=d) for p, d in parts])
        terms.append(term)

    today = timezone.localdate()
    year = today.year
    months = list(range(1, today.month))  # whole months up to last month
    for month in months:
        exchange_rate_set(
            actor=None, company=company, currency="USD", rate_date=dt.date(year, month, 1), rate=USD_RATES[month - 1]
        )

    organisations = ctx.records.get("organisations", [])
    customers = list(
        Party.objects.filter(pk__in=organisations, roles__role="customer").order_by("pk").values_list("pk", flat=True)
    )
    suppliers = list(
        Party.objects.filter(pk__in=organisations, roles__role="supplier").order_by("pk").values_list("pk", flat=True)
    )
    if not customers or not suppliers:
        return

    services.entry_create(
        actor=None,
        company=company,
        journal_id=journal["GEN"].pk,
        date=dt.date(year, 1, 1),
        memo="Opening: share capital paid in",
        lines=[
            LineIn(account_id=code["1000"].pk, debit=Decimal("60000.00")),
            LineIn(account_id=code["3000"].pk, credit=Decimal("60000.00")),
        ],
        post=True,
    )
    invoices = []
    # The full demo books ten sales a month; a small demo (tests) books proportionally fewer.
    per_month = max(1, round(10 * min(1.0, ctx.organisations / 300)))
    costs = COSTS if ctx.organisations >= 100 else COSTS[:2]
    for month in ctx.track(months, "Books"):
        start = dt.date(year, month, 1)
        for _ in range(per_month):
            day = start + dt.timedelta(days=rng.randrange(0, 27))
            party_id = rng.choice(customers)
            foreign = rng.random() < 0.15
            lines = []
            for _line in range(rng.randint(1, 3)):
                description, account, price = rng.choice(SERVICES + GOODS)
                tax = vat10_sales if account == "4000" and rng.random() < 0.2 else vat20_sales
                lines.append(
                    InvoiceLineIn(
                        description=description,
                        account_id=code[account].pk,
                        quantity=Decimal(rng.randint(1, 8)),
                        unit_price=price,
                        discount=Decimal(rng.choice([0, 0, 0, 5, 10])),
                        tax_ids=[tax.pk],
                    )
                )
            draft = services.invoice_create(
                actor=None,
                company=company,
                kind="out_invoice",
                party_id=party_id,
                invoice_date=day,
                lines=lines,
                currency="USD" if foreign else "",
                payment_term_id=rng.choice(terms).pk,
            )
            invoice = services.invoice_post(actor=accountant, company=company, invoice_id=draft.pk)
            invoices.append(invoice.pk)
            paid_on = day + dt.timedelta(days=rng.randint(5, 45))
            if paid_on < today and rng.random() < 0.85:
                share = Decimal(1) if rng.random() < 0.85 else Decimal("0.5")
                amount = (invoice.total * share).quantize(Decimal("0.01"))
                services.payment_register(
                    actor=None,
                    company=company,
                    direction="inbound",
                    party_id=party_id,
                    amount=amount,
                    currency=invoice.currency,
                    journal_id=journal["BNK"].pk,
                    date=paid_on,
                    invoice_ids=[invoice.pk],
                    reference=invoice.number,
                )
        for description, account, price in costs:
            if account == "5000" and rng.random() < 0.3:
                continue
            day = start + dt.timedelta(days=rng.randrange(0, 10))
            supplier = rng.choice(suppliers)
            bill = services.invoice_post(
                actor=accountant,
                company=company,
                invoice_id=services.invoice_create(
                    actor=None,
                    company=company,
                    kind="in_invoice",
                    party_id=supplier,
                    invoice_date=day,
                    reference=f"{description[:3].upper()}-{month:02d}{rng.randint(100, 999)}",
                    lines=[
                        InvoiceLineIn(
                            description=description,
                            account_id=code[account].pk,
                            unit_price=price * Decimal(rng.choice(["0.9", "1", "1.1"])),
                            tax_ids=[vat20_purchase.pk],
                        )
                    ],
                ).pk,
            )
            if day + dt.timedelta(days=20) < today:
                services.payment_register(
                    actor=None,
                    company=company,
                    direction="outbound",
                    party_id=supplier,
                    amount=bill.total,
                    journal_id=journal["BNK"].pk,
                    date=day + dt.timedelta(days=20),
                    invoice_ids=[bill.pk],
                    reference=bill.reference,
                )
        payday = dt.date(year, month, 25)
        services.entry_create(
            actor=None,
            company=company,
            journal_id=journal["GEN"].pk,
            date=payday,
            memo=f"Salaries {payday:%B %Y}",
            lines=[
                LineIn(account_id=code["6000"].pk, debit=Decimal("14200.00")),
                LineIn(account_id=code["1000"].pk, credit=Decimal("14200.00")),
            ],
            post=True,
        )
        services.entry_create(
            actor=None,
            company=company,
            journal_id=journal["BNK"].pk,
            date=payday + dt.timedelta(days=3),
            memo="Bank fees",
            lines=[
                LineIn(account_id=code["6600"].pk, debit=Decimal("18.40")),
                LineIn(account_id=code["1000"].pk, credit=Decimal("18.40")),
            ],
            post=True,
        )
    if len(invoices) > 3:
        services.invoice_credit(actor=None, company=company, invoice_id=invoices[3], reason="Goods returned damaged")
    ctx.records["invoices"] = invoices


register_step("finance.books", build_finance, order=200)
