"""Typed factories for the kernel; domain apps add theirs beside their tests."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from spona.core import services
from spona.core.models import Company, Event, EventDelivery, Membership, Party, User

PASSWORD = "correct-horse-battery"


class CompanyFactory(DjangoModelFactory[Company]):
    class Meta:
        model = Company
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Company {n}")
    code = factory.Sequence(lambda n: f"co{n}")
    base_currency = "EUR"
    country = "RS"


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


def member(company: Company, *roles: str, party: Party | None = None, **user_fields: object) -> User:
    """A user holding ``roles`` in ``company``."""
    user = UserFactory(default_company=company, **user_fields)
    for role in roles:
        Membership.objects.create(user=user, company=company, role=role, party=party if role == "portal" else None)
    return user


def party(company: Company, name: str = "", kind: str = "organisation", **fields: object) -> Party:
    """Register a party through the service, as a user would."""
    data = services.PartyInput(kind=kind, name=name or f"Party {Party.objects.count() + 1}", **fields)  # type: ignore[arg-type]
    return services.party_create(actor=None, company=company, data=data)


def dead_letter(party: Party, last_error: str = "boom") -> EventDelivery:
    """A delivery of the party's registration that failed for good (to automation's rules, a real handler).

    The timeline is written with each event and has no deliveries, so outbox tests make their own.
    """
    event = Event.objects.filter(party=party, name="core.party_created").get()
    return EventDelivery.objects.create(
        event=event, handler="automation.rules", status=EventDelivery.Status.DEAD, attempts=8, last_error=last_error
    )


def deliver_events() -> int:
    """Deliver every due event now.

    Tests run inside a transaction that never commits, so the after-commit dispatch of the
    embedded mode does not fire; this does what the worker would.
    """
    from spona.core import events

    delivered = 0
    while True:
        batch = events.dispatch_due(limit=500)
        delivered += batch
        if batch == 0:
            return delivered
