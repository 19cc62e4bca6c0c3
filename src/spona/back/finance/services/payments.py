"""Payments and reconciliation: partial, grouped, over-payment, write-off, realised FX (QUALITY L8)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from spona.back.finance.models import Account, Invoice, Journal, JournalEntry, JournalLine, Payment, Reconciliation
from spona.back.finance.selectors import line_open_amounts
from spona.back.finance.services.entries import LineIn, entry_create
from spona.core import audit, events
from spona.core.db import service_atomic
from spona.core.errors import NotFound, ValidationFailed
from spona.core.models import Company, Party, User
from spona.core.money import precision, round_amount, to_decimal
from spona.core.permissions import require
from spona.core.selectors import exchange_rate_on

ZERO = Decimal(0)
INBOUND_KINDS = ("out_invoice", "in_refund")


def _open_counterpart_lines(entry: JournalEntry) -> list[JournalLine]:
    return list(entry.lines.filter(account__reconcilable=True).select_related("account"))


def reconcile(*, company: Company, lines: Sequence[JournalLine]) -> list[Reconciliation]:
    """Match open debit lines against open credit lines of one account and partner, oldest first.

    Lines in the same foreign currency are matched by their foreign amounts; when one is then
    settled in currency but not in company currency, the difference is the realised exchange
    gain or loss, posted and matched too (QUALITY L8). Call inside the caller's transaction.
    """
    return _reconcile(company, lines)[0]


# A line's open amounts: (company currency, foreign currency), as ``line_open_amounts`` gives them.
Opens = dict[int, tuple[Decimal, Decimal]]


def _reconcile(company: Company, lines: Sequence[JournalLine]) -> tuple[list[Reconciliation], Opens]:
    """``reconcile``, also returning what is left open of each line in its currency (``Opens``; the
    company-currency amount of a line closed by an exchange difference is not brought to zero)."""
    if not lines:
        return [], {}
    accounts = {line.account_id for line in lines}
    parties = {line.party_id for line in lines}
    if len(accounts) != 1 or len(parties) != 1:
        raise ValidationFailed("Only lines of one account and one partner can be reconciled together.")
    # Lock the lines' entries in id order so that two reconciliations of the same lines queue.
    list(
        JournalEntry.objects.select_for_update()
        .filter(pk__in=sorted({line.entry_id for line in lines}))
        .order_by("pk")
        .values_list("pk")
    )
    opens = line_open_amounts([line.pk for line in lines])
    debits = sorted((x for x in lines if x.debit > 0 and opens[x.pk][0] > 0), key=lambda x: (x.due_date or x.date, x.pk))
    credits = sorted((x for x in lines if x.credit > 0 and opens[x.pk][0] > 0), key=lambda x: (x.due_date or x.date, x.pk))
    created: list[Reconciliation] = []
    di = ci = 0
    while di < len(debits) and ci < len(credits):
        d, c = debits[di], credits[ci]
        d_open, d_cur = opens[d.pk]
        c_open, c_cur = opens[c.pk]
        same_foreign = d.currency and d.currency == c.currency
        if same_foreign:
            cur = min(d_cur, c_cur)
            d_part = (
                d_open
                if cur == d_cur
                else min(d_open, round_amount(cur * d.debit / abs(d.amount_currency), company.base_currency))
            )
            c_part = (
                c_open
                if cur == c_cur
                else min(c_open, round_amount(cur * c.credit / abs(c.amount_currency), company.base_currency))
            )
            amount = min(d_part, c_part)
        else:
            cur = ZERO
            amount = min(d_open, c_open)
        created.append(Reconciliation(company=company, debit_line=d, credit_line=c, amount=amount, amount_currency=cur))
        opens[d.pk] = (d_open - amount, d_cur - cur)
        opens[c.pk] = (c_open - amount, c_cur - cur)
        if same_foreign:
            # Settled in currency: what is left in company currency is the exchange difference.
            d_done, c_done = opens[d.pk][1] == 0, opens[c.pk][1] == 0
        else:
            d_done, c_done = opens[d.pk][0] == 0, opens[c.pk][0] == 0
        di += d_done
        ci += c_done
        if not (d_done or c_done):
            break
    Reconciliation.objects.bulk_create(created)
    # The difference is realised when the later of the matched items happened (the payment, usually).
    settled_on = max(line.date for line in lines)
    for line in (*debits, *credits):
        left, left_cur = opens[line.pk]
        if line.currency and left_cur == 0 and left != 0:
            created.append(_exchange_difference(company, line, left, settled_on))
    return created, opens


def _exchange_difference(company: Company, line: JournalLine, left: Decimal, on: dt.date) -> Reconciliation:
    """Post the realised exchange difference that closes ``line`` in company currency, and match it."""
    role = Account.Role.FX_LOSS if line.debit > 0 else Account.Role.FX_GAIN
    fx_account = Account.objects.filter(company=company, role=role, is_active=True).order_by("code").first()
    journal = (
        Journal.objects.filter(company=company, kind__in=[Journal.Kind.FX_REVALUATION, Journal.Kind.GENERAL], is_active=True)
        .order_by("kind")
        .first()
    )
    if fx_account is None or journal is None:
        raise ValidationFailed("Set up exchange gain and loss accounts and a general journal to settle foreign-currency items.")
    closing = LineIn(
        account_id=line.account_id,
        debit=ZERO if line.debit > 0 else left,
        credit=left if line.debit > 0 else ZERO,
        party_id=line.party_id,
        currency=line.currency,
        label=f"Exchange difference on {line.entry.number}",
    )
    result = LineIn(account_id=fx_account.pk, debit=closing.credit, credit=closing.debit, label="Realised exchange difference")
    entry = entry_create(
        actor=None,
        company=company,
        journal_id=journal.pk,
        date=on,
        lines=[closing, result],
        reference=line.entry.number,
        memo="Realised exchange difference",
        party_id=line.party_id,
        source=line.entry.source,
        post=True,
    )
    counter = entry.lines.get(account_id=line.account_id)
    debit_line, credit_line = (line, counter) if line.debit > 0 else (counter, line)
    return Reconciliation.objects.create(
        company=company, debit_line=debit_line, credit_line=credit_line, amount=left, amount_currency=ZERO
    )


def reconcile_invoice_with(*, company: Company, invoice: Invoice, other_entry: JournalEntry) -> list[Reconciliation]:
    """Reconcile an invoice's open counterpart lines with those of another entry (a payment or credit note)."""
    lines = [
        x for x in _open_counterpart_lines(invoice.entry) + _open_counterpart_lines(other_entry) if x.party_id == invoice.party_id
    ]
    by_account: dict[int, list[JournalLine]] = {}
    for line in lines:
        by_account.setdefault(line.account_id, []).append(line)
    created: list[Reconciliation] = []
    for group in by_account.values():
        created += reconcile(company=company, lines=group)
    _announce_paid(company, [invoice])
    return created


def _residual(invoice: Invoice, lines: Sequence[JournalLine], opens: Opens) -> Decimal | None:
    """What is left to pay on the invoice, from its reconcilable lines and what ``_reconcile`` left open
    of them; None when one of them was not reconciled just now."""
    mine = [x for x in lines if x.party_id == invoice.party_id]
    if not all(x.pk in opens for x in mine):
        return None
    foreign = invoice.currency != invoice.company.base_currency
    return sum((opens[x.pk][1] if foreign else opens[x.pk][0] for x in mine), ZERO)


def _announce_paid(company: Company, invoices: Sequence[Invoice], residuals: Mapping[int, Decimal | None] | None = None) -> None:
    """Publish ``finance.invoice_paid`` for each invoice now paid in full (``residuals`` when known already)."""
    from spona.back.finance.selectors import invoice_residual

    for invoice in invoices:
        residual = (residuals or {}).get(invoice.pk)
        if (invoice_residual(invoice) if residual is None else residual) == 0:
            events.publish(
                "finance.invoice_paid",
                company=company,
                party=invoice.party,
                invoice_id=invoice.pk,
                number=invoice.number,
                kind=invoice.kind,
                total=str(invoice.total),
                currency=invoice.currency,
                due_date=(invoice.due_date or invoice.invoice_date).isoformat(),
            )


@service_atomic
def payment_register(
    *,
    actor: User | None,
    company: Company,
    direction: str,
    party_id: int,
    amount: Decimal,
    journal_id: int,
    date: dt.date,
    currency: str = "",
    invoice_ids: Sequence[int] = (),
    reference: str = "",
    write_off_account_id: int | None = None,
) -> Payment:
    """Register money received or paid and settle the given invoices with it, oldest due first.

    - Less than the invoices' open amount: they stay partly open.
    - More: the rest stays open on the partner's account as a credit to use later.
    - With ``write_off_account_id``: the difference to the open amount is written off there and the
      invoices are settled in full (small differences, bank charges).
    - In a foreign currency, the realised exchange difference is posted (QUALITY L8).
    """
    if actor is not None:
        require(actor, "finance.post", company)
    if direction not in Payment.Direction.values:
        raise ValidationFailed(f"Unknown direction {direction!r}.", field_errors={"direction": ["inbound or outbound"]})
    currency = (currency or company.base_currency).upper()
    amount = to_decimal(amount)
    if amount <= 0 or amount != amount.quantize(Decimal(1).scaleb(-precision(currency))):
        raise ValidationFailed(
            f"Give a positive amount with at most {precision(currency)} decimals.", field_errors={"amount": ["Invalid amount."]}
        )
    journal = Journal.objects.filter(
        pk=journal_id, company=company, kind__in=[Journal.Kind.BANK, Journal.Kind.CASH], is_active=True
    ).first()
    if journal is None or journal.default_account_id is None:
        raise ValidationFailed("Choose a bank or cash journal of this company.", field_errors={"journal": ["Unknown journal."]})
    party = Party.objects.filter(pk=party_id, company=company).first()
    if party is None:
        raise NotFound("No such partner.")
    invoices = list(
        Invoice.objects.select_for_update(of=("self",))
        .filter(company=company, pk__in=invoice_ids)
        .select_related("entry")
        .order_by("due_date", "pk")
    )
    if len(invoices) != len(set(invoice_ids)):
        raise NotFound("One of the invoices does not exist in this company.")
    for invoice in invoices:
        problems = []
        if not invoice.is_posted():
            problems.append("is not posted")
        if invoice.party_id != party_id:
            problems.append("belongs to another partner")
        if invoice.currency != currency:
            problems.append(f"is in {invoice.currency}")
        if (invoice.kind in INBOUND_KINDS) != (direction == Payment.Direction.INBOUND):
            problems.append("goes the other way")
        if problems:
            raise ValidationFailed(f"Invoice {invoice.number} {', '.join(problems)}.", field_errors={"invoice_ids": problems})
        # Already read and checked: the settling and the invoice_paid event need not read them again.
        invoice.company, invoice.party = company, party
    rate = exchange_rate_on(company=company, currency=currency, on=date)
    role = Account.Role.RECEIVABLE if direction == Payment.Direction.INBOUND else Account.Role.PAYABLE
    counterparts = {invoice.pk: _open_counterpart_lines(invoice.entry) for invoice in invoices}
    if invoices:
        counterpart_id = next(x.account_id for x in counterparts[invoices[0].pk])
    else:
        account = Account.objects.filter(company=company, role=role, is_active=True).order_by("code").first()
        if account is None:
            raise ValidationFailed("Set up the ledger first: no receivable or payable account.")
        counterpart_id = account.pk
    settle = amount
    write_off = ZERO
    if write_off_account_id is not None:
        if not invoices:
            raise ValidationFailed(
                "A write-off needs the invoices it settles.", field_errors={"write_off_account_id": ["Choose invoices too."]}
            )
        if not Account.objects.filter(pk=write_off_account_id, company=company, is_group=False).exists():
            raise ValidationFailed("Unknown write-off account.", field_errors={"write_off_account_id": ["Unknown account."]})
        from spona.back.finance.selectors import invoice_residual

        settle = sum((invoice_residual(i) for i in invoices), ZERO)
        write_off = settle - amount
    foreign = currency != company.base_currency

    def convert(value: Decimal) -> Decimal:
        return round_amount(value * rate, company.base_currency, company.rounding)

    inbound = direction == Payment.Direction.INBOUND
    bank = LineIn(
        account_id=journal.default_account_id,
        debit=convert(amount) if inbound else ZERO,
        credit=ZERO if inbound else convert(amount),
        currency=currency if foreign else "",
        amount_currency=(amount if inbound else -amount) if foreign else ZERO,
        label=reference,
    )
    counter = LineIn(
        account_id=counterpart_id,
        party_id=party_id,
        debit=ZERO if inbound else convert(settle),
        credit=convert(settle) if inbound else ZERO,
        currency=currency if foreign else "",
        amount_currency=(-settle if inbound else settle) if foreign else ZERO,
        label=reference,
    )
    lines = [bank, counter]
    if write_off:
        difference = counter.credit - bank.debit if inbound else counter.debit - bank.credit
        lines.append(
            LineIn(
                account_id=write_off_account_id,
                debit=max(difference, ZERO) if inbound else max(-difference, ZERO),
                credit=max(-difference, ZERO) if inbound else max(difference, ZERO),
                label="Write-off",
            )
        )
        lines = [x for x in lines if x.debit or x.credit]
    entry = entry_create(
        actor=None,
        company=company,
        journal_id=journal.pk,
        date=date,
        lines=lines,
        reference=reference,
        memo=f"{'Payment from' if inbound else 'Payment to'} {party.name}",
        party_id=party_id,
        source="finance.payment",
        post=True,
    )
    payment = Payment.objects.create(
        company=company,
        direction=direction,
        party=party,
        journal=journal,
        date=date,
        amount=amount,
        currency=currency,
        exchange_rate=rate,
        reference=reference[:100],
        entry=entry,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    residuals: dict[int, Decimal | None] = {}
    if invoices:
        group = [x for x in _open_counterpart_lines(entry) if x.account_id == counterpart_id]
        for invoice in invoices:
            group += [x for x in counterparts[invoice.pk] if x.account_id == counterpart_id]
        _created, opens = _reconcile(company, group)
        # What the matching left open is what is left to pay: no need to read it back.
        residuals = {invoice.pk: _residual(invoice, counterparts[invoice.pk], opens) for invoice in invoices}
    audit.record(actor=actor, target=payment, action="registered", changes={"invoices": [None, [i.number for i in invoices]]})
    events.publish(
        "finance.payment_received" if inbound else "finance.payment_sent",
        company=company,
        party=party,
        actor=actor,
        payment_id=payment.pk,
        number=entry.number,
        amount=str(amount),
        currency=currency,
        invoices=[i.number for i in invoices],
    )
    _announce_paid(company, invoices, residuals)
    return payment


@transaction.atomic
def reconcile_party(*, actor: User | None, company: Company, party_id: int, account_id: int) -> int:
    """Automatically match every open debit and credit of a partner on a reconcilable account; return matches made."""
    if actor is not None:
        require(actor, "finance.post", company)
    if not Account.objects.filter(pk=account_id, company=company, reconcilable=True).exists():
        raise ValidationFailed("Choose a reconcilable account.")
    lines = list(
        JournalLine.objects.filter(
            company=company, account_id=account_id, party_id=party_id, entry__state=JournalEntry.State.POSTED
        )
        .filter(Q(debit__gt=0) | Q(credit__gt=0))
        .select_related("entry")
    )
    return len(reconcile(company=company, lines=lines))
