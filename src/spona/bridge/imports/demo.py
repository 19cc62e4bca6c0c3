"""The demo company's imports: one finished import and one file whose check found bad rows.

So that *Imports and exports* shows both outcomes before anyone uploads a file: the sales
user's list of trade-fair visitors, imported as leads (CSV), and the operations user's supplier
catalogue (XLSX) whose check stopped at an unknown unit and a price that is no number, waiting
to be fixed. Registered after the CRM and inventory steps (order 750), through the same
services as the upload page, so the jobs, leads and audit rows are the real thing.
"""

from __future__ import annotations

import io

from openpyxl import Workbook

from spona.bridge.imports import services
from spona.core.demo import DemoContext, register_step

FAIR_LEADS = (
    ("Contact", "Company", "E-mail", "Phone", "Country", "Source", "Notes"),
    ("Nikola Ristić", "Agro Sistem d.o.o.", "nikola.ristic@agrosistem.example", "+381 21 455 120", "RS", "event", "Fleet offer"),
    ("Tamara Gajić", "Brodogradnja Dunav", "tamara.gajic@bdunav.example", "", "RS", "event", "Wants a demo in May"),
    ("Luka Horvat", "Horvat & sinovi", "luka@horvat-sinovi.example", "+385 1 4820 300", "HR", "event", ""),
    ("Eva Novak", "Alpska oprema d.o.o.", "eva.novak@alpska.example", "", "SI", "event", "Met at the stand on day 2"),
    ("Miloš Đurić", "", "milos.djuric@gmail.com", "+381 64 220 1133", "RS", "event", "Private buyer"),
)  # fmt: skip

SUPPLIER_CATALOGUE = (
    ("SKU", "Name", "Unit", "Category", "Cost price"),
    ("KAT-100", "Cable ties 200 mm (100)", "Units", "Electrical", "3.40"),
    ("KAT-101", "Insulating tape, black", "rolls", "Electrical", "1.10"),
    ("KAT-102", "Cable duct 40x40", "Units", "Electrical", "4,2O"),
)


def _csv(rows: tuple[tuple[str, ...], ...]) -> bytes:
    return "\n".join(",".join(f'"{cell}"' if "," in cell else cell for cell in row) for row in rows).encode() + b"\n"


def _xlsx(rows: tuple[tuple[str, ...], ...]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def build_imports(ctx: DemoContext) -> None:
    company, sales, operations = ctx.company, ctx.users.get("sales"), ctx.users.get("operations")
    jobs = []
    if sales is not None:
        fair = services.job_upload(
            actor=sales, company=company, kind="leads", file_name="trade-fair-visitors.csv", content=_csv(FAIR_LEADS)
        )
        jobs.append(services.job_commit(actor=sales, company=company, job_id=fair.pk))
    if operations is not None:
        # Checked only: the unit "rolls" and the cost "4,2O" (a letter O) are the row errors to fix.
        jobs.append(
            services.job_upload(
                actor=operations,
                company=company,
                kind="products",
                file_name="supplier-catalogue.xlsx",
                content=_xlsx(SUPPLIER_CATALOGUE),
            )
        )
    ctx.records["imports.jobs"] = [job.pk for job in jobs]


register_step("imports", build_imports, order=750)
