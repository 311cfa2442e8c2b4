"""Read queries of the catalogue."""

import re

from django.db.models import Count, Prefetch, Q, QuerySet

from procedures.collation import Vietnamese
from procedures.constants import VersionState
from procedures.models import Agency, CatalogueEvent, Procedure, ProcedureVersion, Sector
from procedures.search import Unaccent, terms

_CODE_LIKE = re.compile(r"^[0-9][0-9.]*$")


def published_versions() -> QuerySet[ProcedureVersion]:
    """Every procedure's published version, with what a list shows, ordered by name (in Vietnamese order)."""
    return (
        ProcedureVersion.objects.filter(state=VersionState.PUBLISHED)
        .select_related("procedure", "sector", "agency")
        .order_by(Vietnamese("name"), "id")
    )


def search_published(
    queryset: QuerySet[ProcedureVersion] | None = None, *, query: str = ""
) -> QuerySet[ProcedureVersion]:
    """Narrow ``queryset`` to versions whose name holds every word of ``query``, ignoring case and diacritics.

    A query that looks like a procedure code (``1.001193``) matches codes that start with it.
    """
    queryset = published_versions() if queryset is None else queryset
    query = query.strip()
    if not query:
        return queryset
    if _CODE_LIKE.match(query):
        return queryset.filter(procedure__code__startswith=query)
    queryset = queryset.annotate(search_name=Unaccent("name"))
    condition = Q()
    for term in terms(query):
        condition &= Q(search_name__contains=term)
    return queryset.filter(condition)


def version_with_content() -> QuerySet[ProcedureVersion]:
    """Versions with everything a procedure page shows, in a fixed number of queries."""
    return ProcedureVersion.objects.select_related("procedure", "sector", "agency").prefetch_related(
        "fees", "components", "form_fields", "steps"
    )


def published_version_by_code(code: str) -> ProcedureVersion | None:
    return version_with_content().filter(procedure__code=code, state=VersionState.PUBLISHED).first()


def procedures_for_management() -> QuerySet[Procedure]:
    """Every procedure with its published version and open draft, for the province admin's list."""
    return Procedure.objects.select_related(
        "published_version__agency", "published_version__sector"
    ).prefetch_related(
        Prefetch(
            "versions",
            queryset=ProcedureVersion.objects.filter(state=VersionState.DRAFT).select_related(
                "agency", "sector"
            ),
            to_attr="drafts",
        )
    )


def procedure_history(procedure: Procedure) -> QuerySet[CatalogueEvent]:
    return procedure.events.select_related("actor", "version")


def agencies() -> QuerySet[Agency]:
    return Agency.objects.select_related("parent").order_by("code")


def sectors() -> QuerySet[Sector]:
    """Every sector, by name in Vietnamese order."""
    return Sector.objects.order_by(Vietnamese("name"), "code")


def sectors_with_counts() -> QuerySet[Sector]:
    """Sectors with how many published procedures each has, for the home page."""
    return (
        Sector.objects.annotate(published=Count("versions", filter=Q(versions__state=VersionState.PUBLISHED)))
        .filter(published__gt=0)
        .order_by(Vietnamese("name"), "code")
    )
