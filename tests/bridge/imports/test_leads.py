"""Importing leads (the CRM's import runs here): sheet row numbers, all or nothing, duplicates, the pages from the lead list."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from spona.bridge.imports import services
from spona.bridge.imports.models import ImportJob
from spona.core.errors import StateError, ValidationFailed
from spona.front.crm import services as crm_services
from spona.front.crm.models import Lead
from tests.factories import member, party

pytestmark = pytest.mark.django_db


def workbook(*rows: tuple[object, ...]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADER = ("contact_name", "company_name", "email", "phone", "country")
# An empty first row, and a phone number typed as a number: Excel keeps it as 381601234567.0.
GOOD = workbook((), HEADER, ("Ana", "Nova", "ana@nova.rs", 381601234567, "rs"), ("Boris", "", "", None, ""))
BAD = workbook(
    HEADER, ("Ana", "Nova", "ana@nova.rs", None, "RS"), ("", "", "x@y.rs", None, ""), ("Cile", "", "not-mail", None, "")
)


def places(job: ImportJob) -> list[tuple[int, str]]:
    return [(e["line"], e["column"]) for e in job.errors]


def test_a_workbook_is_checked_by_its_sheet_row_numbers_and_imported_as_typed(company, sales):
    # when a workbook with an empty first row is uploaded, it is checked at once and nothing is created
    job = services.job_upload(actor=sales, company=company, kind="leads", file_name="leads.xlsx", content=GOOD)
    assert (job.file_format, job.state, job.total_rows, job.error_count) == ("xlsx", "checked", 2, 0)
    assert not Lead.objects.filter(company=company).exists()
    # then the import creates both leads, the phone read as typed, marked as imported
    job = services.job_commit(actor=sales, company=company, job_id=job.pk)
    assert (job.state, job.created_count) == ("done", 2)
    assert sorted(Lead.objects.values_list("contact_name", "phone", "country", "source")) == [
        ("Ana", "+381601234567", "RS", "import"), ("Boris", "", "", "import")
    ]  # fmt: skip


def test_a_workbook_with_bad_rows_names_them_and_imports_nothing(company, sales):
    job = services.job_upload(actor=sales, company=company, kind="leads", file_name="leads.xlsx", content=BAD)
    # then row 3 lacks both names and row 4's e-mail is no address; the import is refused
    assert places(job) == [(3, "contact_name"), (4, "email")]
    with pytest.raises(StateError, match="Only a checked file without errors"):
        services.job_commit(actor=sales, company=company, job_id=job.pk)
    assert not Lead.objects.filter(company=company).exists()
    # and a file that is no workbook is refused on upload
    with pytest.raises(ValidationFailed) as caught:
        services.job_upload(actor=sales, company=company, kind="leads", file_name="x.xlsx", content=b"PK\x03\x04 broken")
    assert "file" in caught.value.field_errors


def test_a_lead_whose_email_is_known_is_a_duplicate_unless_skipped(company, sales):
    # given a customer party and a lead with e-mails of their own
    party(company, "Kupac d.o.o.", emails=["nabavka@kupac.rs"], roles=["customer"])
    crm_services.lead_create(actor=sales, company=company, data=crm_services.LeadInput(contact_name="Mila", email="mila@x.rs"))
    text = "Contact,Company,E-mail\nNew,Nova,new@nova.rs\nP,Kupac,NABAVKA@kupac.rs\nM,,mila@x.rs\nAgain,,new@nova.rs\n"
    # when a file names them, and one new address twice
    job = services.job_upload(actor=sales, company=company, kind="leads", file_name="leads.csv", content=text.encode())
    # then each known address is an error on the e-mail column naming who has it
    assert places(job) == [(3, "E-mail"), (4, "E-mail"), (5, "E-mail")]
    assert [e["message"] for e in job.errors] == [
        "Kupac d.o.o. has this e-mail already (in the party registry).",
        "The lead Mila has this e-mail already.",
        "The lead Nova has this e-mail already.",
    ]
    # when the duplicates are skipped, only the new lead is imported
    job = services.job_check(actor=sales, company=company, job_id=job.pk, mapping=job.mapping, options={"skip_duplicates": True})
    assert job.error_count == 0
    job = services.job_commit(actor=sales, company=company, job_id=job.pk)
    assert (job.created_count, job.skipped_count) == (1, 3)
    assert sorted(Lead.objects.filter(company=company).values_list("email", flat=True)) == ["mila@x.rs", "new@nova.rs"]


def test_the_lead_lists_import_button_opens_the_imports_page_with_leads_chosen(client, company, sales):
    client.force_login(sales)
    # given the lead list's Import button
    listing = client.get(reverse("crm:lead_list")).content.decode()
    url = reverse("imports:job_list") + "?kind=leads"
    assert f'href="{url}"' in listing
    # when it is followed, leads is the chosen kind
    page = client.get(url).content.decode()
    assert '<option value="leads" selected>' in page
    # then a file uploaded there is checked, and imported all at once
    upload = SimpleUploadedFile("leads.csv", b"contact_name,company_name,email\nAna,Alfa,ana@alfa.rs\n,,nobody@x.rs\n")
    response = client.post(url, {"kind": "leads", "file": upload})
    job = ImportJob.objects.get(company=company)
    detail = client.get(response["Location"]).content.decode()
    assert "<td>3</td><td>contact_name</td>" in detail and 'id="import-commit"' not in detail
    upload = SimpleUploadedFile("leads.csv", b"contact_name,company_name,email\nAna,Alfa,ana@alfa.rs\nBoris,,b@gmail.com\n")
    client.post(url, {"kind": "leads", "file": upload})
    job = ImportJob.objects.filter(company=company).first()
    client.post(reverse("imports:job_commit", args=[job.pk]))
    assert sorted(Lead.objects.values_list("contact_name", "source")) == [("Ana", "import"), ("Boris", "import")]


def test_marketing_reads_leads_but_is_not_offered_their_import(client, company):
    client.force_login(member(company, "marketing"))
    assert 'href="/imports/?kind=leads"' not in client.get(reverse("crm:lead_list")).content.decode()
    assert 'value="leads"' not in client.get(reverse("imports:job_list") + "?kind=leads").content.decode()
