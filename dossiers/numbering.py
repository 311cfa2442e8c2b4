"""The agency's numbered books: the next number of a book for a year, given once and never twice.

The year's counter row is locked (created first if the year has none, without racing another transaction into a
duplicate), so two transactions never take one number and a rolled-back one gives its number back. The results'
register (``dossiers.results.number_assign``) and the dossier register (below) both number through ``next_number``.
"""

from datetime import datetime

from django.utils import timezone

from dossiers.models import Dossier, RegisterEntry, ResultNumberCounter
from dossiers.sla import TZ


def next_number(agency_id: int, year: int, book: str) -> int:
    """The next number of ``book`` of the agency for ``year``; call it inside the transaction that uses it."""
    ResultNumberCounter.objects.bulk_create(
        [ResultNumberCounter(agency_id=agency_id, book=book, year=year)], ignore_conflicts=True
    )
    counter = ResultNumberCounter.objects.select_for_update().get(agency_id=agency_id, book=book, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def register_entry_assign(dossier: Dossier, at: datetime) -> RegisterEntry:
    """The dossier's entry in its competent agency's register for the year it was received; given once."""
    existing = RegisterEntry.objects.filter(dossier=dossier).first()
    if existing is not None:
        return existing
    year = timezone.localtime(at, TZ).year
    number = next_number(dossier.agency_id, year, "register")
    return RegisterEntry.objects.create(
        dossier=dossier, agency_id=dossier.agency_id, year=year, number=number
    )
