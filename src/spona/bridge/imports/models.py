"""An import job: the uploaded file, how its columns map to fields, and what the check or the import found."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from spona.core.models import CompanyOwned


class ImportJob(CompanyOwned):
    """One file to import into one kind of record, checked (dry run) and then imported all or nothing."""

    class State(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        CHECKED = "checked", _("Checked")
        QUEUED = "queued", _("Waiting to run")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Not imported")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (XLSX)"

    kind = models.CharField(_("kind"), max_length=40)
    file_name = models.CharField(_("file name"), max_length=200)
    file_format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    # The file itself, kept until the import ran so that a worker on another host can read it.
    content = models.BinaryField(editable=False)
    headers = models.JSONField(default=list, editable=False)
    mapping = models.JSONField(
        _("column mapping"), default=dict, blank=True, help_text=_("Which field each column of the file fills.")
    )
    options = models.JSONField(default=dict, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    # [{"line": 3, "column": "email", "message": "…"}], the first few hundred.
    errors = models.JSONField(default=list, blank=True, editable=False)
    error_count = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    finished_at = models.DateTimeField(null=True, blank=True)

    # The file and the error messages quote the imported rows: names, e-mails, phones.
    personal_data = ("content", "errors", "file_name")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "-created_at"], name="imports_job_company_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(processed_rows__lte=models.F("total_rows")), name="imports_job_progress_within_total"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.file_name}"

    def is_running(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    def can_commit(self) -> bool:
        return self.state == self.State.CHECKED and self.error_count == 0 and self.total_rows > 0

    @property
    def percent(self) -> int:
        return 100 if not self.total_rows else min(100, self.processed_rows * 100 // self.total_rows)
