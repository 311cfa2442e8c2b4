"""The public catalogue pages: search, a procedure's page, its QR code, an agency's QR sheet, template files."""

import io
import re
from typing import Any

import segno
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import cache_control

from accounts.permissions import has_permission
from portal.http import HtmxHttpRequest
from portal.replicas import replica_page
from portal.urls_public import absolute_url
from procedures import selectors
from procedures.constants import VersionState
from procedures.filters import ProcedureFilter
from procedures.models import Agency, Component, ProcedureVersion

PAGE_SIZE = 20


@replica_page
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "procedures/home.html",
        {
            "filter": ProcedureFilter(queryset=selectors.published_versions()),
            "sectors": selectors.sectors_with_counts(),
        },
    )


@replica_page
def search(request: HtmxHttpRequest) -> HttpResponse:
    """The catalogue search; with htmx only the results are sent back, as the citizen types."""
    procedure_filter = ProcedureFilter(request.GET or None, queryset=selectors.published_versions())
    status = 200
    if procedure_filter.is_bound and not procedure_filter.is_valid():
        status, page = 400, None
    else:
        paginator = Paginator(procedure_filter.qs, PAGE_SIZE)
        try:
            page = paginator.page(request.GET.get("page", 1))
        except (EmptyPage, PageNotAnInteger):
            page = paginator.page(paginator.num_pages)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter": procedure_filter, "page": page, "query": query.urlencode()}
    template = "procedures/_results.html" if request.htmx else "procedures/search.html"
    return render(request, template, context, status=status)


@replica_page
def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    version = selectors.published_version_by_code(code)
    if version is None:
        raise Http404("No published procedure has this code.")
    return render(request, "procedures/detail.html", _detail_context(request, version))


def _detail_context(
    request: HttpRequest, version: ProcedureVersion, *, preview: bool = False
) -> dict[str, Any]:
    return {"version": version, "procedure": version.procedure, "preview": preview}


def qr_code(code: str, request: HttpRequest) -> segno.QRCode:
    return segno.make(absolute_url(request, reverse("procedures:detail", args=[code])), error="m")


@cache_control(public=True, max_age=3600)
def procedure_qr(request: HttpRequest, code: str) -> HttpResponse:
    """The QR code of the procedure's public page, as SVG."""
    if selectors.published_version_by_code(code) is None:
        raise Http404("No published procedure has this code.")
    # A standalone file, with the XML declaration and the SVG namespace, which an <img> needs to show it.
    svg = io.BytesIO()
    qr_code(code, request).save(svg, kind="svg", scale=4, border=2, title=f"QR {code}")
    return HttpResponse(svg.getvalue(), content_type="image/svg+xml")


def agency_qr_sheet(request: HttpRequest, code: str) -> HttpResponse:
    """A printable sheet with the QR code of each of an agency's procedures, for its counter."""
    agency = get_object_or_404(Agency, code=code)
    versions = selectors.published_versions().filter(agency=agency)
    items = [
        {"version": v, "svg": qr_code(v.procedure.code, request).svg_inline(scale=3, border=1)}
        for v in versions
    ]
    return render(request, "procedures/qr_sheet.html", {"agency": agency, "items": items})


def component_template(request: HttpRequest, pk: int) -> FileResponse:
    """A component's template file: public once its version is published; drafts only for province admins."""
    component = get_object_or_404(Component.objects.select_related("version"), pk=pk)
    public = component.version.state == VersionState.PUBLISHED
    # Only a file of the templates' own prefix: a row that names any other stored file serves nothing.
    stored = component.template.name or ""
    if not stored.startswith("templates/") or not (
        public or has_permission(request.user, "catalogue.manage")
    ):
        raise Http404("No template file here.")
    # An upload is stored as "<random>-<name>"; the visitor gets the name.
    name = re.sub(r"^[0-9a-f]{16}-", "", stored.rsplit("/", 1)[-1])
    response = FileResponse(component.template.open("rb"), as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
