"""One import job, for the SEC1 matrices of the web UI and the API."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from spona.bridge.imports import services
from spona.bridge.imports.models import ImportJob
from spona.core.models import Company
from tests.factories import member

SENTINEL = "Sentinel Victim"
API_GROUP = "imports"
PK_OF = {"imports:job_": "import_job_id"}


def records(company: Company) -> dict[str, int]:
    """A checked parties file whose name, rows and error messages carry the sentinel."""
    admin = member(company, "admin", full_name=f"{SENTINEL} Importer")
    content = f"name,email\n{SENTINEL} Customer,sentinel@victim.example\n{SENTINEL} Broken,not-an-email\n".encode()
    job = services.job_upload(actor=admin, company=company, kind="parties", file_name=f"{SENTINEL}.csv", content=content)
    return {"import_job_id": job.pk}


SAMPLE_BODIES: dict[str, Callable[[dict[str, int]], dict[str, Any]]] = {
    "upload_import_job": lambda ids: {
        "kind": "parties",
        "file_name": "planted.csv",
        "content_base64": base64.b64encode(b"name\nPlanted\n").decode(),
    },
    "check_import_job": lambda ids: {"mapping": {"name": "name", "email": ""}},
}


def assert_untouched(ids: dict[str, int]) -> None:
    """The victim's job is still checked with its two errors-free rows mapped as uploaded, and nothing was imported."""
    job = ImportJob.objects.get(pk=ids["import_job_id"])
    assert (job.state, job.mapping, job.error_count) == ("checked", {"name": "name", "email": "email"}, 1)
    assert not ImportJob.objects.filter(company=job.company).exclude(pk=job.pk).exists()
