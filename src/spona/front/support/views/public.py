"""Public support pages under /help/<company code>/: the contact form (spam-protected like the CRM's
lead form), the one-click satisfaction survey (a signed link) and the public knowledge base."""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from spona.core.errors import ApplicationError, NotFound
from spona.core.models import Company, User
from spona.front.support import selectors, services
from spona.front.support.forms import ChatStartForm, CsatCommentForm, PublicTicketForm
from spona.front.support.services.csat import ticket_of_token
from spona.web.client import client_ip
from spona.web.views.base import apply_error

DEFAULT_RATE_LIMIT = 5  # posts per address and window; settings.SUPPORT_WEB_FORM_RATE overrides
RATE_WINDOW = 600


def _company(code: str):  # type: ignore[no-untyped-def]
    try:
        return selectors.company_public(code=code)
    except NotFound:
        raise Http404 from None


def _over_limit(request: HttpRequest, code: str, kind: str = "webform") -> bool:
    key = f"support:{kind}:" + hashlib.sha256(f"{code}|{client_ip(request)}".encode()).hexdigest()[:32]
    if cache.add(key, 1, RATE_WINDOW):
        return False
    try:
        return cache.incr(key) > getattr(settings, "SUPPORT_WEB_FORM_RATE", DEFAULT_RATE_LIMIT)
    except ValueError:
        cache.set(key, 1, RATE_WINDOW)
        return False


@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest, code: str) -> HttpResponse:
    """The public contact form: a message becomes a ticket (channel web); bots see the same thanks."""
    company = _company(code)
    template = "support/public_contact.html"
    if request.method == "GET":
        form = PublicTicketForm(initial={"started": PublicTicketForm.stamp()})
        suggestions = selectors.public_articles(company=company, q=request.GET.get("q", "")[:200]) if request.GET.get("q") else []
        return render(request, template, {"form": form, "company": company, "suggestions": suggestions[:5]})
    if _over_limit(request, code):
        return render(request, template, {"company": company, "limited": True}, status=429)
    form = PublicTicketForm(request.POST)
    if form.is_valid():
        if form.is_spam():
            return render(request, template, {"company": company, "thanks": True})
        d = form.cleaned_data
        try:
            services.web_ticket_create(company=company, name=d["name"], email=d["email"], subject=d["subject"], text=d["text"])
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            return render(request, template, {"company": company, "thanks": True})
    return render(request, template, {"form": form, "company": company}, status=422)


@require_http_methods(["GET", "POST"])
def csat(request: HttpRequest, token: str, rating: str) -> HttpResponse:
    """One click records the rating; the page then offers a comment box."""
    try:
        ticket = ticket_of_token(token)
    except NotFound:
        raise Http404 from None
    form = CsatCommentForm(request.POST or None)
    comment = form.cleaned_data["comment"] if request.method == "POST" and form.is_valid() else ""
    try:
        answer = services.satisfaction_record(token=token, rating=rating, comment=comment)
    except ApplicationError as exc:
        return render(request, "support/public_csat.html", {"error": exc.message, "ticket": ticket}, status=409)
    return render(
        request, "support/public_csat.html", {"answer": answer, "ticket": ticket, "form": form, "commented": bool(comment)}
    )


def _portal_user(request: HttpRequest, company: Company) -> User | None:
    """The logged-in portal user of this company (who chats as their organisation), else None."""
    user = request.user
    if not user.is_authenticated:
        return None
    try:
        services.portal_party(user, company)  # type: ignore[arg-type]
    except ApplicationError:
        return None
    return user  # type: ignore[return-value]


def _chat_key(company: Company) -> str:
    return f"support_chat_{company.pk}"


def _chat_context(request: HttpRequest, company: Company, form: ChatStartForm | None = None) -> dict[str, object]:
    """The chat widget: the live chat this browser has open here, or the form that starts one."""
    token = request.session.get(_chat_key(company), "")
    chat = None
    if token:
        try:
            chat = services.session_of_token(token)
        except NotFound:
            token = ""
    portal = _portal_user(request, company) is not None
    return {
        "chat": chat,
        "chat_token": token if chat is not None and not chat.is_ended() else "",
        "chat_socket": f"/ws/support/chat/?{urlencode({'token': token})}",
        "chat_form": form or ChatStartForm(portal=portal),
        "company": company,
    }


@require_GET
def help_index(request: HttpRequest, code: str) -> HttpResponse:
    company = _company(code)
    q = request.GET.get("q", "")[:200]
    articles = selectors.public_articles(company=company, q=q)
    return render(request, "support/public_help.html", {**_chat_context(request, company), "articles": articles, "q": q})


@require_http_methods(["GET", "POST"])
def chat(request: HttpRequest, code: str) -> HttpResponse:
    """The chat widget on its own page; POST starts a chat (per-address limit as for the contact form)."""
    company = _company(code)
    template = "support/public_chat.html"
    if request.method == "GET":
        return render(request, template, _chat_context(request, company))
    if _over_limit(request, code, "chat"):
        return render(request, template, {"company": company, "limited": True}, status=429)
    portal_user = _portal_user(request, company)
    form = ChatStartForm(request.POST, portal=portal_user is not None)
    if form.is_valid():
        d = form.cleaned_data
        try:
            session = services.chat_start(
                company=company, name=d.get("name", ""), email=d.get("email", ""), text=d["text"], portal_user=portal_user
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            request.session[_chat_key(company)] = services.chat_token(session)
            return redirect("support_public:chat", code=company.code)
    return render(request, template, _chat_context(request, company, form), status=422)


@require_POST
def chat_end(request: HttpRequest, code: str) -> HttpResponse:
    """The visitor ends their chat: the transcript is filed on a ticket and the widget offers a new chat."""
    company = _company(code)
    token = request.session.get(_chat_key(company), "")
    try:
        session = services.session_of_token(token)
        services.chat_end(actor=None, company=company, session_id=session.pk)
    except ApplicationError:
        raise Http404 from None
    return redirect("support_public:chat", code=company.code)


@require_GET
def help_article(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    company = _company(code)
    try:
        article = selectors.public_article(company=company, slug=slug)
    except NotFound:
        raise Http404 from None
    return render(
        request, "support/public_article.html", {"company": company, "article": article, "voted": request.GET.get("voted")}
    )


@require_POST
def help_feedback(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    """Count "was this helpful"; one vote per browser session and article."""
    company = _company(code)
    try:
        article = selectors.public_article(company=company, slug=slug)
    except NotFound:
        raise Http404 from None
    voted = request.session.setdefault("support_votes", [])
    if article.pk not in voted:
        services.article_feedback(company=company, article_id=article.pk, helpful=request.POST.get("helpful") == "yes")
        request.session["support_votes"] = [*voted, article.pk][-200:]
    return redirect(f"{request.path.rsplit('feedback/', 1)[0]}?voted=1")
