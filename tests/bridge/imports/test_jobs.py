"""Import jobs: upload and check at once, remap and check again, commit small files now and large ones in the worker."""

from __future__ import annotations

import pytest

from spona.bridge.imports import services, tasks
from spona.bridge.imports.models import ImportJob
from spona.core.errors import StateError
from spona.core.models import Party
from tests.factories import party

BAD = "Name,Mail\nAlfa,alfa@example.com\nBeta,not-an-email\n"
GOOD = "Name,Mail\nAlfa,alfa@example.com\nBeta,beta@example.com\n"


def upload(admin, company, text, **kwargs):
    return services.job_upload(actor=admin, company=company, kind="parties", file_name="p.csv", content=text.encode(), **kwargs)


def test_an_upload_is_mapped_by_its_headers_and_checked_at_once(admin, company):
    # when a file with an unknown header "Mail" is uploaded
    job = upload(admin, company, BAD)
    # then Name is mapped, Mail is not, and the check (with no e-mails imported) finds no error
    assert job.mapping == {"Name": "name", "Mail": ""}
    assert (job.state, job.total_rows, job.error_count, job.created_count) == ("checked", 2, 0, 2)
    assert not Party.objects.filter(company=company).exists()


def test_remapping_a_column_checks_the_file_again(admin, company):
    job = upload(admin, company, BAD)
    # when Mail is mapped to the e-mail field
    job = services.job_check(actor=admin, company=company, job_id=job.pk, mapping={"Name": "name", "Mail": "email"})
    # then row 3's e-mail is reported and the job cannot be imported
    assert [(e["line"], e["column"]) for e in job.errors] == [(3, "Mail")]
    assert not job.can_commit()
    with pytest.raises(StateError):
        services.job_commit(actor=admin, company=company, job_id=job.pk)


def test_a_mapping_without_a_required_field_is_a_file_error(admin, company):
    job = services.job_upload(actor=admin, company=company, kind="products", file_name="x.csv", content=b"sku,name\nA,B\n")
    assert job.error_count == 1 and job.errors[0]["line"] == 0
    assert "Unit" in job.errors[0]["message"]


def test_a_small_checked_file_is_imported_at_once(admin, company):
    job = upload(admin, company, GOOD)
    job = services.job_commit(actor=admin, company=company, job_id=job.pk)
    assert (job.state, job.created_count, job.content) == ("done", 2, b"")
    assert Party.objects.filter(company=company).count() == 2
    # and a finished import does not run twice
    with pytest.raises(StateError):
        services.job_commit(actor=admin, company=company, job_id=job.pk)


def test_a_large_file_is_queued_and_the_worker_imports_it_with_progress(admin, company, monkeypatch):
    # given imports above 2 rows go to the worker
    monkeypatch.setattr(services, "SYNC_ROWS", 2)
    rows = "".join(f"Party {n}\n" for n in range(5))
    job = upload(admin, company, "name\n" + rows)
    # when it is committed
    job = services.job_commit(actor=admin, company=company, job_id=job.pk)
    # then it waits for the worker, which imports all rows and reports its progress on the way
    assert job.state == "queued"
    seen = []
    assert services.job_run(job_id=job.pk, progress=lambda done, total: seen.append((done, total))) == "done"
    assert seen[-1] == (5, 5) and len(seen) == 5
    job.refresh_from_db()
    assert (job.state, job.processed_rows, job.created_count) == ("done", 5, 5)
    assert Party.objects.filter(company=company).count() == 5
    # and a redelivered task leaves the finished job alone
    assert services.job_run(job_id=job.pk) == "skipped"


def test_the_worker_stores_a_failure_when_the_data_changed_since_the_check(admin, company, monkeypatch):
    # given a checked file queued for the worker
    monkeypatch.setattr(services, "SYNC_ROWS", 0)
    job = services.job_commit(actor=admin, company=company, job_id=upload(admin, company, "name,email\nAlfa,a@example.com\n").pk)
    # when someone registers the same e-mail before the worker runs
    party(company, "Alfa (typed in)", emails=["a@example.com"])
    # then the import fails as a whole and says why
    assert services.job_run(job_id=job.pk) == "failed"
    job.refresh_from_db()
    assert job.message == "1 error; nothing was imported."
    assert Party.objects.filter(company=company).count() == 1


def test_the_task_runs_the_job(admin, company, monkeypatch):
    monkeypatch.setattr(services, "SYNC_ROWS", 0)
    job = services.job_commit(actor=admin, company=company, job_id=upload(admin, company, GOOD).pk)
    assert tasks.import_run.call(job.pk) == "done"
    assert ImportJob.objects.get(pk=job.pk).state == "done"
