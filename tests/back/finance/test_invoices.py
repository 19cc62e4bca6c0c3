"""Invoices and payments, as an accountant would check them (QUALITY L7, L8, C4)."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal as D

import pytest
from django.db import close_old_connections

from spona.back.finance import selectors, services
from spona.back.finance.models import Invoice, JournalEntry, PaymentTerm, PaymentTermLine, Tax, TaxGroup
from spona.back.finance.services import InvoiceLineIn
from spona.core.errors import PermissionDenied, StateError, ValidationFailed
from spona.core.models import Event
from spona.core.services import exchange_rate_set
from tests.factories import member, party

DAY = dt.date(2026, 4, 1)


@pytest.fixture
def taxes(ledger, accounts):
    vat20 = Tax.objects.get(company=ledger, use="sales", amount=D(20))
    group = TaxGroup.objects.create(company=ledger, name="VAT 10 %")
    vat10 = Tax.objects.create(company=ledger, name="VAT 10 %", use="sales", amount=D(10), group=group, account=accounts["2100"])
    return {"20": vat20, "10": vat10}


@pytest.fixture
def customer(ledger):
    return party(ledger, "Kupac d.o.o.", roles=["customer"])


def two_rate_lines(accounts, taxes):
    return [
        InvoiceLineIn(
            description="Consulting",
            account_id=accounts["4100"].pk,
            quantity=D(10),
            unit_price=D("85.00"),
            tax_ids=[taxes["20"].pk],
        ),
        InvoiceLineIn(
            description="Books",
            account_id=accounts["4000"].pk,
            quantity=D(3),
            unit_price=D("19.99"),
            discount=D(10),
            tax_ids=[taxes["10"].pk],
        ),
    ]


def open_invoice(ledger, customer, accounts, taxes, **kwargs):
    invoice = services.invoice_create(
        actor=None,
        company=ledger,
        kind="out_invoice",
        party_id=customer.pk,
        invoice_date=DAY,
        lines=two_rate_lines(accounts, taxes),
        **kwargs,
    )
    return services.invoice_post(actor=None, company=ledger, invoice_id=invoice.pk)


def test_invoice_with_two_tax_rates_posts_exact_figures(ledger, accountant, customer, accounts, taxes):
    # given a draft with 10 × 85.00 at 20 % and 3 × 19.99 less 10 % at 10 %
    draft = services.invoice_create(
        actor=accountant,
        company=ledger,
        kind="out_invoice",
        party_id=customer.pk,
        invoice_date=DAY,
        lines=two_rate_lines(accounts, taxes),
    )
    # then the totals are exact: 850.00 + 53.97 untaxed, 170.00 + 5.40 tax
    assert (draft.untaxed, draft.tax, draft.total) == (D("903.97"), D("175.40"), D("1079.37"))
    # when it is posted
    invoice = services.invoice_post(actor=accountant, company=ledger, invoice_id=draft.pk)
    # then the entry debits the receivable with the total and credits income and each tax
    lines = {(x.account.code, x.tax_id): (x.debit, x.credit) for x in invoice.entry.lines.select_related("account")}
    assert lines[("1100", None)] == (D("1079.37"), D(0))
    assert lines[("4100", None)] == (D(0), D("850.00"))
    assert lines[("4000", None)] == (D(0), D("53.97"))
    assert lines[("2100", taxes["20"].pk)] == (D(0), D("170.00"))
    assert lines[("2100", taxes["10"].pk)] == (D(0), D("5.40"))
    assert invoice.number == "SAL/2026/00001"
    assert selectors.invoice_payment_state(invoice) == "not_paid"
    assert Event.objects.filter(name="finance.invoice_posted", party=customer).count() == 1


def test_partial_then_full_payment(ledger, customer, accounts, taxes, journals):
    invoice = open_invoice(ledger, customer, accounts, taxes)
    services.payment_register(
        actor=None,
        company=ledger,
        direction="inbound",
        party_id=customer.pk,
        amount=D("500.00"),
        journal_id=journals["BNK"].pk,
        date=DAY + dt.timedelta(days=5),
        invoice_ids=[invoice.pk],
    )
    assert selectors.invoice_residual(invoice) == D("579.37")
    assert selectors.invoice_payment_state(invoice) == "partial"
    services.payment_register(
        actor=None,
        company=ledger,
        direction="inbound",
        party_id=customer.pk,
        amount=D("579.37"),
        journal_id=journals["BNK"].pk,
        date=DAY + dt.timedelta(days=9),
        invoice_ids=[invoice.pk],
    )
    assert selectors.invoice_payment_state(invoice) == "paid"
    assert Event.objects.filter(name="finance.invoice_paid", payload__number=invoice.number).count() == 1
    assert selectors.account_balance(company=ledger, account_id=accounts["1100"].pk, party_id=customer.pk) == D(0)


def test_one_payment_settles_several_invoices_oldest_first_and_keeps_the_rest_as_credit(
    ledger, customer, accounts, taxes, journals
):
    first = open_invoice(ledger, customer, accounts, taxes)
    second = open_invoice(ledger, customer, accounts, taxes)
    services.payment_register(
        actor=None,
        company=ledger,
        direction="inbound",
        party_id=customer.pk,
        amount=D("2200.00"),
        journal_id=journals["BNK"].pk,
        date=DAY,
        invoice_ids=[second.pk, first.pk],
    )
    assert selectors.invoice_payment_state(first) == selectors.invoice_payment_state(second) == "paid"
    # 2200.00 − 2 × 1079.37 = 41.26 stays as the customer's credit
    assert selectors.account_balance(company=ledger, account_id=accounts["1100"].pk, party_id=customer.pk) == D("-41.26")


def test_small_difference_is_written_off(ledger, customer, accounts, taxes, journals):
    invoice = open_invoice(ledger, customer, accounts, taxes)
    services.payment_register(
        actor=None,
        company=ledger,
        direction="inbound",
        party_id=customer.pk,
        amount=D("1079.00"),
        journal_id=journals["BNK"].pk,
        date=DAY,
        invoice_ids=[invoice.pk],
        write_off_account_id=accounts["6900"].pk,
    )
    assert selectors.invoice_payment_state(invoice) == "paid"
    assert selectors.account_balance(company=ledger, account_id=accounts["6900"].pk) == D("0.37")


def test_foreign_invoice_paid_at_a_lower_rate_posts_the_exchange_loss(ledger, customer, accounts, taxes, journals):
    # given an invoice of USD 1,000.00 + 20 % when 1 USD = 0.9000 EUR
    exchange_rate_set(actor=None, company=ledger, currency="USD", rate_date=DAY, rate=D("0.9"))
    exchange_rate_set(actor=None, company=ledger, currency="USD", rate_date=DAY + dt.timedelta(days=30), rate=D("0.85"))
    draft = services.invoice_create(
        actor=None,
        company=ledger,
        kind="out_invoice",
        party_id=customer.pk,
        invoice_date=DAY,
        currency="USD",
        lines=[
            InvoiceLineIn(
                description="Licence", account_id=accounts["4100"].pk, unit_price=D("1000.00"), tax_ids=[taxes["20"].pk]
            )
        ],
    )
    invoice = services.invoice_post(actor=None, company=ledger, invoice_id=draft.pk)
    assert invoice.entry.lines.get(account__code="1100").debit == D("1080.00")
    # when the customer pays USD 1,200.00 when 1 USD = 0.8500 EUR
    services.payment_register(
        actor=None,
        company=ledger,
        direction="inbound",
        party_id=customer.pk,
        amount=D("1200.00"),
        currency="USD",
        journal_id=journals["BNK"].pk,
        date=DAY + dt.timedelta(days=30),
        invoice_ids=[invoice.pk],
    )
    # then the invoice is paid, the receivable is zero and EUR 60.00 is a realised exchange loss
    assert selectors.invoice_payment_state(invoice) == "paid"
    assert selectors.account_balance(company=ledger, account_id=accounts["1100"].pk, party_id=customer.pk) == D(0)
    assert selectors.account_balance(company=ledger, account_id=accounts["6800"].pk) == D("60.00")
    assert sum(r.balance for r in selectors.trial_balance(user=None, company=ledger)) == D(0)


def test_credit_note_cancels_the_invoice_without_touching_it(ledger, customer, accounts, taxes):
    invoice = open_invoice(ledger, customer, accounts, taxes)
    credit = services.invoice_credit(actor=None, company=ledger, invoice_id=invoice.pk, reason="Wrong customer")
    assert credit.kind == "out_refund" and credit.reversal_of_id == invoice.pk and credit.total == invoice.total
    assert selectors.invoice_payment_state(invoice) == "paid"
    assert selectors.account_balance(company=ledger, account_id=accounts["1100"].pk, party_id=customer.pk) == D(0)
    assert Invoice.objects.get(pk=invoice.pk).version == invoice.version


def test_payment_term_splits_the_receivable_into_instalments(ledger, customer, accounts, taxes):
    term = PaymentTerm.objects.create(company=ledger, name="30 % now, 70 % in 30 days")
    PaymentTermLine.objects.bulk_create(
        [PaymentTermLine(term=term, percent=D(30), days=0), PaymentTermLine(term=term, percent=D(70), days=30)]
    )
    invoice = open_invoice(ledger, customer, accounts, taxes, payment_term_id=term.pk)
    receivables = list(invoice.entry.lines.filter(account__code="1100").order_by("due_date").values_list("due_date", "debit"))
    assert receivables == [(DAY, D("323.81")), (DAY + dt.timedelta(days=30), D("755.56"))]
    assert invoice.due_date == DAY + dt.timedelta(days=30)


def test_invalid_invoice_lists_every_problem(ledger, customer, accounts):
    with pytest.raises(ValidationFailed) as caught:
        services.invoice_create(
            actor=None,
            company=ledger,
            kind="out_invoice",
            party_id=customer.pk,
            invoice_date=DAY,
            lines=[
                InvoiceLineIn(description="", account_id=0, quantity=D(0), unit_price=D(-1), discount=D(120), tax_ids=[999999])
            ],
        )
    assert len(caught.value.field_errors["lines[0]"]) == 6


def test_posted_invoice_cannot_be_posted_again_or_edited(ledger, accountant, customer, accounts, taxes):
    invoice = open_invoice(ledger, customer, accounts, taxes)
    with pytest.raises(StateError):
        services.invoice_post(actor=accountant, company=ledger, invoice_id=invoice.pk)
    with pytest.raises(StateError):
        services.invoice_update(
            actor=accountant,
            company=ledger,
            invoice_id=invoice.pk,
            version=invoice.version,
            party_id=customer.pk,
            invoice_date=DAY,
            lines=two_rate_lines(accounts, taxes),
        )


def test_sales_cannot_post_invoices(ledger, customer, accounts, taxes):
    seller = member(ledger, "sales")
    with pytest.raises(PermissionDenied):
        services.invoice_create(
            actor=seller,
            company=ledger,
            kind="out_invoice",
            party_id=customer.pk,
            invoice_date=DAY,
            lines=two_rate_lines(accounts, taxes),
        )


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_posts_post_once(on_postgres, company):
    # given a draft invoice
    services.ledger_setup(actor=None, company=company)
    from spona.back.finance.models import Account

    customer = party(company, "Concurrent Customer")
    draft = services.invoice_create(
        actor=None,
        company=company,
        kind="out_invoice",
        party_id=customer.pk,
        invoice_date=DAY,
        lines=[
            InvoiceLineIn(
                description="Item", account_id=Account.objects.get(company=company, code="4000").pk, unit_price=D("10.00")
            )
        ],
    )
    outcomes: list[str] = []
    barrier = threading.Barrier(20)

    def click() -> None:
        barrier.wait()
        try:
            services.invoice_post(actor=None, company=company, invoice_id=draft.pk)
            outcomes.append("posted")
        except StateError:
            outcomes.append("refused")
        except Exception as exc:  # anything else is a failure the assertion below must show
            outcomes.append(repr(exc))
        finally:
            close_old_connections()

    # when 20 clerks post it at the same moment
    threads = [threading.Thread(target=click) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then it is posted once, with one entry (QUALITY C4)
    print(f"C4 invoice post: 20 concurrent, {outcomes.count('posted')} posted, {outcomes.count('refused')} refused")
    assert outcomes.count("posted") == 1 and outcomes.count("refused") == 19
    assert JournalEntry.objects.filter(source=f"finance.invoice:{draft.pk}").count() == 1


def test_overdue_invoices_are_announced_once(ledger, customer, accounts, taxes, journals):
    # given an unpaid invoice due on 1 April and a paid one
    unpaid = open_invoice(ledger, customer, accounts, taxes)
    paid = open_invoice(ledger, customer, accounts, taxes)
    services.payment_register(
        actor=None,
        company=ledger,
        direction="inbound",
        party_id=customer.pk,
        amount=paid.total,
        journal_id=journals["BNK"].pk,
        date=DAY,
        invoice_ids=[paid.pk],
    )
    # when the daily job runs twice after the due date
    assert services.invoices_publish_overdue(on=DAY + dt.timedelta(days=1)) == 1
    assert services.invoices_publish_overdue(on=DAY + dt.timedelta(days=2)) == 0
    # then only the unpaid one was announced, once, for the customer's timeline
    announced = Event.objects.filter(name="finance.invoice_overdue")
    assert [e.payload["number"] for e in announced] == [unpaid.number]
    assert announced.get().party_id == customer.pk


def test_dates_and_totals_the_ledger_cannot_hold_are_refused_with_a_message(ledger, customer, accounts):
    line = InvoiceLineIn(description="Too much", account_id=accounts["4000"].pk, quantity=D(10) ** 6, unit_price=D(10) ** 7)
    with pytest.raises(ValidationFailed, match="below"):
        services.invoice_create(
            actor=None, company=ledger, kind="out_invoice", party_id=customer.pk, invoice_date=DAY, lines=[line]
        )
    line = InvoiceLineIn(description="Far future", account_id=accounts["4000"].pk, unit_price=D(1))
    with pytest.raises(ValidationFailed, match="Dates run"):
        services.invoice_create(
            actor=None, company=ledger, kind="out_invoice", party_id=customer.pk, invoice_date=dt.date(9999, 1, 1), lines=[line]
        )
