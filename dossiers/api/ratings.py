"""Rating the service (API.md: POST /api/v1/dossiers/{id}/rating/)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dossiers import services
from dossiers.constants import DislikeReason
from portal.api.schema import error_responses


class RatingView(APIView):
    """`{"score": 1..5, "comment", "dislike_reason"}` → 201, once, by the applicant, after the result is returned.

    `dislike_reason` (optional) dislikes the service with a reason: one of `slow, extra_papers, manner, unclear,
    other`. 409 before `returned` or when already rated; 403 for anyone but the applicant; 400 for a bad score or
    reason."""

    class RatingInput(serializers.Serializer):
        score = serializers.IntegerField(min_value=1, max_value=5)
        comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
        dislike_reason = serializers.ChoiceField(
            choices=DislikeReason.choices, required=False, allow_blank=True, default=""
        )

    @extend_schema(
        request=RatingInput,
        responses={
            201: inline_serializer(
                "Rating",
                {
                    "score": serializers.IntegerField(),
                    "comment": serializers.CharField(),
                    "dislike_reason": serializers.CharField(),
                },
            ),
            **error_responses(403, 409),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.RatingInput(data=request.data)
        data.is_valid(raise_exception=True)
        rating = services.rating_create(dossier_id=pk, actor=request.user, **data.validated_data)
        return Response(
            {
                "score": rating.score,
                "comment": rating.comment,
                "dislike_reason": rating.dislike_reason,
                "created_at": rating.created_at,
            },
            status=201,
        )
