"""Results over the API: the signed PDF of a dossier, and public verification of any PDF."""

import logging

from django.conf import settings
from django.http import FileResponse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.policy import Ask
from audit.models import AccessWhat
from dossiers import drafted_results, results
from dossiers.access import dossier_for
from dossiers.models import Result
from dossiers.services import TooLarge
from portal.api.schema import PDF_RESPONSE, error_responses
from portal.downloads import private_file_response
from portal.errors import InvalidState, ServiceError
from portal.throttling import UploadThrottle, VerifyThrottle

log = logging.getLogger(__name__)


class ServiceUnavailable(ServiceError):
    status = 503
    code = "unavailable"


class ResultView(APIView):
    """The signed result PDF, once the dossier is `result_ready` or `returned`; 409 before, 404 if not yours."""

    @extend_schema(responses={**PDF_RESPONSE, **error_responses(403, 409, 503)})
    def get(self, request: Request, pk: int) -> FileResponse:
        dossier = dossier_for(request.user, pk, ask=Ask.RESULT, log=AccessWhat.RESULT)
        result = Result.objects.filter(dossier=dossier).first()
        if result is None:
            raise InvalidState("The result is not ready yet.", code="result_not_ready")
        try:
            handle = result.file.open("rb")
        except OSError:
            log.exception("the result file of dossier %s is missing from storage", dossier.pk)
            raise ServiceUnavailable(
                "The result file cannot be read now; the portal's staff have been told."
            ) from None
        return private_file_response(handle, filename=f"{dossier.code}.pdf")


class VerifyView(APIView):
    """Upload a PDF (multipart `file`): is it a result this portal signed, unchanged since?

    Always 200 with `valid` and the `reason`: a file that is not one of the portal's results (by its SHA-256; a
    changed byte makes another file) is answered at once, without being read, as not a result of this portal;
    only a result on record is parsed and its signature checked, with a time budget. A valid result also says its
    signature's `level` (`PAdES-B-LT`: validated from the data it carries, at its time stamp, with revocation
    required) and the `timestamp` the time-stamping authority vouches for. 413 for a file over 20 MB.
    """

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [VerifyThrottle]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(allow_empty_file=False)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer(
                "Verification",
                {
                    "valid": serializers.BooleanField(),
                    "code": serializers.CharField(allow_null=True),
                    "signed_at": serializers.DateTimeField(allow_null=True),
                    "signer": serializers.CharField(allow_null=True),
                    "reason": serializers.CharField(),
                    # "PAdES-B-LT" for a long-term signature (time-stamped, with its validation data).
                    "level": serializers.CharField(allow_null=True),
                    "timestamp": serializers.DateTimeField(allow_null=True),
                },
            ),
            **error_responses(413),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        if upload.size > settings.VERIFY_MAX_BYTES:
            raise TooLarge("A result PDF is at most 20 MB.")
        verification = results.verify(upload.read())
        return Response(verification.__dict__)


class DraftedResultOutput(serializers.Serializer):
    original_name = serializers.CharField()
    size = serializers.IntegerField()
    pages = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class DraftedResultView(APIView):
    """The result as the agency drafted it, which the approval signs instead of the portal's own layout.

    POST multipart `file` (an assessor of the competent agency, while `assessing`; again to replace it) → 201:
    413 over the size limit, 415 for a file that is not a PDF (sniffed from its bytes), 400 `invalid_pdf` for an
    encrypted PDF, one with JavaScript or actions, or one that cannot be read; 409 in another state. GET (staff
    of the competent agency) → the PDF; 404 when there is none.
    """

    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [UploadThrottle]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(allow_empty_file=False)

    @extend_schema(
        request=InputSerializer, responses={201: DraftedResultOutput, **error_responses(403, 409, 413, 415)}
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        drafted = drafted_results.drafted_result_attach(
            dossier_id=pk, actor=request.user, upload=data.validated_data["file"]
        )
        return Response(DraftedResultOutput(drafted).data, status=201)

    @extend_schema(responses={**PDF_RESPONSE, **error_responses(403, 409)})
    def get(self, request: Request, pk: int) -> FileResponse:
        drafted = drafted_results.drafted_result_for(request.user, pk)
        return private_file_response(drafted.file.open("rb"), filename=drafted.original_name)
