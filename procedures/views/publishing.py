"""The province admin's pages: create a procedure, make and edit a draft, preview it, publish, archive.

Each action is one call to ``procedures.services``, which writes the history row.
"""

import re
from collections.abc import Callable
from typing import Any, Protocol

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import permission_required
from accounts.models import User
from portal.errors import ServiceError
from portal.http import AuthenticatedHttpRequest
from procedures import result_template, selectors, services
from procedures.catalogue_file import flatten_errors
from procedures.content import VersionContent, version_content
from procedures.forms import (
    NewProcedureForm,
    VersionForm,
    content_from_forms,
    initial_from_content,
    make_formsets,
)
from procedures.models import CatalogueEvent, Procedure, ProcedureVersion
from procedures.views.catalogue import _detail_context

manage = permission_required("catalogue.manage")
# What a page saves once its forms are valid: the main form's cleaned data and the validated content.
Save = Callable[[dict[str, Any], dict[str, Any]], HttpResponse]


# The comments procedures.services writes itself, in English, and their words in the reader's language.
_FROM_VERSION = re.compile(r"from version (\d+)")
_REPLACED_BY = re.compile(r"replaced by (\d+)")


def history_comment(event: CatalogueEvent) -> str:
    """An event's comment as the reader reads it: the service's own words translated, an admin's as written."""
    comment = event.comment
    if match := _FROM_VERSION.fullmatch(comment):
        return _("from version %(number)s") % {"number": match[1]}
    if match := _REPLACED_BY.fullmatch(comment):
        return _("replaced by version %(number)s") % {"number": match[1]}
    if comment == "replaced by an import":
        return _("replaced by an import")
    return comment


class VersionAction(Protocol):
    def __call__(self, *, version: ProcedureVersion, actor: User | None) -> None: ...


@manage
def procedure_list(request: HttpRequest) -> HttpResponse:
    procedures = selectors.procedures_for_management()
    query = request.GET.get("q", "").strip()[:200]
    if query:
        procedures = procedures.filter(
            Q(code__icontains=query) | Q(versions__name__icontains=query)
        ).distinct()
    page = Paginator(procedures, 50).get_page(request.GET.get("page"))
    return render(request, "publishing/list.html", {"page": page, "q": query})


def _validated_content(main: forms.Form, formsets: dict[str, Any]) -> tuple[dict[str, Any] | None, list[str]]:
    """Run the shared content validation over the forms' data; uploads go back in beside their component."""
    raw = content_from_forms(main, formsets)
    serializer = VersionContent(data=raw)
    if not serializer.is_valid():
        return None, flatten_errors(serializer.errors)
    content = dict(serializer.validated_data)
    for component, row in zip(content["components"], raw["components"], strict=True):
        if row["upload"]:
            component["template"] = row["upload"]
    return content, []


def _edit(
    request: HttpRequest,
    *,
    main_class: type[forms.Form],
    initial: dict[str, Any],
    rows: dict[str, Any],
    save: Save,
) -> HttpResponse | tuple[forms.Form, dict[str, Any]]:
    if request.method == "POST":
        main = main_class(request.POST)
        formsets = make_formsets(request.POST, request.FILES)
        if main.is_valid() and all(f.is_valid() for f in formsets.values()):
            content, errors = _validated_content(main, formsets)
            if content is not None:
                try:
                    return save(main.cleaned_data, content)
                except ServiceError as exc:
                    errors = [exc.message]
            for error in errors:
                # A content error names its field ("result_template: ..."): shown beside that field.
                name, _sep, message = error.partition(": ")
                if message and name in main.fields:
                    main.add_error(name, message)
                else:
                    main.add_error(None, error)
    else:
        main = main_class(initial=initial)
        formsets = make_formsets(initial=rows)
    return main, formsets


@manage
def procedure_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    def save(data: dict[str, Any], content: dict[str, Any]) -> HttpResponse:
        version = services.procedure_create(code=data["code"], content=content, actor=request.user)
        messages.success(
            request, _("Procedure %(code)s created as a draft.") % {"code": version.procedure.code}
        )
        return redirect("publishing:procedure", version.procedure.code)

    result = _edit(request, main_class=NewProcedureForm, initial={}, rows={}, save=save)
    if isinstance(result, HttpResponse):
        return result
    main, formsets = result
    return render(request, "publishing/edit.html", _edit_context(main, formsets, new=True))


@manage
def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    procedure = get_object_or_404(Procedure, code=code)
    versions = procedure.versions.select_related("created_by", "sector", "agency")
    history = list(selectors.procedure_history(procedure)[:100])
    return render(
        request,
        "publishing/procedure.html",
        {
            "procedure": procedure,
            "versions": versions,
            "history": history,
            "history_rows": [(event, history_comment(event)) for event in history],
        },
    )


@manage
@require_POST
def draft_create(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    procedure = get_object_or_404(Procedure, code=code)
    try:
        draft = services.version_create_draft(procedure=procedure, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("publishing:procedure", code)
    return redirect("publishing:edit", draft.pk)


@manage
def version_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(selectors.version_with_content(), pk=pk)
    if version.state != "draft":
        messages.error(request, _("Only a draft can be edited; make a new draft of the published version."))
        return redirect("publishing:procedure", version.procedure.code)
    content = version_content(version)

    def save(data: dict[str, Any], new_content: dict[str, Any]) -> HttpResponse:
        services.version_update(version=version, content=new_content, actor=request.user)
        messages.success(request, _("Draft saved."))
        if "preview" in request.POST:
            return redirect("publishing:preview", version.pk)
        return redirect("publishing:procedure", version.procedure.code)

    initial = {**content, "sector": version.sector, "agency": version.agency}
    result = _edit(
        request, main_class=VersionForm, initial=initial, rows=initial_from_content(content), save=save
    )
    if isinstance(result, HttpResponse):
        return result
    main, formsets = result
    return render(request, "publishing/edit.html", _edit_context(main, formsets, version=version))


def _edit_context(main: forms.Form, formsets: dict[str, Any], **extra: Any) -> dict[str, Any]:
    result_names = VersionForm.RESULT_FIELDS
    return {
        "form": main,
        "formsets": formsets,
        "main_fields": [main[name] for name in main.fields if name not in result_names],
        "result_fields": [main[name] for name in result_names],
        "placeholders": result_template.PLACEHOLDERS,
        **extra,
    }


@manage
@require_POST
def result_preview(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The result as the edit page's unsaved content would make it, with sample data: a PDF, nothing saved."""
    version = get_object_or_404(selectors.version_with_content(), pk=pk)
    content: dict[str, Any] = {}

    def keep(data: dict[str, Any], new_content: dict[str, Any]) -> HttpResponse:
        content.update(new_content)
        return HttpResponse()

    result = _edit(request, main_class=VersionForm, initial={}, rows={}, save=keep)
    if isinstance(result, HttpResponse) and content:
        data = result_template.preview(content=content, procedure_code=version.procedure.code)
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{version.procedure.code}-preview.pdf"'
        return response
    main, formsets = result if not isinstance(result, HttpResponse) else (VersionForm(), make_formsets())
    return render(request, "publishing/edit.html", _edit_context(main, formsets, version=version), status=400)


@manage
def version_preview(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(selectors.version_with_content(), pk=pk)
    return render(request, "procedures/detail.html", _detail_context(request, version, preview=True))


def _act(request: AuthenticatedHttpRequest, pk: int, action: VersionAction, done: str) -> HttpResponse:
    version = get_object_or_404(ProcedureVersion.objects.select_related("procedure"), pk=pk)
    try:
        action(version=version, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done % {"n": version.number})
    return redirect("publishing:procedure", version.procedure.code)


@manage
@require_POST
def version_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.version_publish, _("Version %(n)s is published."))


@manage
@require_POST
def version_archive(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.version_archive, _("Version %(n)s is archived."))
