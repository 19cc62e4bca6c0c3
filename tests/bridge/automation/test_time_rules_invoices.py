"""The shipped date rule on real invoices: 30 days after the due date and still unpaid → tag and tell finance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from spona.back.finance import services as finance
from spona.back.finance.models import Account
from spona.back.finance.services import InvoiceLineIn
from spona.bridge.automation import services
from spona.bridge.automation.models import Rule, RuleRun
from spona.bridge.notifications.models import Notification
from spona.core.models import Party
from tests.factories import member, party

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


@pytest.fixture
def overdue_invoice(company):
    finance.ledger_setup(actor=None, company=company)
    customer = party(company, "Slow Payer d.o.o.", roles=["customer"])
    income = Account.objects.get(company=company, code="4000")
    draft = finance.invoice_create(
        actor=None,
        company=company,
        kind="out_invoice",
        party_id=customer.pk,
        invoice_date=DAY,
        lines=[InvoiceLineIn(description="Consulting", account_id=income.pk, quantity=Decimal(1), unit_price=Decimal("500.00"))],
    )
    return finance.invoice_post(actor=None, company=company, invoice_id=draft.pk)


def test_the_invoice_rule_acts_once_thirty_days_after_the_due_date(
    company, admin, overdue_invoice, django_capture_on_commit_callbacks
):
    # given the shipped example switched on, and a finance user to tell
    cfo = member(company, "finance", email="cfo@acme.test")
    rule = Rule.objects.get(
        pk=next(
            r.pk for r in services.examples_install(actor=admin, company=company) if r.example_key == "invoice_30_days_overdue"
        )
    )
    result = services.rule_test(actor=admin, company=company, rule_id=rule.pk, record_id=overdue_invoice.pk)
    assert result.matched and result.values["record"]["residual"] == "500.00"
    services.rule_activate(actor=admin, company=company, rule_id=rule.pk, active=True)
    due = overdue_invoice.due_date
    # when the schedule looks 29 days after the due date, then 30, then 31
    with django_capture_on_commit_callbacks(execute=True):
        counts = [services.run_time_rules(due + dt.timedelta(days=n)) for n in (29, 30, 31)]
    # then it acted once: the customer is tagged and finance was told by a notification (mailed in the daily digest)
    assert counts == [0, 1, 0]
    assert list(Party.objects.get(pk=overdue_invoice.party_id).tags.values_list("name", flat=True)) == ["Late payer"]
    [told] = Notification.objects.all()
    assert (told.recipient_id, told.kind, told.email) == (cfo.pk, "automation", "digest")
    assert f"Invoice {overdue_invoice.number} of Slow Payer d.o.o. is 30 days overdue: 500.00" in told.body
    assert RuleRun.objects.filter(rule=rule, outcome="done").count() == 1
