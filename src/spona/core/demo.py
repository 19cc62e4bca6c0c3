"""The demo company: a deterministic, realistic "Spona Demo d.o.o." for trying Spona.

``build()`` creates the company, one user per department role, a portal user, about 300
organisations and 400 persons, all through ``spona.core.services`` so that audit entries,
events and timelines are the real thing. The data comes from a seeded random generator:
two builds on fresh databases give the same names, tax ids, e-mails and phones.

Domain apps add their own demo records by registering a step from their AppConfig.ready()::

    from spona.core import demo

    demo.register_step("crm.opportunities", build_opportunities, order=200)

A step is called with a ``DemoContext`` (the company, the demo users by role, a random
generator seeded by the step's name, and a progress helper). Each step has its own seed, so
adding a step never changes the records of the others.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

import phonenumbers
from django.db import transaction
from stdnum import luhn
from stdnum.at import uid as at_uid
from stdnum.si import ddv as si_ddv

from spona.core import events, search, services
from spona.core.models import Company, EventDelivery, Party, Relationship, User
from spona.core.services import AddressInput, PartyInput
from spona.core.validation import search_key

T = TypeVar("T")

SEED = "spona-demo-1"
COMPANY_CODE = "spona-demo"
COMPANY_NAME = "Spona Demo d.o.o."
# One shared password for every demo login, documented in the README and printed by `spona run`.
# It passes Django's validators (length, not common, not numeric, not like the e-mail).
PASSWORD = "spona-demo-login"  # noqa: S105 (public by design: the demo has no secrets)
EMAIL_DOMAIN = "demo.spona.test"
DEFAULT_ORGANISATIONS = 300
DEFAULT_PERSONS = 400

ProgressCallback = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Login:
    """A demo login: shown by `spona run` and documented in the user guide."""

    email: str
    full_name: str
    role: str


# (role, full name); the admin comes first because it creates the others.
STAFF = (
    ("admin", "Ana Petrović"),
    ("sales", "Sara Stanković"),
    ("support", "Stefan Ilić"),
    ("marketing", "Marija Kovačević"),
    ("finance", "Filip Nikolić"),
    ("hr", "Jelena Marković"),
    ("payroll", "Petar Đorđević"),
    ("it", "Ivan Popović"),
    ("legal", "Lena Pavlović"),
    ("operations", "Ognjen Todorović"),
    ("management", "Milan Jovanović"),
)
PORTAL_EMAIL = f"portal@{EMAIL_DOMAIN}"


def logins() -> list[Login]:
    """Return the demo logins (e-mail and role), all sharing ``PASSWORD``."""
    staff = [Login(email=f"{role}@{EMAIL_DOMAIN}", full_name=name, role=role) for role, name in STAFF]
    return [*staff, Login(email=PORTAL_EMAIL, full_name="Dragan Kostić", role="portal")]


@dataclass
class DemoContext:
    """What a demo step works with.

    ``rng`` is seeded by the step's name; ``users`` (demo users by role) and ``records``
    (ids a step wants to hand to later steps, e.g. ``records["organisations"]``) are shared.
    """

    company: Company
    users: dict[str, User]
    rng: random.Random
    organisations: int
    persons: int
    records: dict[str, list[int]] = field(default_factory=dict)
    on_progress: ProgressCallback | None = None

    def track(self, items: Sequence[T], description: str) -> Iterator[T]:
        """Yield ``items`` while reporting progress under ``description``."""
        for done, item in enumerate(items, start=1):
            yield item
            if self.on_progress is not None:
                self.on_progress(description, done, len(items))


@dataclass(frozen=True)
class DemoStep:
    name: str
    func: Callable[[DemoContext], None]
    order: int


_STEPS: dict[str, DemoStep] = {}


def register_step(name: str, func: Callable[[DemoContext], None], order: int = 100) -> None:
    """Add a step to the demo build; steps run by ``order``, then name.

    Raises ValueError when another function is already registered under ``name``.
    """
    existing = _STEPS.get(name)
    if existing is not None and existing.func is not func:
        raise ValueError(f"Demo step {name!r} is registered twice.")
    _STEPS[name] = DemoStep(name=name, func=func, order=order)


def steps() -> list[DemoStep]:
    """Return the registered steps in the order they run."""
    return sorted(_STEPS.values(), key=lambda s: (s.order, s.name))


@dataclass(frozen=True)
class DemoResult:
    """What ``build()`` did: ``created`` is False when the demo company was already there."""

    company: Company
    created: bool
    logins: list[Login]
    counts: dict[str, int]


def exists() -> bool:
    """Tell whether the demo company is in the database."""
    return Company.objects.filter(code=COMPANY_CODE).exists()


def build(
    *,
    organisations: int = DEFAULT_ORGANISATIONS,
    persons: int = DEFAULT_PERSONS,
    on_progress: ProgressCallback | None = None,
) -> DemoResult:
    """Build the demo company in one transaction, or do nothing when it exists.

    Runs every registered step, then delivers the events they published, so the other
    departments' reactions are there when the transaction commits. A failing step leaves nothing behind.
    Raises ApplicationError (e.g. ValidationFailed when a demo e-mail is taken by another user).
    """
    existing = Company.objects.filter(code=COMPANY_CODE).first()
    if existing is not None:
        return DemoResult(company=existing, created=False, logins=logins(), counts=_counts(existing))
    with transaction.atomic():
        company = services.company_create(
            actor=None,
            name=COMPANY_NAME,
            code=COMPANY_CODE,
            base_currency="EUR",
            country="RS",
            locale="en",
            time_zone="Europe/Belgrade",
            tax_id=tax_id("RS", random.Random(SEED)),
        )
        context = DemoContext(
            company=company,
            users={},
            rng=random.Random(SEED),
            organisations=organisations,
            persons=persons,
            on_progress=on_progress,
        )
        for step in steps():
            step.func(replace(context, rng=random.Random(f"{SEED}:{step.name}")))
        _deliver_events(context)
    return DemoResult(company=company, created=True, logins=logins(), counts=_counts(company))


def _counts(company: Company) -> dict[str, int]:
    parties = Party.objects.filter(company=company)
    return {
        "organisations": parties.filter(kind=Party.Kind.ORGANISATION).count(),
        "persons": parties.filter(kind=Party.Kind.PERSON).count(),
        "links": Relationship.objects.filter(company=company).count(),
        "users": User.objects.filter(memberships__company=company).distinct().count(),
    }


def _deliver_events(context: DemoContext) -> None:
    """Deliver the build's events inside its transaction, as the worker would after commit.

    The after-commit dispatch then finds nothing left to do, and a test (whose transaction
    never commits) sees the same reactions as a real run.
    """
    total = EventDelivery.objects.filter(status=EventDelivery.Status.PENDING, event__company=context.company).count()
    done = 0
    while True:
        batch = events.dispatch_due(limit=200)
        done += batch
        if context.on_progress is not None:
            context.on_progress("Events", min(done, total), total)
        if batch == 0:
            return


# Tax ids ----------------------------------------------------------------------------------


def _mod_11_10(digits: str) -> str:
    """Append the ISO 7064 MOD 11,10 check digit (Serbian PIB, German USt-IdNr., Croatian OIB)."""
    product = 10
    for digit in digits:
        total = (int(digit) + product) % 10 or 10
        product = (total * 2) % 11
    return digits + str((11 - product) % 10)


def tax_id(country: str, rng: random.Random) -> str:
    """Return a made-up tax id with correct check digits for ``country``."""

    def digits(count: int, first: str = "0123456789") -> str:
        return rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(count - 1))

    if country == "RS":
        return _mod_11_10("1" + digits(7))
    if country == "DE":
        return "DE" + _mod_11_10(digits(8, first="123456789"))
    if country == "HR":
        return "HR" + _mod_11_10(digits(10))
    if country == "AT":
        body = "U" + digits(7)
        return "AT" + body + at_uid.calc_check_digit(body)
    if country == "SI":
        while True:
            body = digits(7, first="123456789")
            check = si_ddv.calc_check_digit(body)
            if len(check) == 1:  # some prefixes have no valid check digit at all
                return "SI" + body + check
    if country == "IT":
        # Seven digits of the firm, three of the province office, one Luhn check digit.
        body = digits(7, first="123456789") + rng.choice(["001", "015", "037", "058", "098"])
        return "IT" + body + luhn.calc_check_digit(body)
    raise ValueError(f"No demo tax ids for {country}.")


# Places, names and phones -------------------------------------------------------------------


@dataclass(frozen=True)
class City:
    name: str
    postal_code: str
    area_code: str  # international prefix and area code of its landlines
    digits: int  # subscriber digits after the area code
    streets: tuple[str, ...]


# fmt: off
CITIES: dict[str, tuple[City, ...]] = {
    "RS": (
        City("Beograd", "11000", "+381 11", 7, ("Knez Mihailova", "Bulevar kralja Aleksandra", "Nemanjina", "Cara Dušana")),
        City("Novi Sad", "21000", "+381 21", 6, ("Bulevar oslobođenja", "Zmaj Jovina", "Futoška", "Bulevar Evrope")),
        City("Niš", "18000", "+381 18", 6, ("Obrenovićeva", "Vizantijski bulevar", "Bulevar Nemanjića")),
        City("Kragujevac", "34000", "+381 34", 6, ("Kralja Petra I", "Kneza Miloša", "Save Kovačevića")),
        City("Subotica", "24000", "+381 24", 6, ("Korzo", "Maksima Gorkog", "Segedinski put")),
    ),
    "DE": (
        City("Berlin", "10115", "+49 30", 8, ("Friedrichstraße", "Invalidenstraße", "Chausseestraße")),
        City("München", "80331", "+49 89", 8, ("Sendlinger Straße", "Kaufingerstraße", "Rosenstraße")),
        City("Hamburg", "20095", "+49 40", 8, ("Mönckebergstraße", "Spitalerstraße", "Steinstraße")),
        City("Frankfurt am Main", "60311", "+49 69", 8, ("Kaiserstraße", "Neue Mainzer Straße", "Berliner Straße")),
    ),
    "AT": (
        City("Wien", "1010", "+43 1", 7, ("Kärntner Straße", "Graben", "Wipplingerstraße")),
        City("Salzburg", "5020", "+43 662", 6, ("Getreidegasse", "Linzer Gasse", "Rainerstraße")),
        City("Graz", "8010", "+43 316", 6, ("Herrengasse", "Sackstraße", "Annenstraße")),
    ),
    "HR": (
        City("Zagreb", "10000", "+385 1", 7, ("Ilica", "Vukovarska", "Savska cesta")),
        City("Split", "21000", "+385 21", 6, ("Marmontova", "Domovinskog rata", "Poljička cesta")),
        City("Rijeka", "51000", "+385 51", 6, ("Korzo", "Krešimirova", "Riva")),
    ),
    "SI": (
        City("Ljubljana", "1000", "+386 1", 7, ("Slovenska cesta", "Dunajska cesta", "Trg republike")),
        City("Maribor", "2000", "+386 2", 7, ("Partizanska cesta", "Gosposka ulica", "Titova cesta")),
    ),
    "IT": (
        City("Milano", "20121", "+39 02", 8, ("Via Manzoni", "Corso di Porta Nuova", "Via Solferino")),
        City("Roma", "00184", "+39 06", 8, ("Via Nazionale", "Via Cavour", "Via dei Serpenti")),
        City("Torino", "10121", "+39 011", 7, ("Via Roma", "Corso Vittorio Emanuele II", "Via Lagrange")),
    ),
}
# fmt: on
MOBILE = {
    "RS": ("+381 64", "+381 63", "+381 65"),
    "DE": ("+49 151", "+49 171"),
    "AT": ("+43 664",),
    "HR": ("+385 91", "+385 98"),
    "SI": ("+386 41", "+386 31"),
    "IT": ("+39 333", "+39 347"),
}  # fmt: skip
MOBILE_DIGITS = {"RS": 7, "DE": 8, "AT": 7, "HR": 7, "SI": 6, "IT": 7}
# Share of organisations per country (out of 100): a Serbian company trading in the region.
COUNTRY_WEIGHTS = (("RS", 60), ("DE", 14), ("AT", 7), ("HR", 7), ("SI", 6), ("IT", 6))

# Name parts per country: roots and trades as space-separated words, then the legal forms.
# fmt: off
ORG_NAMES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "RS": ("Bora Sloga Morava Javor Dunav Tara Zlatibor Vidik Polet Iskra Rudnik Neimar Sirmium Avala Kosmaj "
           "Jastrebac Fruška Ibar Timok Banat Šumadija Vršac Lipa Hrast",
           "Trade Promet Komerc Inženjering Logistika Soft Gradnja Agrar Elektro Metal Pak Farm Transport Print Mlin Energija",
           ("d.o.o.", "a.d.")),
    "DE": ("Becker Hoffmann Lindner Nordlicht Rheintal Schwarzwald Weber Brandt Elbe Kessler",
           "Logistik Maschinenbau Handels Software Technik Verpackung Elektronik Anlagenbau",
           ("GmbH", "AG", "GmbH & Co. KG")),
    "AT": ("Alpen Donau Tirol Steiner Gruber Wachau Kärnten Bergland", "Handel Technik Logistik Holz Systeme Bau",
           ("GmbH", "AG")),
    "HR": ("Jadran Sava Velebit Dalmacija Kvarner Lika Drava Istra", "Trgovina Promet Grupa Inženjering Tehnika Gradnja",
           ("d.o.o.", "d.d.")),
    "SI": ("Triglav Sava Pohorje Krka Soča Bled Kras Savinja", "Trgovina Tehnika Inženiring Logistika Sistemi Gradnje",
           ("d.o.o.", "d.d.")),
    "IT": ("Adriatica Lombarda Ferretti Galli Padana Romano Veneta Ligure", "Forniture Meccanica Logistica Tecnologie Imballaggi",
           ("S.r.l.", "S.p.A.")),
}
GIVEN_NAMES = {
    "RS": "Ana Marko Jovana Nikola Milica Stefan Ivana Lazar Teodora Luka Jelena Vuk Katarina Nemanja Dragana Miloš "
          "Sanja Uroš Tijana Đorđe Maja Aleksandar",
    "DE": "Anna Lukas Lena Felix Sophie Jonas Laura Paul Julia Maximilian Hannah Tobias",
    "AT": "Katharina Florian Elena Matthias Theresa Stefan Johanna Lukas",
    "HR": "Ivana Luka Petra Marin Lucija Josip Ana Ivan",
    "SI": "Nina Jan Eva Matej Špela Žiga Maja Luka",
    "IT": "Giulia Marco Francesca Luca Chiara Matteo Sara Andrea",
}
FAMILY_NAMES = {
    "RS": "Jovanović Petrović Nikolić Marković Đorđević Stojanović Ilić Stanković Pavlović Milošević Popović Kostić "
          "Todorović Savić Lukić Ristić Vasić Tomić Mitrović Simić",
    "DE": "Müller Schmidt Schneider Fischer Meyer Wagner Becker Schulz Hoffmann Koch",
    "AT": "Gruber Huber Bauer Wagner Pichler Steiner Moser Mayer",
    "HR": "Horvat Kovačević Babić Marić Jurić Novak Knežević Vuković",
    "SI": "Novak Horvat Kranjc Zupan Potočnik Kovač Mlakar Kos",
    "IT": "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci",
}
TITLES = {
    "RS": ("Direktor", "Direktor prodaje", "Komercijalista", "Šef računovodstva", "Menadžer nabavke",
           "IT administrator", "Pravnik", "Rukovodilac logistike", "Office menadžer", "Finansijski direktor"),
    "*": ("Managing Director", "Head of Purchasing", "Sales Manager", "Chief Financial Officer", "Accountant",
          "IT Manager", "Procurement Officer", "Logistics Coordinator", "Office Manager", "Legal Counsel"),
}
# fmt: on
TAGS = ("VIP", "Key account", "Newsletter", "Trade fair", "Payment risk", "Strategic", "EU", "Public sector")
ORG_ROLES = (
    (("customer",), 40),
    (("prospect",), 20),
    (("supplier",), 20),
    (("partner",), 10),
    (("customer", "supplier"), 6),
    (("customer", "partner"), 4),
)


def _pick(rng: random.Random, weighted: Iterable[tuple[T, int]]) -> T:
    choices, weights = zip(*weighted, strict=True)
    return rng.choices(choices, weights=weights)[0]


def _valid_phone(prefix: str, digits: int, rng: random.Random) -> str:
    for _ in range(100):
        candidate = f"{prefix} {rng.choice('123456789')}{''.join(rng.choice('0123456789') for _ in range(digits - 1))}"
        if phonenumbers.is_valid_number(phonenumbers.parse(candidate)):
            return candidate
    raise ValueError(f"No valid demo phone number found after {prefix}.")


def landline(city: City, rng: random.Random) -> str:
    """Return a landline number in ``city`` that phonenumbers accepts as valid."""
    return _valid_phone(city.area_code, city.digits, rng)


def mobile(country: str, rng: random.Random) -> str:
    """Return a mobile number of ``country`` that phonenumbers accepts as valid."""
    return _valid_phone(rng.choice(MOBILE[country]), MOBILE_DIGITS[country], rng)


def _ascii(text: str) -> str:
    return search_key(text).replace(" ", "-")


def _address(country: str, city: City, rng: random.Random) -> AddressInput:
    return AddressInput(
        line1=f"{rng.choice(city.streets)} {rng.randint(1, 120)}", city=city.name, postal_code=city.postal_code, country=country
    )


# The core steps ---------------------------------------------------------------------------------


def build_users(ctx: DemoContext) -> None:
    """One user per department role; the admin creates the others, as in real life."""
    for login in ctx.track(logins()[: len(STAFF)], "Users"):
        actor = ctx.users.get("admin")
        ctx.users[login.role] = services.user_create(
            actor=actor,
            company=ctx.company,
            email=login.email,
            full_name=login.full_name,
            roles=[login.role],
            password=PASSWORD,
        )


def _organisation_name(ctx: DemoContext, country: str, taken: set[str]) -> tuple[str, str]:
    """Return a new name and its web domain; a numbered name once the word pairs run out."""
    roots, kinds, forms = ORG_NAMES[country]
    stem = ""
    for _ in range(30):
        stem = f"{ctx.rng.choice(roots.split())} {ctx.rng.choice(kinds.split())}"
        if stem not in taken:
            break
    base, number = stem, 1
    while stem in taken:
        number += 1
        stem = f"{base} {number}"
    taken.add(stem)
    # A reserved top-level domain: demo data never reaches a real mailbox.
    return f"{stem} {ctx.rng.choice(forms)}", f"{_ascii(stem)}.example"


def build_organisations(ctx: DemoContext) -> None:
    """Customers, prospects, suppliers and partners in Serbia and around."""
    stems: set[str] = set()
    tax_ids: set[str] = set()
    ids: list[int] = []
    for _ in ctx.track(range(ctx.organisations), "Organisations"):
        country = _pick(ctx.rng, COUNTRY_WEIGHTS)
        city = ctx.rng.choice(CITIES[country])
        name, domain = _organisation_name(ctx, country, stems)
        number = ""
        while not number or number in tax_ids:
            number = tax_id(country, ctx.rng)
        tax_ids.add(number)
        roles = list(_pick(ctx.rng, ORG_ROLES))
        mailbox = ctx.rng.choice(["office", "info", "kontakt" if country == "RS" else "contact"])
        org = services.party_create(
            actor=ctx.users["operations"] if roles == ["supplier"] else ctx.users["sales"],
            company=ctx.company,
            data=PartyInput(
                kind="organisation",
                name=name,
                tax_id=number,
                tax_country=country,
                website=f"https://www.{domain}",
                language="sr-latn" if country == "RS" else "en",
                emails=[f"{mailbox}@{domain}"],
                phones=[landline(city, ctx.rng)],
                addresses=[_address(country, city, ctx.rng)],
                roles=roles,
                tags=ctx.rng.sample(TAGS, k=ctx.rng.choice([0, 0, 1, 1, 2])),
            ),
        )
        ids.append(org.pk)
    ctx.records["organisations"] = ids


def build_persons(ctx: DemoContext) -> None:
    """Contacts at the organisations, each linked with a job title."""
    organisations = list(
        Party.objects.filter(pk__in=ctx.records.get("organisations", []))
        .order_by("pk")
        .values_list("pk", "tax_country", "website")
    )
    if not organisations:
        return
    emails: set[str] = set()
    ids: list[int] = []
    for _ in ctx.track(range(ctx.persons), "Persons"):
        org_id, country, website = ctx.rng.choice(organisations)
        given, family = ctx.rng.choice(GIVEN_NAMES[country].split()), ctx.rng.choice(FAMILY_NAMES[country].split())
        domain = website.removeprefix("https://www.")
        email, number = f"{_ascii(given)}.{_ascii(family)}@{domain}", 1
        while email in emails:
            # Namesakes at one firm get numbered mailboxes, as mail servers do.
            number += 1
            email = f"{_ascii(given)}.{_ascii(family)}{number}@{domain}"
        emails.add(email)
        person = services.party_create(
            actor=ctx.users["sales"],
            company=ctx.company,
            data=PartyInput(
                kind="person",
                given_name=given,
                family_name=family,
                language="sr-latn" if country == "RS" else "en",
                emails=[email],
                phones=[mobile(country, ctx.rng)],
                roles=["contact"],
                tags=["Newsletter"] if ctx.rng.random() < 0.3 else [],
            ),
        )
        services.party_link(
            actor=ctx.users["sales"],
            company=ctx.company,
            from_party_id=person.pk,
            to_party_id=org_id,
            kind=Relationship.Kind.WORKS_AT,
            title=ctx.rng.choice(TITLES["RS"] if country == "RS" else TITLES["*"]),
        )
        ids.append(person.pk)
    ctx.records["persons"] = ids


def build_portal_user(ctx: DemoContext) -> None:
    """A portal login for the first customer, so the customer's view can be tried."""
    customer = Party.objects.filter(pk__in=ctx.records.get("organisations", []), roles__role="customer").order_by("pk").first()
    if customer is None:
        return
    portal = logins()[-1]
    ctx.users["portal"] = services.user_create(
        actor=ctx.users["admin"],
        company=ctx.company,
        email=portal.email,
        full_name=portal.full_name,
        roles=["portal"],
        password=PASSWORD,
        portal_party=customer,
    )


register_step("core.users", build_users, order=10)
register_step("core.organisations", build_organisations, order=20)
register_step("core.persons", build_persons, order=30)
register_step("core.portal_user", build_portal_user, order=40)


def build_search_index(ctx: DemoContext) -> None:
    """Index everything the other steps made, including rows they wrote in bulk."""
    search.rebuild(company=ctx.company)


register_step("core.search_index", build_search_index, order=9000)
