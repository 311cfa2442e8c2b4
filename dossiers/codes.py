"""Dossier codes (``H12.01-261123-0007``) and lookup keys.

The daily sequence comes from a counter row per agency and day, locked in the caller's transaction: two
receptions at once wait for each other, and a transaction that rolls back gives its number back, so the sequence
has no gaps and no repeats.
"""

import secrets
from datetime import date

from django.db import transaction
from django.db.models import F

from dossiers.models import CodeCounter
from procedures.models import Agency

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B, U/V: nothing a citizen can misread from a slip or mistype.
KEY_ALPHABET = "ACDEFGHJKMNPQRTWXY34679"
KEY_LENGTH = 10


def new_lookup_key() -> str:
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))


def next_code(agency: Agency, day: date) -> str:
    """The next code of ``agency`` for ``day``; call inside the transaction that stores it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("A dossier code must be issued inside the transaction that stores it.")
    CodeCounter.objects.bulk_create([CodeCounter(agency=agency, day=day, last=0)], ignore_conflicts=True)
    counter = CodeCounter.objects.select_for_update().get(agency=agency, day=day)
    CodeCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    return f"{agency.code}-{day:%y%m%d}-{counter.last + 1:04d}"
