"""Token login for API clients (API.md, "Authentication")."""

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.schema import ErrorSerializer


class TokenView(APIView):
    """Exchange a username and password for a token; send it as `Authorization: Token <token>`.

    400 for missing fields or wrong credentials; 429 after too many failures for the account or the address.
    """

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=4096, trim_whitespace=False)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer("Token", {"token": serializers.CharField()}),
            400: OpenApiResponse(ErrorSerializer),
            429: OpenApiResponse(ErrorSerializer),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request._request, **data.validated_data)
        if user is None:
            # A locked-out attempt is answered by axes' middleware with 429 (accounts.lockout).
            raise exceptions.ValidationError(
                {"detail": "Wrong username or password."}, code="invalid_credentials"
            )
        # A token is a login: like the login page, this clears the account's failure count (AXES_RESET_ON_SUCCESS)
        # and records last_login.
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
