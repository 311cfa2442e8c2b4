"""Schema pieces shared by the API views: the error body of API.md, the schema class."""

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.types import OpenApiTypes
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

# A file in the body: a PDF (results, slips, receipts) or a paper as it was uploaded.
PDF_RESPONSE = {(200, "application/pdf"): OpenApiTypes.BINARY, **ERROR_RESPONSES}
FILE_RESPONSE = {(200, "application/octet-stream"): OpenApiTypes.BINARY, **ERROR_RESPONSES}


class AutoSchema(SpectacularAutoSchema):
    """Views nest their ``InputSerializer`` / ``OutputSerializer`` (STYLE.md); drf-spectacular would name each of
    them "Input" or "Output" and mix them up, so a nested serializer is named after the view that holds it."""

    def get_serializer_name(self, serializer: Any, direction: str) -> str:
        name = super().get_serializer_name(serializer, direction)
        outer, _, inner = type(serializer).__qualname__.rpartition(".")
        if outer and not getattr(getattr(serializer, "Meta", None), "ref_name", None):
            return outer.replace(".", "") + inner.removesuffix("Serializer")
        return name
