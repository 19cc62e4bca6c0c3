"""Commands of the imports app: upload a file, check it (dry run), import it all or nothing.

The engine (``import_rows``) runs every row through its importer inside one transaction, each
row in a savepoint of its own so that one bad row does not hide the next one's errors. A dry
run, or a run with any error, rolls the whole transaction back: nothing is written, and the
report lists each bad row's line, column and message. Only a run without errors commits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from spona.bridge.imports import registry
from spona.bridge.imports.models import ImportJob
from spona.bridge.imports.readers import SourceRow, Table, match_key, read
from spona.bridge.imports.registry import Importer, RowFailed, Run
from spona.core import audit
from spona.core.errors import ApplicationError, NotFound, PermissionDenied, StateError, ValidationFailed
from spona.core.models import Company, User
from spona.core.permissions import require

# Files up to this many rows are imported while the person waits; larger ones by the worker.
SYNC_ROWS = 500
# How many errors a job keeps to show; the count covers them all.
KEPT_ERRORS = 500
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RowError:
    """What is wrong with one row: its line in the file (0: the file as a whole), the column and the message."""

    line: int
    column: str
    message: str


@dataclass
class Outcome:
    """What a check found or an import did: ``imported`` counts the rows written (or that would be, on a check)."""

    total: int
    imported: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False


class _Rollback(Exception):
    """Leaves the import's transaction so that everything it wrote is undone."""


def importer_for(kind: str) -> Importer:
    importer = registry.get(kind)
    if importer is None:
        known = ", ".join(sorted(registry.REGISTRY))
        raise ValidationFailed(f"Unknown kind {kind!r}; choose one of {known}.", field_errors={"kind": ["Unknown kind."]})
    return importer


def auto_mapping(importer: Importer, headers: Sequence[str]) -> dict[str, str]:
    """Match each column to the field whose name, label or alias reads the same ("E-mail" → email); others stay unmapped."""
    keys: dict[str, str] = {}
    for spec in importer.fields:
        for text in (spec.name, spec.label, *spec.aliases):
            keys.setdefault(match_key(text), spec.name)
    mapping: dict[str, str] = {}
    for header in headers:
        target = keys.get(match_key(header), "") if header else ""
        mapping[header] = target if target and target not in mapping.values() else ""
    return {h: t for h, t in mapping.items() if h}


def _check_mapping(importer: Importer, headers: Sequence[str], mapping: dict[str, str]) -> dict[str, str]:
    names = {f.name for f in importer.fields}
    errors: list[str] = []
    clean = {h: (mapping.get(h) or "") for h in headers if h}
    for header, target in clean.items():
        if target and target not in names:
            errors.append(f"Column {header!r}: unknown field {target!r}.")
    used = [t for t in clean.values() if t]
    errors += [f"Two columns fill {t!r}; keep one." for t in sorted({t for t in used if used.count(t) > 1})]
    errors += [f"Map a column to {f.label!r}: it is required." for f in importer.fields if f.required and f.name not in used]
    if errors:
        raise ValidationFailed(" ".join(errors), field_errors={"mapping": errors})
    return clean


def _clean_options(importer: Importer, raw: dict[str, Any]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for spec in importer.options:
        value = raw.get(spec.name)
        try:
            options[spec.name] = value if not isinstance(value, str) else registry.convert(spec, value)
        except ValueError as exc:
            errors[spec.name] = [str(exc)]
            continue
        if spec.required and options[spec.name] in (None, ""):
            errors[spec.name] = [f"{spec.label} is required."]
    if errors:
        raise ValidationFailed("Some options are not valid.", field_errors=errors)
    return options


def _convert(importer: Importer, row: SourceRow, columns: dict[str, str]) -> tuple[dict[str, Any], list[RowError]]:
    values: dict[str, Any] = {}
    errors = []
    for column, name in columns.items():
        spec = importer.field(name)
        try:
            values[name] = registry.convert(spec, row.cells.get(column, ""))
        except ValueError as exc:
            errors.append(RowError(row.line, column, str(exc)))
    for spec in importer.fields:
        if spec.required and values.get(spec.name) in (None, "", []) and spec.name in columns.values():
            column = next(c for c, n in columns.items() if n == spec.name)
            errors.append(RowError(row.line, column, f"{spec.label} is required."))
    return values, errors


def _errors_of(exc: ApplicationError, line: int, importer: Importer, columns: dict[str, str]) -> list[RowError]:
    """A service's refusal as row errors, each on the file's column for the field it names."""
    by_field = {name: column for column, name in columns.items()}
    field_errors = exc.field_errors if isinstance(exc, ValidationFailed) else {}
    if not field_errors:
        return [RowError(line, "", exc.message)]
    labels = {f.name: f.label for f in importer.fields}
    found = []
    for key, messages in field_errors.items():
        name = importer.error_fields.get(key, key)
        column = by_field.get(name, "")
        # A field the file does not fill (a street for the city it gives) is named by its label.
        prefix = "" if column or key in ("__all__", "") else f"{labels.get(name, key)}: "
        found += [RowError(line, column, prefix + str(message)) for message in messages]
    return found


def import_rows(
    *,
    actor: User,
    company: Company,
    kind: str,
    table: Table,
    mapping: dict[str, str],
    options: dict[str, Any] | None = None,
    commit: bool,
    progress: Progress | None = None,
) -> Outcome:
    """Check (``commit=False``) or import the rows of a file, all or nothing.

    Each row is converted to its fields' types and handed to the importer, which calls the
    owning app's service. Rows that fail are reported with line, column and message; the whole
    run is rolled back unless it is a commit without any error. Raises PermissionDenied when
    the actor may not write this kind in the company, ValidationFailed for a bad mapping or option.
    """
    importer = importer_for(kind)
    require(actor, "imports.use", company)
    require(actor, importer.permission, company)
    columns = {h: t for h, t in _check_mapping(importer, table.headers, mapping).items() if t}
    run = Run(actor=actor, company=company, options=_clean_options(importer, options or {}))
    outcome = Outcome(total=len(table.rows))
    if not table.rows:
        outcome.errors.append(RowError(0, "", "The file has no data rows."))
        return outcome
    step = max(1, len(table.rows) // 100)
    try:
        with transaction.atomic():
            importer.begin(run)
            for number, row in enumerate(table.rows, start=1):
                values, errors = _convert(importer, row, columns)
                if not errors:
                    errors = _apply(importer, run, row.line, values, columns)
                outcome.errors += errors
                if progress is not None and (number % step == 0 or number == len(table.rows)):
                    progress(number, len(table.rows))
            if not outcome.errors:
                outcome.errors += _apply(importer, run, 0, None, columns)
            outcome.skipped = run.skipped
            outcome.imported = outcome.total - run.skipped
            if outcome.errors or not commit:
                raise _Rollback
            audit.record(
                actor=actor,
                target=company,
                action="imported",
                changes={"kind": [None, kind], "rows": [None, outcome.imported]},
                company_id=company.pk,
            )
            outcome.committed = True
    except _Rollback:
        pass
    return outcome


def _apply(importer: Importer, run: Run, line: int, values: dict[str, Any] | None, columns: dict[str, str]) -> list[RowError]:
    """One row (or, with ``values`` None, the rows' combined record) in a savepoint: its errors, or none."""
    by_field = {name: column for column, name in columns.items()}
    try:
        with transaction.atomic():
            if values is None:
                importer.finish(run)
            else:
                importer.apply(run, line, values)
    except RowFailed as exc:
        return [RowError(n, by_field.get(name, ""), message) for n, name, message in exc.errors]
    except PermissionDenied:
        raise
    except ApplicationError as exc:
        return _errors_of(exc, line, importer, columns)
    return []


# Jobs -----------------------------------------------------------------------------------------


def _locked_job(company: Company, job_id: int) -> ImportJob:
    job = ImportJob.objects.select_for_update().filter(pk=job_id, company=company).first()
    if job is None:
        raise NotFound("No such import.")
    return job


def _save_outcome(job: ImportJob, outcome: Outcome) -> None:
    job.total_rows = outcome.total
    job.processed_rows = outcome.total
    job.created_count = outcome.imported
    job.skipped_count = outcome.skipped
    job.error_count = len(outcome.errors)
    job.errors = [{"line": e.line, "column": e.column, "message": e.message} for e in outcome.errors[:KEPT_ERRORS]]


@transaction.atomic
def job_upload(
    *, actor: User, company: Company, kind: str, file_name: str, content: bytes, options: dict[str, Any] | None = None
) -> ImportJob:
    """Keep an uploaded file for import, map its columns by their headers, and check it at once (dry run).

    Raises ValidationFailed for an unknown kind or a file that cannot be read, PermissionDenied
    when the actor may not write this kind of record.
    """
    importer = importer_for(kind)
    require(actor, "imports.use", company)
    require(actor, importer.permission, company)
    table = read(content)
    job = ImportJob(
        company=company,
        created_by=actor,
        kind=kind,
        file_name=(file_name or "upload").rsplit("/", 1)[-1][:200],
        file_format=table.file_format,
        content=content,
        headers=table.headers,
        mapping=auto_mapping(importer, table.headers),
        options={k: v for k, v in (options or {}).items() if isinstance(v, str | bool)},
        total_rows=len(table.rows),
    )
    job.save()
    audit.record(actor=actor, target=job, action="uploaded", company_id=company.pk)
    _check(job, actor, table)
    return job


def _check(job: ImportJob, actor: User, table: Table) -> None:
    try:
        outcome = import_rows(
            actor=actor, company=job.company, kind=job.kind, table=table, mapping=job.mapping, options=job.options, commit=False
        )
    except ValidationFailed as exc:
        # A mapping or an option to fix is the file's error, shown like the rows' ones.
        messages = [m for msgs in exc.field_errors.values() for m in msgs] or [exc.message]
        outcome = Outcome(total=len(table.rows), errors=[RowError(0, "", m) for m in messages])
    _save_outcome(job, outcome)
    job.processed_rows = 0
    job.state = ImportJob.State.CHECKED
    job.message = ""
    job.save()


@transaction.atomic
def job_check(
    *, actor: User, company: Company, job_id: int, mapping: dict[str, str], options: dict[str, Any] | None = None
) -> ImportJob:
    """Change an import's column mapping and options, and check the file again (dry run, nothing written)."""
    require(actor, "imports.use", company)
    job = _locked_job(company, job_id)
    if job.state not in (ImportJob.State.UPLOADED, ImportJob.State.CHECKED):
        raise StateError("This import ran already; upload the file again to import it once more.")
    job.mapping = {h: mapping.get(h, "") for h in job.headers if h}
    job.options = {k: v for k, v in (options or {}).items() if isinstance(v, str | bool)}
    _check(job, actor, read(bytes(job.content)))
    return job


@transaction.atomic
def job_commit(*, actor: User, company: Company, job_id: int) -> ImportJob:
    """Import a checked file: at once when it is small, else by the background worker (the job shows its progress).

    Raises StateError unless the last check found no errors.
    """
    require(actor, "imports.use", company)
    job = _locked_job(company, job_id)
    if not job.can_commit():
        raise StateError("Only a checked file without errors can be imported; fix the rows shown and check it again.")
    require(actor, importer_for(job.kind).permission, company)
    if job.total_rows <= SYNC_ROWS:
        job.state = ImportJob.State.RUNNING
        _execute(job, actor, None)
        return job
    from spona.bridge.imports import tasks

    job.state = ImportJob.State.QUEUED
    job.processed_rows = 0
    job.save(update_fields=["state", "processed_rows", "updated_at"])
    transaction.on_commit(lambda: tasks.import_run.enqueue(job.pk))
    return job


def _execute(job: ImportJob, actor: User, progress: Progress | None) -> None:
    try:
        outcome = import_rows(
            actor=actor,
            company=job.company,
            kind=job.kind,
            table=read(bytes(job.content)),
            mapping=job.mapping,
            options=job.options,
            commit=True,
            progress=progress,
        )
    except ApplicationError as exc:
        outcome = Outcome(total=job.total_rows, errors=[RowError(0, "", exc.message)])
    _save_outcome(job, outcome)
    job.state = ImportJob.State.DONE if outcome.committed else ImportJob.State.FAILED
    job.message = (
        f"{outcome.imported} rows imported, {outcome.skipped} skipped."
        if outcome.committed
        else f"{len(outcome.errors)} {'error' if len(outcome.errors) == 1 else 'errors'}; nothing was imported."
    )
    job.finished_at = timezone.now()
    if outcome.committed:
        # The file served its purpose; the job keeps the report, not the data.
        job.content = b""
    job.save()


def job_run(*, job_id: int, progress: Progress | None = None) -> str:
    """Run a queued import (the worker's task): claim it, import all or nothing, store the outcome.

    Runs once: a job that is no longer queued (run already, or claimed by another worker) is left alone.
    """
    with transaction.atomic():
        # Only the job's own row: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join (created_by).
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state != ImportJob.State.QUEUED:
            return "skipped"
        job.state = ImportJob.State.RUNNING
        job.save(update_fields=["state", "updated_at"])
    # Not locked: the claim above makes this worker the only one on the job, and the progress
    # writer updates the row from another connection while the import runs.
    with transaction.atomic():
        job = ImportJob.objects.select_related("company", "created_by").get(pk=job_id)
        if job.created_by is None:
            job.state, job.message = ImportJob.State.FAILED, "The person who started this import no longer exists."
            job.save(update_fields=["state", "message", "updated_at"])
        else:
            _execute(job, job.created_by, progress)
    return job.state
