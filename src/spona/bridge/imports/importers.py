"""The importers and exporters of each kind of record, calling the owning app's services and selectors.

parties (core), products (inventory), leads (crm), opening balances (finance) and price list
items (sales). Each writes only through the owning app's services, so an imported record obeys
the same rules as one typed into its form.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.utils import timezone

import spona.back.finance.selectors as finance_selectors
import spona.back.finance.services as finance_services
import spona.back.inventory.selectors as inventory_selectors
import spona.back.inventory.services as inventory_services
import spona.front.crm.selectors as crm_selectors
import spona.front.crm.services as crm_services
import spona.front.sales.selectors as sales_selectors
import spona.front.sales.services as sales_services
from spona.bridge.imports.registry import Field, Importer, RowFailed, Run, register
from spona.core import services as core_services
from spona.core.errors import ValidationFailed
from spona.core.models import Company, ContactPoint, Party, User
from spona.core.permissions import require
from spona.core.validation import normalise_email, normalise_tax_id

ZERO = Decimal(0)
PAGE = 200


def _pages(fetch: Any) -> Iterator[Any]:
    """Every item of a cursor-paginated selector, one page in memory at a time."""
    cursor = None
    while True:
        page = fetch(cursor=cursor, limit=PAGE)
        yield from page.items
        cursor = page.next_cursor
        if cursor is None:
            return


def _join(values: Any) -> str:
    return ", ".join(values)


# Parties --------------------------------------------------------------------------------------


class PartyImporter(Importer):
    kind = "parties"
    label = "Parties (customers, suppliers, contacts)"
    permission = "core.change_party"
    fields = (
        Field("kind", "Kind", choices=("organisation", "person"), help="organisation (the default) or person"),
        Field("name", "Name", help="The organisation's name; a person's is made of given and family name"),
        Field("given_name", "Given name", aliases=("first name",)),
        Field("family_name", "Family name", aliases=("last name", "surname")),
        Field("tax_id", "Tax id", aliases=("vat", "vat number", "pib")),
        Field("tax_country", "Tax country", help="Two letters, e.g. RS; the company's country when empty"),
        Field("email", "E-mail", type="list", help="Several separated by commas", aliases=("emails", "e-mail address")),
        Field("phone", "Phone", type="list", help="Several separated by commas", aliases=("phones", "telephone")),
        Field("website", "Website"),
        Field("street", "Street", aliases=("address", "line1")),
        Field("postal_code", "Postal code", aliases=("zip", "postcode")),
        Field("city", "City"),
        Field("country", "Country", help="Two letters, e.g. RS"),
        Field("roles", "Roles", type="list", help="customer, supplier, prospect, contact, partner …"),
        Field("tags", "Tags", type="list"),
        Field("notes", "Notes"),
    )
    options = (Field("skip_duplicates", "Skip parties that exist already", type="bool", help="Same tax id or e-mail"),)
    error_fields = {
        "emails": "email",
        "phones": "phone",
        "addresses[0].line1": "street",
        "addresses[0].city": "city",
        "addresses[0].country": "country",
        "addresses[0].postal_code": "postal_code",
    }

    def apply(self, run: Run, line: int, values: dict[str, Any]) -> None:
        company = run.company
        has_address = any(values.get(f) for f in ("street", "city", "postal_code"))
        data = core_services.PartyInput(
            kind=values.get("kind") or "organisation",
            name=values.get("name") or "",
            given_name=values.get("given_name") or "",
            family_name=values.get("family_name") or "",
            tax_id=values.get("tax_id") or "",
            tax_country=values.get("tax_country") or "",
            website=values.get("website") or "",
            notes=values.get("notes") or "",
            emails=values.get("email") or [],
            phones=values.get("phone") or [],
            addresses=[
                core_services.AddressInput(
                    line1=values.get("street") or "",
                    city=values.get("city") or "",
                    postal_code=values.get("postal_code") or "",
                    country=values.get("country") or company.country,
                )
            ]
            if has_address
            else [],
            roles=values.get("roles") or [],
            tags=values.get("tags") or [],
        )
        duplicate = self._duplicate(company, data)
        if duplicate is not None:
            if run.options.get("skip_duplicates"):
                run.skipped += 1
                return
            found, column = duplicate
            raise RowFailed([(line, column, f"{found.name} has this {self.field(column).label.lower()} already.")])
        core_services.party_create(actor=run.actor, company=company, data=data)

    def _duplicate(self, company: Company, data: core_services.PartyInput) -> tuple[Party, str] | None:
        """The existing party with the row's tax id or one of its e-mails (rows imported before included)."""
        parties = Party.objects.filter(company=company, merged_into__isnull=True)
        try:
            tax_id = normalise_tax_id(data.tax_id, data.tax_country or company.country) if data.tax_id else ""
            emails = [normalise_email(e) for e in data.emails]
        except ValidationError:  # an invalid value is the service's to report, with its message
            return None
        if tax_id and (found := parties.filter(tax_id=tax_id).first()):
            return found, "tax_id"
        if emails:
            owners = ContactPoint.objects.filter(party__company=company, kind="email", value__in=emails).values("party_id")
            if found := parties.filter(pk__in=owners).first():
                return found, "email"
        return None

    def export_rows(self, actor: User, company: Company) -> Iterator[list[Any]]:
        require(actor, "core.view_party", company)
        parties = (
            Party.objects.filter(company=company, merged_into__isnull=True)
            .order_by("name", "pk")
            .prefetch_related(
                Prefetch("contact_points", queryset=ContactPoint.objects.order_by("-is_primary", "pk")),
                "roles",
                "tags",
                "addresses",
            )
        )
        for p in parties.iterator(chunk_size=PAGE):
            points = list(p.contact_points.all())
            address = next(iter(p.addresses.all()), None)
            yield [
                p.kind,
                p.name,
                p.given_name,
                p.family_name,
                p.tax_id,
                p.tax_country,
                _join(c.value for c in points if c.kind == "email"),
                _join(c.value for c in points if c.kind == "phone"),
                p.website,
                address.line1 if address else "",
                address.postal_code if address else "",
                address.city if address else "",
                address.country if address else "",
                _join(sorted(r.role for r in p.roles.all())),
                _join(sorted(t.name for t in p.tags.all())),
                p.notes,
            ]


# Products -------------------------------------------------------------------------------------


class ProductImporter(Importer):
    kind = "products"
    label = "Products"
    permission = "inventory.manage"
    fields = (
        Field("sku", "SKU", required=True, aliases=("code", "item code")),
        Field("name", "Name", required=True),
        Field("unit", "Unit", required=True, help="The name of a unit of measure, e.g. Units or kg", aliases=("uom",)),
        Field("kind", "Kind", choices=("goods", "service", "consumable"), help="goods (the default), service or consumable"),
        Field("barcode", "Barcode", aliases=("ean", "gtin")),
        Field("category", "Category", help="A top-level category; a new name makes a new category"),
        Field("sale_price", "Sale price", type="decimal", aliases=("price",)),
        Field("cost_price", "Cost price", type="decimal", aliases=("cost",)),
    )
    error_fields = {"uom_id": "unit", "purchase_uom_id": "unit", "category_id": "category"}

    def begin(self, run: Run) -> None:
        run.data["units"] = inventory_selectors.unit_ids_by_name(company=run.company)
        run.data["categories"] = inventory_selectors.category_ids_by_name(company=run.company)

    def apply(self, run: Run, line: int, values: dict[str, Any]) -> None:
        units: dict[str, int] = run.data["units"]
        unit_id = units.get(values["unit"].lower())
        if unit_id is None:
            known = ", ".join(sorted(units)) or "none yet"
            raise RowFailed([(line, "unit", f"No unit named {values['unit']!r} (units: {known}).")])
        category_id = None
        if values.get("category"):
            categories: dict[str, int] = run.data["categories"]
            category_id = categories.get(values["category"].lower())
            if category_id is None:
                category = inventory_services.category_create(actor=run.actor, company=run.company, name=values["category"])
                category_id = categories[category.name.lower()] = category.pk
        inventory_services.product_create(
            actor=run.actor,
            company=run.company,
            data=inventory_services.ProductInput(
                name=values["name"],
                sku=values["sku"],
                uom_id=unit_id,
                kind=values.get("kind") or "goods",
                barcode=values.get("barcode") or "",
                category_id=category_id,
                sale_price=values.get("sale_price") or ZERO,
                cost_price=values.get("cost_price") or ZERO,
            ),
        )

    def export_rows(self, actor: User, company: Company) -> Iterator[list[Any]]:
        for p in _pages(lambda **page: inventory_selectors.product_list(user=actor, company=company, active=None, **page)):
            category = p.category.name if p.category else ""
            yield [p.sku, p.name, p.uom.name, p.kind, p.barcode, category, p.sale_price, p.cost_price]


# Leads ----------------------------------------------------------------------------------------


class LeadImporter(Importer):
    kind = "leads"
    label = "Leads"
    permission = "crm.manage"
    fields = (
        Field("contact_name", "Contact name", help="Contact or company name is needed", aliases=("contact", "name")),
        Field("company_name", "Company name", aliases=("company", "organisation")),
        Field("email", "E-mail"),
        Field("phone", "Phone"),
        Field("country", "Country", help="Two letters, e.g. RS"),
        Field("source", "Source", help="import (the default), web_form, referral, event, email …"),
        Field("notes", "Notes"),
    )
    options = (
        Field(
            "skip_duplicates",
            "Skip leads that exist already",
            type="bool",
            help="A row whose e-mail is a lead's or a party's already; without this, such a row is an error",
        ),
    )

    def apply(self, run: Run, line: int, values: dict[str, Any]) -> None:
        duplicate = self._duplicate(run, values.get("email") or "")
        if duplicate:
            if run.options.get("skip_duplicates"):
                run.skipped += 1
                return
            raise RowFailed([(line, "email", duplicate)])
        data = crm_services.LeadInput(
            contact_name=values.get("contact_name") or "",
            company_name=values.get("company_name") or "",
            email=values.get("email") or "",
            phone=values.get("phone") or "",
            country=values.get("country") or "",
            source=values.get("source") or "import",
            notes=values.get("notes") or "",
        )
        crm_services.lead_create(actor=run.actor, company=run.company, data=data)

    def _duplicate(self, run: Run, email: str) -> str:
        """Why a row with this e-mail would be a second lead (rows imported before it included), or ''.

        A known customer or contact (a party with the e-mail) is sales' already: a lead for them
        would start a second conversation with the same person.
        """
        try:
            email = normalise_email(email) if email else ""
        except ValidationError:  # an invalid e-mail is the service's to report, with its message
            return ""
        if not email:
            return ""
        lead = crm_selectors.lead_with_email(user=run.actor, company=run.company, email=email)
        if lead is not None:
            return f"The lead {lead} has this e-mail already."
        owner = ContactPoint.objects.filter(party__company=run.company, kind="email", value=email).values("party_id")
        party = Party.objects.filter(company=run.company, merged_into__isnull=True, pk__in=owner).first()
        if party is not None:
            return f"{party.name} has this e-mail already (in the party registry)."
        return ""

    def export_rows(self, actor: User, company: Company) -> Iterator[list[Any]]:
        for lead in _pages(lambda **page: crm_selectors.lead_list(user=actor, company=company, **page)):
            yield [lead.contact_name, lead.company_name, lead.email, lead.phone, lead.country, lead.source, lead.notes]


# Opening balances -----------------------------------------------------------------------------


class OpeningBalanceImporter(Importer):
    kind = "opening_balances"
    label = "Opening balances"
    permission = "finance.post"
    fields = (
        Field("account", "Account code", required=True, aliases=("account code", "code", "konto")),
        Field("debit", "Debit", type="decimal"),
        Field("credit", "Credit", type="decimal"),
        Field("party", "Party", help="Tax id, e-mail or exact name of a customer or supplier (receivables, payables)"),
        Field("label", "Label", aliases=("description",)),
    )
    options = (
        Field("date", "Date of the opening entry", required=True, type="date", help="Usually the first day of the year"),
        Field("post", "Post the entry", type="bool", help="Otherwise it stays a draft to review in the ledger"),
    )
    JOURNAL_CODE = "OPEN"

    def begin(self, run: Run) -> None:
        run.data["lines"] = []

    def apply(self, run: Run, line: int, values: dict[str, Any]) -> None:
        accounts = finance_selectors.account_ids_by_code(company=run.company, codes=[values["account"]])
        if values["account"] not in accounts:
            raise RowFailed([(line, "account", f"No account {values['account']} that takes postings.")])
        debit, credit = values.get("debit") or ZERO, values.get("credit") or ZERO
        if debit and credit:
            raise RowFailed([(line, "credit", "A line is either a debit or a credit; split it into two rows.")])
        if not debit and not credit:
            raise RowFailed([(line, "debit", "Give a debit or a credit amount.")])
        party_id = self._party(run.company, line, values.get("party") or "")
        run.data["lines"].append(
            (
                line,
                finance_services.LineIn(
                    account_id=accounts[values["account"]],
                    debit=debit,
                    credit=credit,
                    label=values.get("label") or "Opening balance",
                    party_id=party_id,
                ),
            )
        )

    def _party(self, company: Company, line: int, ref: str) -> int | None:
        if not ref:
            return None
        owners = ContactPoint.objects.filter(party__company=company, kind="email", value=ref.lower()).values("party_id")
        found = list(
            Party.objects.filter(company=company, merged_into__isnull=True)
            .filter(Q(tax_id=ref.replace(" ", "")) | Q(pk__in=owners) | Q(name__iexact=ref))
            .values_list("pk", flat=True)[:2]
        )
        if len(found) != 1:
            problem = "No party" if not found else "More than one party"
            raise RowFailed([(line, "party", f"{problem} with tax id, e-mail or name {ref!r}.")])
        return found[0]

    def finish(self, run: Run) -> None:
        rows: list[tuple[int, finance_services.LineIn]] = run.data["lines"]
        if not rows:
            return
        debit = sum((x.debit for _, x in rows), ZERO)
        credit = sum((x.credit for _, x in rows), ZERO)
        if debit != credit:
            raise RowFailed(
                [(0, "", f"The entry does not balance: debits {debit} and credits {credit} differ by {abs(debit - credit)}.")]
            )
        journal_id = finance_services.journal_ensure(company=run.company, code=self.JOURNAL_CODE, name="Opening balances")
        if journal_id is None:
            raise RowFailed([(0, "", "The company has no chart of accounts yet; set up the ledger first.")])
        try:
            finance_services.entry_create(
                actor=run.actor,
                company=run.company,
                journal_id=journal_id,
                date=run.options["date"],
                lines=[x for _, x in rows],
                memo="Opening balances",
                source="import",
                post=bool(run.options.get("post")),
            )
        except ValidationFailed as exc:
            raise RowFailed(_indexed_errors(exc, [n for n, _ in rows])) from None

    def export_rows(self, actor: User, company: Company) -> Iterator[list[Any]]:
        # The balances of the balance-sheet accounts today: what a new ledger would open with.
        for row in finance_selectors.trial_balance(user=actor, company=company, date_to=timezone.localdate()):
            if row.type in ("income", "expense") or not row.balance:
                continue
            yield [row.code, max(row.balance, ZERO), max(-row.balance, ZERO), "", row.name]


# Price lists ----------------------------------------------------------------------------------


class PriceListImporter(Importer):
    kind = "price_list_items"
    label = "Price list items"
    permission = "sales.manage"
    fields = (
        Field("price_list", "Price list", required=True, help="A new name makes a new list", aliases=("list", "pricelist")),
        Field("sku", "Product SKU", required=True, aliases=("product", "code")),
        Field("price", "Price", required=True, type="decimal"),
        Field("min_quantity", "From quantity", type="decimal", help="1 when empty", aliases=("quantity", "min qty")),
        Field("currency", "Currency", help="For a new list; the company's currency when empty"),
    )

    def begin(self, run: Run) -> None:
        run.data["lists"] = {pl.name.lower(): pl for pl in sales_selectors.pricelist_list(user=run.actor, company=run.company)}
        run.data["groups"] = {}

    def apply(self, run: Run, line: int, values: dict[str, Any]) -> None:
        product_id = inventory_selectors.product_ids_by_sku(company=run.company, skus=[values["sku"]]).get(values["sku"])
        if product_id is None:
            raise RowFailed([(line, "sku", f"No product with SKU {values['sku']}.")])
        currency = (values.get("currency") or "").upper()
        existing = run.data["lists"].get(values["price_list"].lower())
        group = run.data["groups"].setdefault(
            values["price_list"].lower(),
            {"name": values["price_list"], "currency": existing.currency if existing else currency, "first": line, "items": []},
        )
        if currency and group["currency"] and currency != group["currency"]:
            raise RowFailed([(line, "currency", f"The list {group['name']} is in {group['currency']}.")])
        group["currency"] = group["currency"] or currency
        quantity = values.get("min_quantity") or Decimal(1)
        group["items"].append((line, sales_services.PriceIn(product_id=product_id, price=values["price"], min_quantity=quantity)))

    def finish(self, run: Run) -> None:
        errors: list[tuple[int, str, str]] = []
        for key, group in run.data["groups"].items():
            existing = run.data["lists"].get(key)
            imported = {(i.product_id, i.min_quantity) for _, i in group["items"]}
            # The list's other prices stay; a product and quantity in the file replaces its price.
            kept: list[tuple[int, Any]] = [
                (0, sales_services.PriceIn(product_id=i.product_id, price=i.price, min_quantity=i.min_quantity))
                for i in (existing.items.all() if existing else [])
                if (i.product_id, i.min_quantity) not in imported
            ]
            items = kept + group["items"]
            header: dict[str, Any] = {"name": group["name"], "currency": group["currency"] or run.company.base_currency}
            if existing is not None:
                header = {
                    "name": existing.name,
                    "currency": existing.currency,
                    "price_list_id": existing.pk,
                    "version": existing.version,
                    "customer_group_id": existing.customer_group_id,
                    "date_from": existing.date_from,
                    "date_to": existing.date_to,
                    "sequence": existing.sequence,
                    "is_active": existing.is_active,
                }
            try:
                sales_services.price_list_save(actor=run.actor, company=run.company, items=[i for _, i in items], **header)
            except ValidationFailed as exc:
                errors += _indexed_errors(exc, [n or group["first"] for n, _ in items], default_line=group["first"])
        if errors:
            raise RowFailed(errors)

    def export_rows(self, actor: User, company: Company) -> Iterator[list[Any]]:
        for price_list in sales_selectors.pricelist_list(user=actor, company=company):
            for item in price_list.items.all():
                yield [price_list.name, item.product.sku, item.price, item.min_quantity, price_list.currency]


def _indexed_errors(exc: ValidationFailed, lines: list[int], default_line: int = 0) -> list[tuple[int, str, str]]:
    """A service's ``lines[3]`` / ``items[3]`` messages placed on the file's line of that item."""
    found = []
    for key, messages in (exc.field_errors or {"": [exc.message]}).items():
        index = key.partition("[")[2].partition("]")[0]
        line = lines[int(index)] if index.isdigit() and int(index) < len(lines) else default_line
        found += [(line, "", m if index or not key or key == "__all__" else f"{key}: {m}") for m in messages]
    return found


for importer in (PartyImporter(), ProductImporter(), LeadImporter(), OpeningBalanceImporter(), PriceListImporter()):
    register(importer)
