"""Schema pieces shared by the API views: the error body of API.md."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorSerializer = inline_serializer(
    name="Error",
    fields={"detail": serializers.CharField(), "code": serializers.CharField()},
)

ERROR_RESPONSES = {
    400: OpenApiResponse(ErrorSerializer, description="Bad input"),
    404: OpenApiResponse(ErrorSerializer, description="Unknown, or not yours"),
}
