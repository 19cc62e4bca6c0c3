"""Database aggregates that keep money exact on every engine."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Aggregate, DecimalField


class ExactSum(Aggregate):
    """``SUM`` of a decimal column, exact on SQLite too.

    SQLite keeps decimals as binary floating point, so its plain SUM drifts (−7E-7 after a few
    thousand lines). There each value is scaled to an integer of ``places`` decimals, summed
    exactly as 64-bit integers, and scaled back in Python. PostgreSQL's numeric SUM is exact.
    """

    function = "SUM"
    name = "ExactSum"

    def __init__(self, expression: Any, places: int = 4, **extra: Any):
        self.places = places
        super().__init__(expression, output_field=DecimalField(max_digits=30, decimal_places=places), **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        # Set on a copy rather than passed as template=: Aggregate.as_sql would pass it twice with a filter.
        clone = self.copy()
        clone.template = f"SUM(CAST(ROUND(%(expressions)s * {10**self.places}) AS INTEGER))"
        return super(ExactSum, clone).as_sql(compiler, connection, **extra_context)

    def get_db_converters(self, connection: Any) -> list[Any]:
        converters = super().get_db_converters(connection)
        if connection.vendor == "sqlite":
            places = self.places

            def unscale(value: Any, expression: Any, conn: Any) -> Decimal | None:
                return None if value is None else Decimal(value).scaleb(-places)

            converters.append(unscale)
        return converters
