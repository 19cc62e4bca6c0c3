"""Commands of the finance app; other apps call these and never write finance tables.

The modules below group the services by subject; import them from here.
"""

from spona.back.finance.services.entries import (
    LineIn,
    entry_create,
    entry_delete_draft,
    entry_post,
    entry_reverse,
    lock_dates_set,
)
from spona.back.finance.services.setup import chart_load_csv, ledger_setup

__all__ = [
    "LineIn",
    "chart_load_csv",
    "entry_create",
    "entry_delete_draft",
    "entry_post",
    "entry_reverse",
    "ledger_setup",
    "lock_dates_set",
]
