"""Demo data of the portal: the demo customer's contact has asked something through the portal.

The kernel's demo makes the portal login (``portal@…``) for the first customer; finance and
support give that customer invoices and tickets among the others'. This step adds what only the
portal makes: a ticket the contact opened in the portal, answered by the support agent, with an
internal note the contact never sees. It runs after support's step and adds nothing when the
ticket is there.
"""

from __future__ import annotations

from spona.core.demo import DemoContext, register_step
from spona.front.portal.selectors import portal_customer
from spona.front.support.selectors import party_tickets
from spona.front.support.services import portal_ticket_create, ticket_reply

SUBJECT = "Where can I see our delivery notes?"


def build_portal(ctx: DemoContext) -> None:
    contact, agent = ctx.users.get("portal"), ctx.users.get("support")
    if contact is None or agent is None:
        return
    customer = portal_customer(user=contact, company=ctx.company)
    if any(t.subject == SUBJECT for t in party_tickets(company=ctx.company, party_id=customer.pk, limit=200)):
        return
    ticket = portal_ticket_create(
        actor=contact,
        company=ctx.company,
        subject=SUBJECT,
        text="Hello, our accounting asks for the delivery notes of last month. Where do I find them?",
    )
    ticket_reply(actor=agent, company=ctx.company, ticket_id=ticket.pk, text="Customer asked about delivery notes.", note=True)
    ticket_reply(
        actor=agent,
        company=ctx.company,
        ticket_id=ticket.pk,
        text="Hello, every delivery is under Deliveries in the portal, with its lines and the date it left our warehouse.",
        status="pending_customer",
    )


register_step("portal.conversation", build_portal, order=650)
