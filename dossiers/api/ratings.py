"""Rating the service (API.md: POST /api/v1/dossiers/{id}/rating/)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dossiers import services
from portal.api.schema import error_responses


class RatingView(APIView):
    """`{"score": 1..5, "comment"}` → 201, once, by the applicant, after the result is returned.

    409 before `returned` or when already rated; 403 for anyone but the applicant; 400 for a bad score."""

    class RatingInput(serializers.Serializer):
        score = serializers.IntegerField(min_value=1, max_value=5)
        comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    @extend_schema(
        request=RatingInput,
        responses={
            201: inline_serializer(
                "Rating", {"score": serializers.IntegerField(), "comment": serializers.CharField()}
            ),
            **error_responses(403, 409),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.RatingInput(data=request.data)
        data.is_valid(raise_exception=True)
        rating = services.rating_create(dossier_id=pk, actor=request.user, **data.validated_data)
        return Response(
            {"score": rating.score, "comment": rating.comment, "created_at": rating.created_at}, status=201
        )
