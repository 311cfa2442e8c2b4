"""A counter clerk records that they checked a citizen's ID card (the trust issue's walk-in rule)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.models import User
from portal.api.schema import error_responses
from portal.errors import NotFound


class IdentityVerifyView(APIView):
    """`{"username", "id_number"}`: the clerk checked this citizen's ID card at the counter; the account's ID
    number counts as verified from now on (who and when are kept), and walk-in dossiers with that number join
    the account. 403 for anyone but a receiver; 404 for an unknown citizen; 409 when another account holds the
    number verified; 400 for a number that is not 12 digits."""

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        id_number = serializers.CharField(max_length=12, min_length=12)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer(
                "VerifiedIdentity",
                {
                    "username": serializers.CharField(),
                    "id_number": serializers.CharField(),
                    "verified_at": serializers.DateTimeField(),
                },
            ),
            **error_responses(403, 404, 409),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.citizen_by_username(data.validated_data["username"])
        if user is None:
            raise NotFound("No such citizen account.")
        # IsAuthenticated lets only an account through; the service decides whether it may verify.
        clerk = request.user if isinstance(request.user, User) else None
        profile = services.identity_verify(actor=clerk, user=user, id_number=data.validated_data["id_number"])
        return Response(
            {"username": user.username, "id_number": profile.id_number, "verified_at": profile.id_verified_at}
        )
