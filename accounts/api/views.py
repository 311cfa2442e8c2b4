"""Token login for API clients (API.md, "Authentication")."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.api.authentication import TokenAuthentication
from portal.api.schema import error_responses
from portal.throttling import TokenThrottle


class TokenView(APIView):
    """POST: exchange a username and password for a token; send it as `Authorization: Token <token>` until
    `expires_at`. DELETE (with that header): revoke the token; it answers 401 from then on.

    POST: 400 for missing fields or wrong credentials; 429 after too many failures for the account or the address,
    or too many requests. DELETE: 204; 401 without a valid token.
    """

    throttle_classes = [TokenThrottle]

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=4096, trim_whitespace=False)

    def _revoking(self) -> bool:
        # The schema generator asks without a request, method by method.
        return getattr(self.request, "method", None) == "DELETE"

    def get_authenticators(self) -> list[BaseAuthentication]:
        # Logging in needs no login; revoking is for the token sent with the request, never a session's.
        return [TokenAuthentication()] if self._revoking() else []

    def get_permissions(self) -> list[AllowAny | IsAuthenticated]:
        return [IsAuthenticated()] if self._revoking() else [AllowAny()]

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer(
                "Token", {"token": serializers.CharField(), "expires_at": serializers.DateTimeField()}
            ),
            **error_responses(400, 429),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # Through axes (accounts.lockout): the failure counts for the account and the address like the login
        # page's; a locked-out attempt is answered by axes' middleware with 429.
        user = authenticate(request._request, **data.validated_data)
        if user is None:
            raise exceptions.ValidationError(
                {"detail": "Wrong username or password."}, code="invalid_credentials"
            )
        instance, token = services.token_create(user=user, request=request._request)
        return Response(
            {"token": token, "expires_at": serializers.DateTimeField().to_representation(instance.expiry)}
        )

    @extend_schema(request=None, responses={204: None, **error_responses(401)})
    def delete(self, request: Request) -> Response:
        services.token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
