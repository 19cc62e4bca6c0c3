"""Macros: canned replies with variables, and the status or priority they set when applied."""

from __future__ import annotations

import re

from spona.core import audit
from spona.core.db import service_atomic
from spona.core.errors import ValidationFailed
from spona.core.models import Company, User
from spona.core.permissions import require
from spona.core.services.base import full_clean_or_raise
from spona.front.support.models import Macro, Ticket

VARIABLE = re.compile(r"\{\{\s*(\w+)\s*\}\}")
VARIABLES = ("customer", "agent", "number", "subject")


@service_atomic
def macro_create(
    *, actor: User | None, company: Company, name: str, body: str, set_status: str = "", set_priority: str = ""
) -> Macro:
    """Add a macro; its body may use {{ customer }}, {{ agent }}, {{ number }} and {{ subject }}."""
    if actor is not None:
        require(actor, "support.configure", company)
    unknown = sorted({v for v in VARIABLE.findall(body) if v not in VARIABLES})
    if unknown:
        raise ValidationFailed(f"Unknown variable {unknown[0]}.", field_errors={"body": [f"Use only {', '.join(VARIABLES)}."]})
    macro = Macro(company=company, name=name.strip(), body=body, set_status=set_status, set_priority=set_priority)
    full_clean_or_raise(macro, exclude=["company"])
    macro.save()
    audit.record(actor=actor, target=macro, action="created")
    return macro


def macro_render(*, macro: Macro, ticket: Ticket, agent: User) -> str:
    """The macro's text with the ticket's values filled in (plain text; escaped when shown)."""
    customer = ticket.contact or ticket.party
    values = {
        "customer": customer.name if customer else ticket.requester_email or "",
        "agent": agent.full_name,
        "number": ticket.number,
        "subject": ticket.subject,
    }
    return VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), macro.body)
