"""Administration: users and their roles, company settings, the audit log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from spona.core import selectors, services
from spona.core.errors import ApplicationError, NotFound, ValidationFailed
from spona.core.models import Role, User
from spona.web.forms import AuditFilterForm, CompanyForm, InviteUserForm, RolesForm
from spona.web.views.base import apply_error, company_view

ROLE_LABELS = dict(Role.choices)


def _users_crumbs(*items: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("Users"), reverse("web:user_list")), *items]


def _roles_here(user: User, company_id: int) -> list[str]:
    """The user's roles in this company, read from the prefetched memberships."""
    return sorted(m.role for m in user.memberships.all() if m.company_id == company_id)


@require_GET
@company_view("core.manage_users")
def user_list(request: HttpRequest) -> HttpResponse:
    """List the company's users with their roles and whether they can log in."""
    company = request.company  # type: ignore[attr-defined]
    users = [
        {"user": u, "roles": [ROLE_LABELS.get(r, r) for r in _roles_here(u, company.pk)]}
        for u in selectors.user_list(user=request.user, company=company)  # type: ignore[arg-type]
    ]
    return render(request, "web/user_list.html", {"users": users, "breadcrumbs": _users_crumbs()})


def send_invitation(request: HttpRequest, user: User) -> None:
    """Mail a new user a link to set their password (Django's password-reset token), in their language."""
    context = {
        "user": user,
        "inviter": request.user,
        "company": request.company,  # type: ignore[attr-defined]
        "link": request.build_absolute_uri(
            reverse(
                "web:password_reset_confirm",
                kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)},
            )
        ),
    }
    with translation.override(user.language):
        subject = render_to_string("web/email/invitation_subject.txt", context).strip()
        body = render_to_string("web/email/invitation.txt", context)
    send_mail(subject, body, None, [user.email])


@company_view("core.manage_users")
def user_invite(request: HttpRequest) -> HttpResponse:
    """Create a user with roles and e-mail them a link to set their password."""
    form = InviteUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(
                actor=request.user,  # type: ignore[arg-type]
                company=request.company,  # type: ignore[attr-defined]
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                roles=form.cleaned_data["roles"],
                language=form.cleaned_data["language"],
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            # After the service's transaction: the mail goes out only for a user that exists.
            send_invitation(request, user)
            messages.success(request, _("%(email)s is invited and will receive an e-mail.") % {"email": user.email})
            return redirect("web:user_list")
    return render(
        request,
        "web/user_invite.html",
        {"form": form, "breadcrumbs": _users_crumbs((_("Invite a user"), None))},
        status=422 if form.errors else 200,
    )


@company_view("core.manage_users")
def user_roles(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a user's roles in the current company."""
    company = request.company  # type: ignore[attr-defined]
    target = selectors.user_list(user=request.user, company=company).filter(pk=pk).first()  # type: ignore[arg-type]
    if target is None:
        raise Http404
    form = RolesForm(request.POST or None, initial={"roles": _roles_here(target, company.pk)})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_roles(actor=request.user, company=company, user_id=target.pk, roles=form.cleaned_data["roles"])  # type: ignore[arg-type]
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The roles of %(name)s are saved.") % {"name": target})
            return redirect("web:user_list")
    return render(
        request,
        "web/user_roles.html",
        {"form": form, "target": target, "breadcrumbs": _users_crumbs((str(target), None))},
        status=422 if form.errors else 200,
    )


@require_POST
@company_view("core.manage_users")
def user_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate or reactivate a user; a deactivated user cannot log in."""
    active = request.POST.get("active") == "1"
    try:
        user = services.user_set_active(actor=request.user, company=request.company, user_id=pk, active=active)  # type: ignore[arg-type,attr-defined]
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        text = _("%(name)s can log in again.") if active else _("%(name)s can no longer log in.")
        messages.success(request, text % {"name": user})
    return redirect("web:user_list")


@company_view("core.manage_company")
def company_settings(request: HttpRequest) -> HttpResponse:
    """Change the current company's settings."""
    company = request.company  # type: ignore[attr-defined]
    form = CompanyForm(request.POST or None, initial=CompanyForm.initial_for(company))
    if request.method == "POST" and form.is_valid():
        changes = {name: value for name, value in form.cleaned_data.items() if value != form.initial.get(name)}
        try:
            if changes:
                services.company_update(actor=request.user, company_id=company.pk, **changes)  # type: ignore[arg-type]
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The company settings are saved."))
            return redirect("web:company_settings")
    return render(
        request,
        "web/company_settings.html",
        {"form": form, "breadcrumbs": [(_("Company settings"), None)]},
        status=422 if form.errors else 200,
    )


@require_GET
@company_view("core.view_audit")
def audit_log(request: HttpRequest) -> HttpResponse:
    """List the company's audit trail with filters by person, action, record type and dates."""
    user, company = request.user, request.company  # type: ignore[attr-defined]
    form = AuditFilterForm(request.GET, options=selectors.audit_filter_options(user=user, company=company))  # type: ignore[arg-type]
    form.is_valid()
    data = form.cleaned_data
    filters = {
        "actor_id": data.get("actor"),
        "action": data.get("action") or "",
        "target_type": data.get("target_type") or "",
        "date_from": data.get("date_from"),
        "date_to": data.get("date_to"),
    }
    try:
        page = selectors.audit_list(user=user, company=company, cursor=data.get("cursor") or None, **filters)  # type: ignore[arg-type]
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        page = selectors.audit_list(user=user, company=company, **filters)  # type: ignore[arg-type]
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(
        request,
        "web/audit_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "first_page": bool(request.GET.get("cursor")),
            "breadcrumbs": [(_("Audit log"), None)],
        },
    )


@require_GET
@company_view("core.manage_events")
def outbox(request: HttpRequest) -> HttpResponse:
    """Show the health of event delivery and the dead letters, each with a replay button."""
    user, company = request.user, request.company  # type: ignore[attr-defined]
    return render(
        request,
        "web/outbox.html",
        {
            "stats": selectors.outbox_stats(user=user, company=company),  # type: ignore[arg-type]
            "dead_letters": selectors.dead_letter_list(user=user, company=company, limit=100),  # type: ignore[arg-type]
            "breadcrumbs": [(_("Event outbox"), None)],
        },
    )


@require_POST
@company_view("core.manage_events")
def outbox_replay(request: HttpRequest) -> HttpResponse:
    """Replay one dead letter (``delivery``) or, with ``all``, every dead letter of the company."""
    user, company = request.user, request.company  # type: ignore[attr-defined]
    try:
        if request.POST.get("all"):
            count = services.delivery_replay_all(actor=user, company=company)  # type: ignore[arg-type]
            text = ngettext("%(count)d delivery is queued again.", "%(count)d deliveries are queued again.", count)
            messages.success(request, text % {"count": count})
        else:
            services.delivery_replay(actor=user, company=company, delivery_id=int(request.POST.get("delivery", "")))  # type: ignore[arg-type]
            messages.success(request, _("The delivery is queued again."))
    except ValueError:
        messages.error(request, _("Choose a delivery to replay."))
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("web:outbox")
