"""Property test over documents (QUALITY L1): random entries, reversals, invoices, credit notes and payments.

``test_chain.py`` generates bare entries; here Hypothesis draws whole sequences of business
operations (partial payments, one payment for several invoices, over-payments, write-offs,
reversals, credit notes) and checks after each sequence that every posted entry balances, the
trial balance is zero, the monthly balances equal the lines, the chains verify, and each
partner's receivable and payable equal what its documents and payments say.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from django.db import transaction
from django.db.models import F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spona.back.finance import selectors, services
from spona.back.finance.models import Invoice, JournalEntry, JournalLine, Tax
from spona.back.finance.services import InvoiceLineIn, LineIn
from spona.core.aggregates import ExactSum
from tests.factories import party

CENT = D("0.01")
money = st.integers(min_value=1, max_value=5_000_000).map(lambda cents: D(cents) * CENT)
CODES = ["1000", "1200", "1500", "2200", "2500", "3000", "4900", "6000", "6100", "6300"]

operations = st.one_of(
    st.tuples(st.just("entry"), money, st.sampled_from(CODES), st.sampled_from(CODES)),
    st.tuples(st.just("reverse"), st.integers(0, 20)),
    st.tuples(st.just("invoice"), st.sampled_from(["out_invoice", "in_invoice"]), st.integers(0, 2), money, st.booleans()),
    st.tuples(st.just("credit"), st.integers(0, 20)),
    # a share of the open amount of 1–3 invoices of one partner: partial, exact, over-paid, or written off
    st.tuples(
        st.just("pay"),
        st.sampled_from(["out_invoice", "in_invoice"]),
        st.integers(0, 2),
        st.integers(1, 3),
        st.sampled_from(["0.37", "1", "1.5", "write_off"]),
    ),
)


class Books:
    """The operations' model: what each partner's receivable and payable must be."""

    def __init__(self, ledger, accounts, journals):
        self.ledger, self.accounts, self.journals = ledger, accounts, journals
        self.parties = [party(ledger, f"Partner {i}", roles=["customer", "supplier"]) for i in range(3)]
        self.taxes = {use: Tax.objects.get(company=ledger, use=use).pk for use in ("sales", "purchase")}
        self.day = dt.date(2026, 1, 1)
        self.entries: list[int] = []
        self.expected: dict[tuple[str, int], D] = {}

    def next_day(self) -> dt.date:
        self.day += dt.timedelta(days=1)
        return self.day

    def owe(self, role: str, party_id: int, amount: D) -> None:
        """Move a partner's expected balance of ``role`` (debit − credit) by ``amount``."""
        self.expected[(role, party_id)] = self.expected.get((role, party_id), D(0)) + amount

    def run(self, op) -> None:
        getattr(self, op[0])(*op[1:])

    def entry(self, amount, debit, credit) -> None:
        entry = services.entry_create(
            actor=None,
            company=self.ledger,
            journal_id=self.journals["GEN"].pk,
            date=self.next_day(),
            post=True,
            lines=[
                LineIn(account_id=self.accounts[debit].pk, debit=amount),
                LineIn(account_id=self.accounts[credit].pk, credit=amount),
            ],
        )
        self.entries.append(entry.pk)

    def reverse(self, index) -> None:
        open_entries = list(JournalEntry.objects.filter(pk__in=self.entries, reversed_by__isnull=True).order_by("pk"))
        if open_entries:
            services.entry_reverse(
                actor=None, company=self.ledger, entry_id=open_entries[index % len(open_entries)].pk, date=self.next_day()
            )

    def invoice(self, kind, who, price, taxed) -> None:
        sale = kind == "out_invoice"
        draft = services.invoice_create(
            actor=None,
            company=self.ledger,
            kind=kind,
            party_id=self.parties[who].pk,
            invoice_date=self.next_day(),
            lines=[
                InvoiceLineIn(
                    description="Goods",
                    account_id=self.accounts["4000" if sale else "6300"].pk,
                    quantity=D(3),
                    unit_price=price,
                    tax_ids=[self.taxes["sales" if sale else "purchase"]] if taxed else [],
                )
            ],
        )
        posted = services.invoice_post(actor=None, company=self.ledger, invoice_id=draft.pk)
        self.owe("receivable" if sale else "payable", posted.party_id, posted.total if sale else -posted.total)

    def credit(self, index) -> None:
        creditable = list(
            Invoice.objects.filter(company=self.ledger, kind__in=["out_invoice", "in_invoice"], state="posted")
            .exclude(pk__in=Invoice.objects.filter(reversal_of__isnull=False).values("reversal_of_id"))
            .order_by("pk")
        )
        if not creditable:
            return
        original = creditable[index % len(creditable)]
        note = services.invoice_credit(actor=None, company=self.ledger, invoice_id=original.pk, reason="Returned")
        sale = original.kind == "out_invoice"
        self.owe("receivable" if sale else "payable", note.party_id, -note.total if sale else note.total)

    def pay(self, kind, who, count, share) -> None:
        partner = self.parties[who].pk
        invoices = [
            i
            for i in Invoice.objects.filter(company=self.ledger, kind=kind, party_id=partner, state="posted").order_by("pk")
            if selectors.invoice_residual(i) > 0
        ][:count]
        open_amount = sum((selectors.invoice_residual(i) for i in invoices), D(0))
        if not open_amount:
            return
        write_off = share == "write_off"
        amount = (open_amount - CENT) if write_off else (open_amount * D(share)).quantize(CENT)
        if amount <= 0:
            return
        sale = kind == "out_invoice"
        services.payment_register(
            actor=None,
            company=self.ledger,
            direction="inbound" if sale else "outbound",
            party_id=partner,
            amount=amount,
            journal_id=self.journals["BNK"].pk,
            date=self.next_day(),
            invoice_ids=[i.pk for i in invoices],
            write_off_account_id=self.accounts["6900"].pk if write_off else None,
        )
        # A write-off settles the invoices in full: the partner's account moves by the whole open amount.
        settled = open_amount if write_off else amount
        self.owe("receivable" if sale else "payable", partner, -settled if sale else settled)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(operations, min_size=4, max_size=10))
def test_random_documents_and_payments_keep_every_balance(ledger, accounts, journals, ops):
    # Each example starts from the same empty ledger: its work is rolled back at the end.
    with transaction.atomic():
        # given a ledger with three partners
        books = Books(ledger, accounts, journals)
        # when a random sequence of operations is carried out
        for op in ops:
            books.run(op)
        # then every posted entry balances
        unbalanced = (
            JournalLine.objects.filter(company=ledger, entry__state="posted")
            .values("entry_id")
            .annotate(d=ExactSum("debit"), c=ExactSum("credit"))
            .exclude(d=F("c"))
        )
        assert list(unbalanced) == []
        # and so does the whole ledger, its monthly balances equal the lines, and every chain verifies
        assert sum(r.balance for r in selectors.trial_balance(user=None, company=ledger)) == D(0)
        assert selectors.balance_check(company=ledger) == []
        assert selectors.ledger_verify(company=ledger) == []
        # and each partner's receivable and payable is what its documents and payments say
        for (role, party_id), expected in books.expected.items():
            account = selectors.account_for_role(company=ledger, role=role)
            assert selectors.account_balance(company=ledger, account_id=account.pk, party_id=party_id) == expected, (role, ops)
        # and no invoice is more than paid or owes more than its total
        for invoice in Invoice.objects.filter(company=ledger, state="posted"):
            assert D(0) <= selectors.invoice_residual(invoice) <= invoice.total
        transaction.set_rollback(True)
