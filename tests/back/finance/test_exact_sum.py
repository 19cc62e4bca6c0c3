import datetime as dt
from decimal import Decimal as D

from spona.back.finance import services
from spona.back.finance.models import Account, Journal, JournalLine
from spona.back.finance.services import LineIn
from spona.core.aggregates import ExactSum


def test_exact_sum_has_no_float_drift(company):
    # given many lines whose amounts have no exact binary representation
    services.ledger_setup(actor=None, company=company)
    accounts = {a.code: a.pk for a in Account.objects.filter(company=company)}
    journal = Journal.objects.get(company=company, code="GEN")
    lines = [LineIn(account_id=accounts["1100"], debit=D("0.10")) for _ in range(999)]
    lines.append(LineIn(account_id=accounts["4000"], credit=D("99.90")))
    services.entry_create(actor=None, company=company, journal_id=journal.pk, date=dt.date(2026, 1, 5), lines=lines, post=True)
    # when summed in the database, then the total is exact
    total = JournalLine.objects.filter(account_id=accounts["1100"]).aggregate(t=ExactSum("debit"))["t"]
    assert total == D("99.90")
    assert str(total.quantize(D("0.01"))) == "99.90"
