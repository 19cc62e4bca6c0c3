"""Import and export screens: upload a file, map its columns, see the dry run's errors, import, watch the progress."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from spona.bridge.imports import exports, registry, selectors, services
from spona.bridge.imports.forms import MappingForm, UploadForm
from spona.bridge.imports.models import ImportJob
from spona.core.errors import ApplicationError
from spona.core.models import Company, User
from spona.web.views.base import company_view

FORMATS = ("csv", "xlsx")


def _caller(request: HttpRequest) -> tuple[User, Company]:
    return request.user, request.company  # type: ignore[attr-defined,return-value]


def _crumbs(*items: tuple[Any, str | None]) -> list[tuple[Any, str | None]]:
    return [(_("Imports and exports"), reverse("imports:job_list")), *items]


@company_view("imports.use")
def job_list(request: HttpRequest) -> HttpResponse:
    """Upload a file to import (it is checked at once), export a kind, and see the latest imports."""
    user, company = _caller(request)
    importers = registry.kinds_for(user, company)
    # ?kind=leads preselects a kind: an app's own "Import" button (the lead list's) lands here.
    form = UploadForm(
        request.POST or None, request.FILES or None, importers=importers, initial={"kind": request.GET.get("kind", "")}
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.job_upload(
                actor=user, company=company, kind=form.cleaned_data["kind"], file_name=upload.name, content=upload.read()
            )
        except ApplicationError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("imports:job_detail", pk=job.pk)
    return render(
        request,
        "imports/job_list.html",
        {
            "form": form,
            "importers": importers,
            "jobs": selectors.job_list(user=user, company=company),
            "breadcrumbs": _crumbs(),
        },
    )


def _detail(request: HttpRequest, job: ImportJob, form: MappingForm | None = None, status: int = 200) -> HttpResponse:
    importer = services.importer_for(job.kind)
    if form is None:
        initial = MappingForm.initial_for(job.mapping, job.headers, job.options)
        form = MappingForm(initial=initial, importer=importer, headers=job.headers)
    return render(
        request,
        "imports/job_detail.html",
        {"job": job, "importer": importer, "form": form, "breadcrumbs": _crumbs((job.file_name, None))},
        status=status,
    )


@require_GET
@company_view("imports.use")
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One import: its column mapping and options, the dry run's errors, and the import button or progress."""
    user, company = _caller(request)
    return _detail(request, selectors.job_get(user=user, company=company, job_id=pk))


@require_POST
@company_view("imports.use")
def job_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the mapping and options, and check the file again (nothing is written)."""
    user, company = _caller(request)
    job = selectors.job_get(user=user, company=company, job_id=pk)
    form = MappingForm(request.POST, importer=services.importer_for(job.kind), headers=job.headers)
    if not form.is_valid():
        return _detail(request, job, form, status=422)
    try:
        services.job_check(actor=user, company=company, job_id=job.pk, mapping=form.mapping(), options=form.options())
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("imports:job_detail", pk=job.pk)


@require_POST
@company_view("imports.use")
def job_commit(request: HttpRequest, pk: int) -> HttpResponse:
    """Import the checked file, all rows or none; a large one goes to the background worker."""
    user, company = _caller(request)
    job = selectors.job_get(user=user, company=company, job_id=pk)
    try:
        job = services.job_commit(actor=user, company=company, job_id=job.pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if job.state == ImportJob.State.DONE:
            messages.success(request, _("%(count)d rows imported.") % {"count": job.created_count})
        elif job.state == ImportJob.State.FAILED:
            messages.error(request, _("Nothing was imported: %(message)s") % {"message": job.message})
    return redirect("imports:job_detail", pk=job.pk)


@require_GET
@company_view("imports.use")
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar alone, polled by htmx while the import runs."""
    user, company = _caller(request)
    job = selectors.job_get(user=user, company=company, job_id=pk)
    return render(request, "imports/partials/_progress.html", {"job": job})


@require_GET
@company_view("imports.use")
def export(request: HttpRequest) -> HttpResponse:
    """Download every record of a kind as CSV (streamed) or XLSX, with the columns its import reads."""
    user, company = _caller(request)
    kind, file_format = request.GET.get("kind", ""), request.GET.get("format", "csv")
    if kind not in registry.REGISTRY or file_format not in FORMATS:
        return HttpResponse(_("Choose a kind and a format (csv or xlsx)."), status=400, content_type="text/plain")
    name = f"{company.code}-{kind}-{timezone.localdate().isoformat()}.{file_format}"
    if file_format == "xlsx":
        return FileResponse(exports.xlsx_file(actor=user, company=company, kind=kind), as_attachment=True, filename=name)
    response = StreamingHttpResponse(exports.csv_stream(actor=user, company=company, kind=kind), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
