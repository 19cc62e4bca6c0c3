"""The ledger screens: journal entries, payments, chart, trial balance, settings, and the 360° panel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from django.utils import timezone

from spona.back.finance import services
from spona.back.finance.models import Account, JournalEntry, LedgerSettings
from spona.back.finance.services import LineIn
from tests.back.finance.web.helpers import DAY, make_invoice, pay
from tests.factories import CompanyFactory, member, party


def entry_post_data(accounts, journals, rows, **header):
    data = {"journal": journals["GEN"].pk, "date": "2026-04-01", "memo": "Accrual", **header}
    data.update({"lines-TOTAL_FORMS": str(len(rows)), "lines-INITIAL_FORMS": "0"})
    for i, (code, debit, credit) in enumerate(rows):
        data.update({f"lines-{i}-account": accounts[code].pk, f"lines-{i}-debit": debit, f"lines-{i}-credit": credit})
    return data


def draft_entry(company, accounts, journals, amount="100.00"):
    return services.entry_create(
        actor=None,
        company=company,
        journal_id=journals["GEN"].pk,
        date=DAY,
        lines=[LineIn(account_id=accounts["6100"].pk, debit=D(amount)), LineIn(account_id=accounts["1000"].pk, credit=D(amount))],
        memo="Rent",
    )


# Journal entries -----------------------------------------------------------------------------------


def test_entry_list_filters_by_journal_state_and_dates(client, login, accountant, accounts, journals):
    company = accountant.default_company
    posted = services.entry_post(actor=None, company=company, entry_id=draft_entry(company, accounts, journals).pk)
    draft = draft_entry(company, accounts, journals, "7.00")
    login(accountant)

    def ids(query):
        response = client.get(f"/finance/entries/?{query}")
        assert response.status_code == 200
        return {e.pk for e in response.context["page"].items}

    assert ids("") == {posted.pk, draft.pk}
    assert ids("state=posted") == {posted.pk}
    assert ids(f"journal={journals['BNK'].pk}") == set()
    assert ids("date_from=2026-05-01") == set()
    assert ids("date_to=2026-04-01&state=draft") == {draft.pk}
    assert ids("journal=x&state=alien") == {posted.pk, draft.pk}
    assert client.get("/finance/entries/?date_from=2026-05-01&date_to=2026-01-01").status_code == 200
    assert "<html" not in client.get("/finance/entries/", HTTP_HX_REQUEST="true").content.decode()


def test_entry_detail_shows_lines_and_chain_position(client, login, accountant, accounts, journals):
    company = accountant.default_company
    entry = services.entry_post(actor=None, company=company, entry_id=draft_entry(company, accounts, journals).pk)
    content = login(accountant).get(f"/finance/entries/{entry.pk}/").content.decode()
    assert entry.number in content and "6100 Rent" in content and "100.00" in content
    assert entry.hash in content and entry.previous_hash in content
    assert f'id="chain-position">{entry.chain_position}<' in content


def test_create_a_balanced_draft_entry_then_post_it(client, login, accountant, accounts, journals):
    login(accountant)
    assert client.get("/finance/entries/new/").status_code == 200
    data = entry_post_data(accounts, journals, [("6100", "250.00", ""), ("1000", "", "250.00")], reference="R-1")
    response = client.post("/finance/entries/new/", data)
    entry = JournalEntry.objects.get(reference="R-1")
    assert response.status_code == 302 and response["Location"] == f"/finance/entries/{entry.pk}/"
    assert entry.is_draft() and entry.lines.count() == 2
    response = client.post(f"/finance/entries/{entry.pk}/post/", follow=True)
    entry.refresh_from_db()
    assert entry.is_posted() and entry.number in response.content.decode()


def test_an_unbalanced_entry_is_saved_as_draft_but_refused_at_posting(client, login, accountant, accounts, journals):
    login(accountant)
    data = entry_post_data(accounts, journals, [("6100", "250.00", ""), ("1000", "", "200.00")], reference="R-2")
    client.post("/finance/entries/new/", data)
    entry = JournalEntry.objects.get(reference="R-2")
    response = client.post(f"/finance/entries/{entry.pk}/post/", follow=True)
    assert "does not balance" in response.content.decode()
    entry.refresh_from_db()
    assert entry.is_draft()


def test_entry_form_errors_keep_what_was_typed(client, login, accountant, accounts, journals):
    login(accountant)
    # one line only, and a debit and credit on the same line: the service's messages come back
    data = entry_post_data(accounts, journals, [("6100", "5.00", "5.00")], memo="KEEP-MEMO")
    response = client.post("/finance/entries/new/", data)
    content = response.content.decode()
    assert response.status_code == 422 and "KEEP-MEMO" in content
    assert "An entry needs at least two lines." in content and "A line is either a debit or a credit." in content
    assert not JournalEntry.objects.filter(memo="KEEP-MEMO").exists()


def test_live_balance_check(client, login, accountant, accounts, journals):
    login(accountant)
    data = entry_post_data(accounts, journals, [("6100", "250.00", ""), ("1000", "", "200.00")])
    response = client.post("/finance/entries/balance/", data, HTTP_HX_REQUEST="true")
    assert response.context["balance"]["difference"] == D("50.00") and "Not balanced" in response.content.decode()
    data = entry_post_data(accounts, journals, [("6100", "250.00", ""), ("1000", "", "250")])
    assert "Balanced" in client.post("/finance/entries/balance/", data).content.decode()
    content = client.get("/finance/entries/line/?lines-TOTAL_FORMS=2").content.decode()
    assert 'name="lines-2-debit"' in content and 'value="3"' in content


def test_reverse_a_posted_entry_with_a_reason(client, login, accountant, accounts, journals):
    company = accountant.default_company
    entry = services.entry_post(actor=None, company=company, entry_id=draft_entry(company, accounts, journals).pk)
    response = login(accountant).post(f"/finance/entries/{entry.pk}/reverse/", {"reason": "Typo", "date": ""})
    reversal = JournalEntry.objects.get(reversal_of=entry)
    assert response.status_code == 302 and response["Location"] == f"/finance/entries/{reversal.pk}/"
    assert "Typo" in reversal.memo
    # reversing twice is refused with a message
    response = client.post(f"/finance/entries/{entry.pk}/reverse/", {"reason": "Again"}, follow=True)
    assert "already reversed" in response.content.decode()
    assert JournalEntry.objects.filter(reversal_of=entry).count() == 1


def test_delete_a_draft_but_never_a_posted_entry(client, login, accountant, accounts, journals):
    company = accountant.default_company
    draft = draft_entry(company, accounts, journals)
    posted = services.entry_post(actor=None, company=company, entry_id=draft_entry(company, accounts, journals).pk)
    login(accountant)
    assert client.post(f"/finance/entries/{draft.pk}/delete/")["Location"] == "/finance/entries/"
    assert not JournalEntry.objects.filter(pk=draft.pk).exists()
    response = client.post(f"/finance/entries/{posted.pk}/delete/", follow=True)
    assert "reverse them instead" in response.content.decode()
    assert JournalEntry.objects.filter(pk=posted.pk).exists()


def test_entry_pages_by_role(client, login, ledger, accounts, journals):
    entry = draft_entry(ledger, accounts, journals)
    login(member(ledger, "management"))
    assert client.get(f"/finance/entries/{entry.pk}/").status_code == 200
    assert client.get("/finance/entries/new/").status_code == 403
    assert client.post(f"/finance/entries/{entry.pk}/post/").status_code == 403
    assert client.post(f"/finance/entries/{entry.pk}/delete/").status_code == 403
    client.logout()
    login(member(ledger, "sales"))
    assert client.get("/finance/entries/").status_code == 403
    assert client.get(f"/finance/entries/{entry.pk}/").status_code == 403


# Payments, chart, trial balance ------------------------------------------------------------------


def test_payment_list(client, login, accountant, customer, accounts, vat20, journals):
    company = accountant.default_company
    invoice = make_invoice(company, customer, accounts, vat20)
    payment = pay(company, invoice, journals, "120.00")
    login(accountant)
    content = client.get("/finance/payments/").content.decode()
    assert "Kupac d.o.o." in content and "120.00" in content and payment.entry.number in content
    assert client.get("/finance/payments/?direction=outbound").context["page"].items == []
    assert client.get(f"/finance/payments/?party={customer.pk}").context["page"].items == [payment]


def test_chart_of_accounts_is_a_tree(client, login, accountant):
    response = login(accountant).get("/finance/accounts/")
    rows = response.context["rows"]
    depth = {account.code: d for account, d in rows}
    assert (depth["1"], depth["11"], depth["1100"]) == (0, 1, 2)
    codes = [a.code for a, _ in rows]
    assert codes.index("1") < codes.index("11") < codes.index("1100") < codes.index("2")
    assert "1100 Trade receivables" in response.content.decode()


def test_trial_balance_totals_and_drill_down(client, login, accountant, customer, accounts, vat20, journals):
    company = accountant.default_company
    invoice = make_invoice(company, customer, accounts, vat20)
    pay(company, invoice, journals, "100.00", day=DAY + dt.timedelta(days=40))
    login(accountant)
    response = client.get("/finance/trial-balance/")
    assert response.context["debit"] == response.context["credit"] == D("400.00")
    # the date range limits the lines: the May payment is out of April
    response = client.get("/finance/trial-balance/?date_from=2026-04-01&date_to=2026-04-30")
    assert response.context["debit"] == D("300.00")
    receivable = accounts["1100"]
    assert f"/finance/accounts/{receivable.pk}/lines/?date_from=2026-04-01" in response.content.decode()
    response = client.get(f"/finance/accounts/{receivable.pk}/lines/?date_to=2026-04-30")
    assert [line.entry_id for line in response.context["page"].items] == [invoice.entry_id]
    assert client.get("/finance/trial-balance/?date_from=2026-05-01&date_to=2026-01-01").status_code == 200
    assert client.get(f"/finance/accounts/{receivable.pk}/lines/?cursor=nonsense").status_code == 200


def test_menu_pages_open_for_finance_and_management_only(client, login, ledger):
    pages = ["/finance/invoices/", "/finance/bills/", "/finance/payments/", "/finance/entries/", "/finance/accounts/"]
    pages += ["/finance/trial-balance/", "/finance/settings/"]
    for role, status in (("finance", 200), ("management", 200), ("sales", 403), ("it", 403)):
        client.force_login(member(ledger, role))
        for url in pages:
            assert client.get(url).status_code == status, (role, url)
        client.logout()


# Settings ------------------------------------------------------------------------------------------


def test_ledger_setup_button_only_without_a_chart(client, login, db):
    company = CompanyFactory(name="Fresh d.o.o.", code="fresh")
    login(member(company, "finance"))
    content = client.get("/finance/settings/").content.decode()
    assert "Set up the ledger" in content
    assert "No chart of accounts yet" in client.get("/finance/accounts/").content.decode()
    response = client.post("/finance/settings/setup/", follow=True)
    assert "The ledger is set up" in response.content.decode()
    assert Account.objects.filter(company=company, code="1100").exists()
    assert "Set up the ledger" not in client.get("/finance/settings/").content.decode()
    # a second setup is refused with a message
    assert "already has a chart" in client.post("/finance/settings/setup/", follow=True).content.decode()


def test_lock_dates_form(client, login, accountant):
    company = accountant.default_company
    login(accountant)
    response = client.post("/finance/settings/", {"soft": "2026-01-31", "hard": "2025-12-31"})
    assert response.status_code == 302
    settings = LedgerSettings.objects.get(company=company)
    assert (settings.soft_lock_date, settings.hard_lock_date) == (dt.date(2026, 1, 31), dt.date(2025, 12, 31))
    # the hard lock never moves back: the error shows on its field, the page keeps the values
    response = client.post("/finance/settings/", {"soft": "2026-01-31", "hard": "2025-06-30"})
    assert response.status_code == 422 and "Cannot move back." in response.content.decode()
    assert "2025-06-30" in response.content.decode()


def test_management_sees_lock_dates_but_cannot_move_them(client, login, ledger):
    login(member(ledger, "management"))
    content = client.get("/finance/settings/").content.decode()
    assert "Hard lock date" in content and "Save the lock dates" not in content
    assert client.post("/finance/settings/", {"hard": "2026-01-01"}).status_code == 403
    assert client.post("/finance/settings/setup/").status_code == 403


# The 360° panel ---------------------------------------------------------------------------------------


def test_sales_sees_open_balance_and_overdue_invoices_on_the_360_page(client, login, ledger, customer, accounts, vat20, journals):
    # given an overdue invoice paid in part and a recent one not yet due
    overdue = make_invoice(ledger, customer, accounts, vat20, day=timezone.localdate() - dt.timedelta(days=60))
    pay(ledger, overdue, journals, "100.00", day=timezone.localdate() - dt.timedelta(days=30))
    make_invoice(ledger, customer, accounts, vat20, day=timezone.localdate() + dt.timedelta(days=10))
    # when a salesperson opens the customer's 360° page
    login(member(ledger, "sales"))
    response = client.get(f"/parties/{customer.pk}/")
    content = response.content.decode()
    # then the panel shows 200 + 300 open and the overdue invoice, without a link into the ledger
    assert 'data-panel="finance.balance"' in content
    assert '<strong id="open-receivable">500.00 EUR</strong>' in content
    assert overdue.number in content and "200.00" in content
    assert f"/finance/documents/{overdue.pk}/" not in content
    # and finance gets the link
    client.force_login(member(ledger, "finance"))
    assert f"/finance/documents/{overdue.pk}/" in client.get(f"/parties/{customer.pk}/").content.decode()


def test_no_panel_for_roles_without_the_permission_or_for_parties_without_invoices(
    client, login, ledger, customer, accounts, vat20
):
    make_invoice(ledger, customer, accounts, vat20)
    login(member(ledger, "it"))
    assert 'data-panel="finance.balance"' not in client.get(f"/parties/{customer.pk}/").content.decode()
    client.force_login(member(ledger, "sales"))
    stranger = party(ledger, "No Invoices Ltd")
    assert 'data-panel="finance.balance"' not in client.get(f"/parties/{stranger.pk}/").content.decode()
