"""The kernel's REST endpoints: companies, users, parties and their links, tokens, event dead letters.

Thin by rule: each endpoint parses its input into an explicit schema, calls one service or
selector with ``request.user`` and ``request.company`` (set by the API's authentication), and
shapes the answer. Input schemas list the writable fields and refuse any other (SEC2), so
company, version counters, merge state, authorship and ids cannot be set from a body. Ids
from the client are looked up within the caller's company: another company's id answers 404.
Errors are raised as ``spona.core.errors`` and answered as problem JSON by the API layer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.db.models import Q, QuerySet, TextChoices
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import AfterValidator, AwareDatetime, ConfigDict

from spona.core import search, selectors, services
from spona.core.errors import NotFound, PermissionDenied
from spona.core.models import (
    Address,
    Company,
    EventDelivery,
    Party,
    PartyRole,
    PersonalAccessToken,
    Relationship,
    Role,
    User,
)
from spona.core.permissions import require

router = Router()


def _one_of(choices: type[TextChoices]) -> Any:
    """The choices' values as a Literal, so the schema lists them and pydantic enforces them."""
    return Literal[tuple(choices.values)]


def _clean_text(value: str) -> str:
    # PostgreSQL refuses NUL in text and UTF-8 refuses lone surrogates: refuse them as input
    # errors (422) instead of letting the database fail (500).
    if "\x00" in value:
        raise ValueError("Text may not contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("Text must be valid Unicode.") from None
    return value


Text = Annotated[str, AfterValidator(_clean_text)]
# Ids are database keys (64-bit); anything outside is no id at all.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
PartyKind = _one_of(Party.Kind)
PartyRoleName = _one_of(PartyRole.Kind)
AddressKind = _one_of(Address.Kind)
LinkKind = _one_of(Relationship.Kind)
RoleName = _one_of(Role)
Scope = _one_of(PersonalAccessToken.Scope)
Rounding = _one_of(Company.Rounding)
TaxRounding = _one_of(Company.TaxRounding)
DeliveryStatus = _one_of(EventDelivery.Status)


class Input(Schema):
    """Base of every request body: a field that is not writable is refused, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class PageParams(Schema):
    cursor: Text | None = Field(None, max_length=500, description="The `next_cursor` of the previous page.")
    limit: int = Field(50, ge=1, le=200)


def _caller(request: HttpRequest) -> tuple[User, Company]:
    return request.user, request.company  # type: ignore[attr-defined,return-value]


def _keyset_page(qs: QuerySet[Any], field: str, cursor: str | None, limit: int) -> tuple[list[Any], str | None]:
    """Cut one page out of ``qs`` ordered by (``field``, id), for lists whose selector returns a queryset."""
    if cursor:
        value, pk = selectors.decode_cursor(cursor)
        qs = qs.filter(Q(**{f"{field}__gt": value}) | Q(**{field: value, "pk__gt": pk}))
    rows = list(qs.order_by(field, "pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, selectors.encode_cursor([getattr(rows[-1], field), rows[-1].pk]) if more else None


# Companies -----------------------------------------------------------------------------------


class CompanyOut(Schema):
    id: int
    name: str
    code: str
    base_currency: str
    locale: str
    time_zone: str
    country: str
    tax_id: str
    fiscal_year_start_month: int
    rounding: Rounding
    tax_rounding: TaxRounding
    is_active: bool


class CompanyPatch(Input):
    """The company settings an administrator may change; omitted fields stay as they are."""

    name: Text | None = Field(None, min_length=1, max_length=200)
    base_currency: Text | None = Field(None, min_length=3, max_length=3)
    locale: Text | None = Field(None, max_length=10)
    time_zone: Text | None = Field(None, max_length=64)
    country: Text | None = Field(None, max_length=2)
    tax_id: Text | None = Field(None, max_length=40)
    fiscal_year_start_month: int | None = Field(None, ge=1, le=12)
    rounding: Rounding | None = None
    tax_rounding: TaxRounding | None = None


def _my_companies(request: HttpRequest) -> QuerySet[Company]:
    user, company = _caller(request)
    companies = selectors.company_list(user=user)
    # A token works in its own company only; a session sees every company of its user.
    if isinstance(request.auth, PersonalAccessToken):  # type: ignore[attr-defined]
        companies = companies.filter(pk=company.pk)
    return companies


@router.get("/companies", response=list[CompanyOut], tags=["companies"])
def list_companies(request: HttpRequest) -> Any:
    """List the companies you work in (a token sees only its own company)."""
    return list(_my_companies(request))


@router.get("/companies/{company_id}", response=CompanyOut, tags=["companies"])
def get_company(request: HttpRequest, company_id: Id) -> Any:
    """Return one of your companies."""
    company = _my_companies(request).filter(pk=company_id).first()
    if company is None:
        raise NotFound("No such company.")
    return company


@router.patch("/companies/{company_id}", response=CompanyOut, tags=["companies"])
def update_company(request: HttpRequest, company_id: Id, payload: CompanyPatch) -> Any:
    """Change a company's settings (administrators of that company)."""
    if not _my_companies(request).filter(pk=company_id).exists():
        raise NotFound("No such company.")
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    return services.company_update(actor=request.user, company_id=company_id, **changes)  # type: ignore[arg-type]


# Users ----------------------------------------------------------------------------------------


class UserOut(Schema):
    id: int
    email: str
    full_name: str
    language: str
    is_active: bool
    roles: list[RoleName] = Field(description="The user's roles in the company of the call.")


class UserPage(Schema):
    items: list[UserOut]
    next_cursor: str | None


class UserIn(Input):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"email": "nina@example.com", "full_name": "Nina Novak", "roles": ["sales", "support"]}]}
    )

    email: Text = Field(max_length=254)
    full_name: Text = Field(min_length=1, max_length=200)
    roles: list[RoleName] = Field(min_length=1, max_length=len(Role.values))
    language: Text = Field("en", max_length=10)
    password: Text | None = Field(None, max_length=128, description="Optional; without it the user cannot sign in yet.")
    portal_party_id: Id | None = Field(None, description="For the portal role: the customer the user belongs to.")


class RolesIn(Input):
    roles: list[RoleName] = Field(max_length=len(Role.values))


def _user_out(user: User, company: Company) -> dict[str, Any]:
    roles = sorted(m.role for m in user.memberships.all() if m.company_id == company.pk)
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "language": user.language,
        "is_active": user.is_active,
        "roles": roles,
    }


def _user_in_company(request: HttpRequest, user_id: int) -> dict[str, Any]:
    actor, company = _caller(request)
    user = selectors.user_list(user=actor, company=company).filter(pk=user_id).first()
    if user is None:
        raise NotFound("No such user in this company.")
    return _user_out(user, company)


@router.get("/users", response=UserPage, tags=["users"])
def list_users(request: HttpRequest, page: Query[PageParams]) -> Any:
    """List the users of the company, by name (administrators)."""
    actor, company = _caller(request)
    rows, next_cursor = _keyset_page(selectors.user_list(user=actor, company=company), "full_name", page.cursor, page.limit)
    return {"items": [_user_out(u, company) for u in rows], "next_cursor": next_cursor}


@router.post("/users", response={201: UserOut}, tags=["users"])
def create_user(request: HttpRequest, payload: UserIn) -> Any:
    """Create a user with roles in the company (administrators)."""
    actor, company = _caller(request)
    portal_party = None
    if payload.portal_party_id is not None:
        portal_party = selectors.party_get(user=actor, company=company, party_id=payload.portal_party_id)
    user = services.user_create(
        actor=actor,
        company=company,
        email=payload.email,
        full_name=payload.full_name,
        roles=payload.roles,
        password=payload.password,
        portal_party=portal_party,
        language=payload.language,
    )
    return Status(201, _user_in_company(request, user.pk))


@router.patch("/users/{user_id}/roles", response=UserOut, tags=["users"])
def set_user_roles(request: HttpRequest, user_id: Id, payload: RolesIn) -> Any:
    """Replace a user's staff roles in the company (administrators; not your own admin role)."""
    actor, company = _caller(request)
    services.user_set_roles(actor=actor, company=company, user_id=user_id, roles=payload.roles)
    return _user_in_company(request, user_id)


@router.post("/users/{user_id}/deactivate", response=UserOut, tags=["users"])
def deactivate_user(request: HttpRequest, user_id: Id) -> Any:
    """Deactivate a user: they can no longer sign in or use their tokens (administrators)."""
    actor, company = _caller(request)
    services.user_set_active(actor=actor, company=company, user_id=user_id, active=False)
    return _user_in_company(request, user_id)


@router.post("/users/{user_id}/activate", response=UserOut, tags=["users"])
def activate_user(request: HttpRequest, user_id: Id) -> Any:
    """Reactivate a user (administrators)."""
    actor, company = _caller(request)
    services.user_set_active(actor=actor, company=company, user_id=user_id, active=True)
    return _user_in_company(request, user_id)


# Parties --------------------------------------------------------------------------------------


class AddressIO(Input):
    kind: AddressKind = "main"
    line1: Text = Field(min_length=1, max_length=200)
    line2: Text = Field("", max_length=200)
    postal_code: Text = Field("", max_length=20)
    city: Text = Field(min_length=1, max_length=100)
    region: Text = Field("", max_length=100)
    country: Text = Field(min_length=2, max_length=2)


class PartySummary(Schema):
    id: int
    kind: PartyKind
    name: str
    tax_id: str
    is_active: bool
    version: int = Field(description="Send it back with a change; a stale version answers 409.")
    roles: list[PartyRoleName]
    tags: list[str]
    emails: list[str]
    phones: list[str]

    @staticmethod
    def resolve_roles(obj: Party) -> list[str]:
        return sorted(r.role for r in obj.roles.all())

    @staticmethod
    def resolve_tags(obj: Party) -> list[str]:
        return sorted(t.name for t in obj.tags.all())

    @staticmethod
    def resolve_emails(obj: Party) -> list[str]:
        return [c.value for c in obj.contact_points.all() if c.kind == "email"]

    @staticmethod
    def resolve_phones(obj: Party) -> list[str]:
        return [c.value for c in obj.contact_points.all() if c.kind == "phone"]


class PartyOut(PartySummary):
    given_name: str
    family_name: str
    tax_country: str
    website: str
    language: str
    notes: str
    addresses: list[AddressIO]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_addresses(obj: Party) -> list[Address]:
        return list(obj.addresses.all())


class PartyPage(Schema):
    items: list[PartySummary]
    next_cursor: str | None = Field(description="Pass it as `cursor` for the next page; null on the last page.")


class PartyIn(Input):
    """A party as registered: who it is, how to reach it, which roles it plays."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "organisation",
                    "name": "Bora Trade d.o.o.",
                    "emails": ["office@bora.example"],
                    "phones": ["+381 11 3234567"],
                    "roles": ["customer"],
                    "tags": ["VIP"],
                    "addresses": [{"line1": "Knez Mihailova 1", "postal_code": "11000", "city": "Beograd", "country": "RS"}],
                },
                {"kind": "person", "given_name": "Jovana", "family_name": "Petrović", "roles": ["contact"]},
            ]
        }
    )

    kind: PartyKind
    name: Text = Field("", max_length=200, description="Required for organisations; built from the names for persons.")
    given_name: Text = Field("", max_length=100)
    family_name: Text = Field("", max_length=100)
    tax_id: Text = Field("", max_length=40)
    tax_country: Text = Field("", max_length=2)
    website: Text = Field("", max_length=200)
    language: Text = Field("", max_length=10)
    notes: Text = Field("", max_length=10000)
    emails: list[Text] = Field(default_factory=list, max_length=20)
    phones: list[Text] = Field(default_factory=list, max_length=20)
    addresses: list[AddressIO] = Field(default_factory=list, max_length=10)
    roles: list[PartyRoleName] = Field(default_factory=list, max_length=len(PartyRole.Kind.values))
    tags: list[Annotated[Text, Field(max_length=60)]] = Field(default_factory=list, max_length=50)


class PartyPatch(Input):
    """A change to a party: the version you read, and only the fields to change (lists are replaced)."""

    version: int = Field(ge=1, le=2**31 - 1, description="The version you read; a stale one answers 409.")
    kind: PartyKind | None = None
    name: Text | None = Field(None, max_length=200)
    given_name: Text | None = Field(None, max_length=100)
    family_name: Text | None = Field(None, max_length=100)
    tax_id: Text | None = Field(None, max_length=40)
    tax_country: Text | None = Field(None, max_length=2)
    website: Text | None = Field(None, max_length=200)
    language: Text | None = Field(None, max_length=10)
    notes: Text | None = Field(None, max_length=10000)
    emails: list[Text] | None = Field(None, max_length=20)
    phones: list[Text] | None = Field(None, max_length=20)
    addresses: list[AddressIO] | None = Field(None, max_length=10)
    roles: list[PartyRoleName] | None = Field(None, max_length=len(PartyRole.Kind.values))
    tags: list[Annotated[Text, Field(max_length=60)]] | None = Field(None, max_length=50)


class MergeIn(Input):
    merge_id: Id = Field(description="The duplicate to merge into this party; it is retired.")


class PartyRef(Schema):
    id: int
    name: str


class LinkOut(Schema):
    id: int
    kind: LinkKind
    title: str
    from_party: PartyRef
    to_party: PartyRef


class LinkIn(Input):
    to_party_id: Id
    kind: LinkKind
    title: Text = Field("", max_length=100, description="For works_at: the person's job title.")


class TimelineOut(Schema):
    id: int
    department: str
    title: str
    detail: str
    occurred_at: datetime


def _party_input(data: dict[str, Any]) -> services.PartyInput:
    addresses = [services.AddressInput(**a) for a in data.pop("addresses", [])]
    return services.PartyInput(**data, addresses=addresses)


def _current_input(party: Party) -> dict[str, Any]:
    """The party as it is, in the shape of PartyIn, so a patch can replace only what it names."""
    return {
        **{f: getattr(party, f) for f in PartyIn.model_fields if f not in ("emails", "phones", "addresses", "roles", "tags")},
        "emails": PartySummary.resolve_emails(party),
        "phones": PartySummary.resolve_phones(party),
        "addresses": [AddressIO.model_validate(a).model_dump() for a in party.addresses.all()],
        "roles": PartySummary.resolve_roles(party),
        "tags": PartySummary.resolve_tags(party),
    }


class PartyFilters(PageParams):
    q: Text = Field("", max_length=200, description="Matches name, e-mail, phone and tax id.")
    kind: PartyKind | None = None
    role: PartyRoleName | None = None
    tag: Text = Field("", max_length=60)
    active: Literal["true", "false", "any"] = Field("true", description="Active parties (default), inactive ones, or any.")


@router.get("/parties", response=PartyPage, tags=["parties"])
def list_parties(request: HttpRequest, filters: Query[PartyFilters]) -> Any:
    """List parties by name, a page at a time (keyset pagination: stable while rows are added)."""
    user, company = _caller(request)
    page = selectors.party_list(
        user=user,
        company=company,
        q=filters.q,
        kind=filters.kind or "",
        role=filters.role or "",
        tag=filters.tag,
        active={"true": True, "false": False, "any": None}[filters.active],
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/parties", response={201: PartyOut}, tags=["parties"])
def create_party(request: HttpRequest, payload: PartyIn) -> Any:
    """Register an organisation or a person; every invalid field is reported at once."""
    user, company = _caller(request)
    party = services.party_create(actor=user, company=company, data=_party_input(payload.model_dump()))
    return Status(201, selectors.party_get(user=user, company=company, party_id=party.pk))


@router.get("/parties/{party_id}", response=PartyOut, tags=["parties"])
def get_party(request: HttpRequest, party_id: Id) -> Any:
    """Return one party; the id of a merged duplicate returns the party it was merged into."""
    user, company = _caller(request)
    return selectors.party_get(user=user, company=company, party_id=party_id)


@router.patch("/parties/{party_id}", response=PartyOut, tags=["parties"])
def update_party(request: HttpRequest, party_id: Id, payload: PartyPatch) -> Any:
    """Change a party's details; send the version you read (a stale one answers 409)."""
    user, company = _caller(request)
    current = selectors.party_get(user=user, company=company, party_id=party_id)
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True, exclude={"version"}).items() if v is not None}
    data = _party_input({**_current_input(current), **changes})
    services.party_update(actor=user, company=company, party_id=party_id, version=payload.version, data=data)
    return selectors.party_get(user=user, company=company, party_id=party_id)


@router.post("/parties/{party_id}/merge", response=PartyOut, tags=["parties"])
def merge_party(request: HttpRequest, party_id: Id, payload: MergeIn) -> Any:
    """Merge a duplicate into this party: its references move here and it is retired."""
    user, company = _caller(request)
    services.party_merge(actor=user, company=company, keep_id=party_id, merge_id=payload.merge_id)
    return selectors.party_get(user=user, company=company, party_id=party_id)


@router.get("/parties/{party_id}/duplicates", response=list[PartySummary], tags=["parties"])
def list_party_duplicates(request: HttpRequest, party_id: Id) -> Any:
    """List parties that look like the same organisation or person (up to 10)."""
    user, company = _caller(request)
    party = selectors.party_get(user=user, company=company, party_id=party_id)
    return selectors.party_duplicates(user=user, company=company, party=party)


class TimelineFilters(Schema):
    department: Text = Field("", max_length=30, description="Only one department's entries, e.g. sales.")
    limit: int = Field(50, ge=1, le=200)


@router.get("/parties/{party_id}/timeline", response=list[TimelineOut], tags=["parties"])
def list_party_timeline(request: HttpRequest, party_id: Id, filters: Query[TimelineFilters]) -> Any:
    """List what happened to a party across all departments, newest first."""
    user, company = _caller(request)
    party = selectors.party_get(user=user, company=company, party_id=party_id)
    return selectors.party_timeline(user=user, company=company, party=party, department=filters.department, limit=filters.limit)


@router.get("/parties/{party_id}/links", response=list[LinkOut], tags=["parties"])
def list_party_links(request: HttpRequest, party_id: Id) -> Any:
    """List the links from and to a party (works at, subsidiary of, …)."""
    user, company = _caller(request)
    party = selectors.party_get(user=user, company=company, party_id=party_id)
    return selectors.party_relationships(user=user, company=company, party=party)


@router.post("/parties/{party_id}/links", response={201: LinkOut}, tags=["parties"])
def create_party_link(request: HttpRequest, party_id: Id, payload: LinkIn) -> Any:
    """Link this party to another of the company (this party is the subject: it works at …)."""
    user, company = _caller(request)
    link = services.party_link(
        actor=user,
        company=company,
        from_party_id=party_id,
        to_party_id=payload.to_party_id,
        kind=payload.kind,
        title=payload.title,
    )
    return Status(201, link)


@router.delete("/links/{link_id}", response={204: None}, tags=["parties"])
def delete_link(request: HttpRequest, link_id: Id) -> Any:
    """Remove a link between two parties."""
    user, company = _caller(request)
    services.party_unlink(actor=user, company=company, relationship_id=link_id)
    return Status(204, None)


# Tokens ---------------------------------------------------------------------------------------


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The first characters after spona_pat_, to recognise the token.")
    scope: Scope
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None = Field(description="Updated at most once a minute.")
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="The token itself. It is shown this once and cannot be shown again.")


class TokenIn(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "nightly export", "scope": "read"}]})

    name: Text = Field(min_length=1, max_length=100, description="What uses the token, e.g. 'nightly export'.")
    scope: Scope = "read"
    expires_at: AwareDatetime | None = Field(None, description="With a time zone; omit for a token that does not expire.")


@router.get("/tokens", response=list[TokenOut], tags=["tokens"])
def list_tokens(request: HttpRequest) -> Any:
    """List your own tokens for this company, newest first (revoked ones included)."""
    user, company = _caller(request)
    return list(selectors.token_list(user=user, company=company))


@router.post("/tokens", response={201: TokenCreated}, tags=["tokens"])
def create_token(request: HttpRequest, payload: TokenIn) -> Any:
    """Create a personal access token for this company; its value is in this answer only.

    Needs a signed-in session: a token cannot mint more tokens.
    """
    if isinstance(request.auth, PersonalAccessToken):  # type: ignore[attr-defined]
        raise PermissionDenied("Create tokens while signed in, not with a token.", code="session_required")
    user, company = _caller(request)
    token, plaintext = services.token_create(
        actor=user, company=company, name=payload.name, scope=payload.scope, expires_at=payload.expires_at
    )
    return Status(201, {**TokenOut.model_validate(token).model_dump(), "token": plaintext})


@router.delete("/tokens/{token_id}", response={204: None}, tags=["tokens"])
def revoke_token(request: HttpRequest, token_id: Id) -> Any:
    """Revoke one of your tokens for this company, for good."""
    user, company = _caller(request)
    services.token_revoke(actor=user, token_id=token_id, company=company)
    return Status(204, None)


# Event deliveries -----------------------------------------------------------------------------


class DeliveryOut(Schema):
    id: int
    handler: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str
    event_id: int
    event_name: str
    event_occurred_at: datetime

    @staticmethod
    def resolve_event_name(obj: EventDelivery) -> str:
        return obj.event.name

    @staticmethod
    def resolve_event_occurred_at(obj: EventDelivery) -> datetime:
        return obj.event.occurred_at


class DeadLetterFilters(Schema):
    limit: int = Field(100, ge=1, le=500)


@router.get("/events/dead-letters", response=list[DeliveryOut], tags=["events"])
def list_dead_letters(request: HttpRequest, filters: Query[DeadLetterFilters]) -> Any:
    """List event deliveries that gave up after their retries, newest first (administrators)."""
    user, company = _caller(request)
    return selectors.dead_letter_list(user=user, company=company, limit=filters.limit)


@router.post("/events/deliveries/{delivery_id}/replay", response=DeliveryOut, tags=["events"])
def replay_delivery(request: HttpRequest, delivery_id: Id) -> Any:
    """Send a dead event delivery to its handler again, once its cause is fixed (administrators)."""
    user, company = _caller(request)
    return services.delivery_replay(actor=user, company=company, delivery_id=delivery_id)


# Global search --------------------------------------------------------------------------------


class SearchFilters(Schema):
    q: str = Field("", max_length=200, description="Words; each matches the start of a word in the record (none: no results).")
    kind: list[str] = Field(default_factory=list, description="Only these kinds (see `kinds` in the answer); all by default.")
    limit: int = Field(20, ge=1, le=50)


class SearchHitOut(Schema):
    kind: str
    object_id: int
    title: str
    subtitle: str
    url: str


class SearchOut(Schema):
    kinds: list[str] = Field(description="The kinds of record the caller may search.")
    results: list[SearchHitOut]


@router.get("/search", response=SearchOut, tags=["search"])
def search_records(request: HttpRequest, filters: Query[SearchFilters]) -> Any:
    """Find records of every kind the caller's roles allow (parties, orders, invoices, tickets …), best match first."""
    user, company = _caller(request)
    require(user, "core.view_company", company)
    kinds = [kind.name for kind in search.kinds_for(user, company)]
    hits = search.search(user=user, company=company, query=filters.q, kinds=filters.kind or None, limit=filters.limit)
    return {"kinds": kinds, "results": hits}
