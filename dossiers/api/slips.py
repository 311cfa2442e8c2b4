"""Slips over the API: the PDF of a dossier's receipt, supplement request, refusal, apology or control slip."""

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.policy import Ask
from audit.models import AccessWhat
from dossiers import slips
from dossiers.access import dossier_for
from portal.api.schema import PDF_RESPONSE, error_responses
from portal.downloads import private_file_response
from portal.errors import NotFound


class SlipView(APIView):
    """A slip of the dossier as a PDF to print or keep, once the dossier has one: `receipt` (once received),
    `supplement` (once a supplement was asked for), `refusal` (once refused), `apology` (once one was issued),
    `control` (once submitted).

    404 for a dossier the caller may not see or an unknown kind; 409 `slip_not_available` for a kind the dossier
    does not have yet.
    """

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # The answer is a PDF whatever the client accepts; errors stay JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(slips.KINDS))],
        responses={**PDF_RESPONSE, **error_responses(403, 409)},
    )
    def get(self, request: Request, pk: int, kind: str) -> HttpResponse:
        if kind not in slips.KINDS:
            raise NotFound(f"There is no slip {kind!r}.", code="unknown_slip")
        dossier = dossier_for(
            request.user, pk, ask=Ask.SLIPS, log=AccessWhat.SLIP, detail=kind, queryset=slips.loading()
        )
        return private_file_response(
            slips.render(dossier, kind, request=request), filename=f"{dossier.code}-{kind}.pdf"
        )
