"""The import screens: upload and see the check, remap, import, follow the progress, export."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from spona.bridge.imports import services
from spona.bridge.imports.models import ImportJob
from spona.core.models import Party
from tests.factories import member, party

pytestmark = pytest.mark.django_db


def upload(client, text: str, kind: str = "parties"):
    return client.post(reverse("imports:job_list"), {"kind": kind, "file": SimpleUploadedFile("parties.csv", text.encode())})


def test_an_upload_shows_the_bad_rows_then_a_remap_lets_it_import(client, company, admin):
    client.force_login(admin)
    # when a file with a bad e-mail is uploaded
    response = upload(client, "name,email\nAlfa,a@example.com\nBeta,broken\n")
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:job_detail", args=[job.pk])
    # then its page lists line 3's e-mail and offers no import button
    page = client.get(response["Location"]).content.decode()
    assert 'id="import-errors"' in page and "<td>3</td><td>email</td>" in page
    assert 'id="import-commit"' not in page
    # when the e-mail column is left out and the file checked again
    client.post(reverse("imports:job_check", args=[job.pk]), {"column_0": "name", "column_1": ""})
    page = client.get(reverse("imports:job_detail", args=[job.pk])).content.decode()
    assert 'id="import-commit"' in page
    # then the import writes both parties
    client.post(reverse("imports:job_commit", args=[job.pk]))
    assert Party.objects.filter(company=company).count() == 2
    assert "2 rows imported" in client.get(reverse("imports:job_detail", args=[job.pk])).content.decode()


def test_the_upload_form_offers_only_the_kinds_the_user_may_import(client, company):
    accountant = member(company, "finance")
    client.force_login(accountant)
    page = client.get(reverse("imports:job_list")).content.decode()
    assert 'value="opening_balances"' in page and 'value="products"' not in page
    # and a kind outside them is refused by the form
    assert upload(client, "sku,name,unit\nA,B,C\n", kind="products").status_code == 200
    assert not ImportJob.objects.exists()


def test_a_running_import_shows_a_polling_progress_bar(client, company, admin, monkeypatch):
    monkeypatch.setattr(services, "SYNC_ROWS", 0)
    client.force_login(admin)
    upload(client, "name\nAlfa\nBeta\n")
    job = ImportJob.objects.get()
    client.post(reverse("imports:job_commit", args=[job.pk]))
    progress = client.get(reverse("imports:job_progress", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in progress and 'max="2"' in progress
    services.job_run(job_id=job.pk)
    progress = client.get(reverse("imports:job_progress", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in progress and "2 rows imported" in progress


def test_csv_and_xlsx_exports_hold_only_this_companys_records(client, company, other_company, admin):
    party(company, "Alfa")
    party(other_company, "Globex Customer")
    client.force_login(admin)
    response = client.get(reverse("imports:export"), {"kind": "parties", "format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Alfa" in text and "Globex" not in text
    response = client.get(reverse("imports:export"), {"kind": "parties", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).worksheets[0]
    assert [row[1] for row in sheet.iter_rows(values_only=True)] == ["name", "Alfa"]
    assert client.get(reverse("imports:export"), {"kind": "planets"}).status_code == 400


def test_an_export_of_another_departments_data_is_refused(client, company):
    client.force_login(member(company, "marketing"))
    assert client.get(reverse("imports:export"), {"kind": "opening_balances"}).status_code == 403
