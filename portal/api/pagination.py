"""Pagination shapes of API.md: ``{"results": [...], "next": url | null}``: numbered pages for the catalogue,
keyset pages (``portal.pagination``) for everything that grows."""

from collections import OrderedDict
from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from portal.pagination import keyset_page


class PagePagination(PageNumberPagination):
    """Numbered pages for the catalogue, whose order (by name) is stable and small enough to count."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_paginated_response(self, data: list[Any]) -> Response:
        return Response(
            OrderedDict(
                [
                    ("count", self.page.paginator.count if self.page is not None else len(data)),
                    ("next", self.get_next_link()),
                    ("previous", self.get_previous_link()),
                    ("results", data),
                ]
            )
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["results", "next"],
            "properties": {
                "count": {"type": "integer"},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }


class KeysetPagination(BasePagination):
    """API.md's keyset pages, newest first: ``{"results", "next"}``, ``next`` carrying the ``cursor`` (the last id of
    the page) and every other query parameter; ``page_size`` 1–100 (20). A bad cursor or size is a 400."""

    page_size = 20
    max_page_size = 100

    def paginate_queryset(self, queryset: QuerySet[Any], request: Request, view: Any = None) -> list[Any]:
        query = _KeysetQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        self.request = request
        self.page = keyset_page(
            queryset, after=query.validated_data.get("cursor"), size=query.validated_data["page_size"]
        )
        return self.page.items

    def get_next_link(self) -> str | None:
        if self.page.next_cursor is None:
            return None
        return replace_query_param(self.request.build_absolute_uri(), "cursor", self.page.next_cursor)

    def get_paginated_response(self, data: list[Any]) -> Response:
        return Response({"results": data, "next": self.get_next_link()})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["results", "next"],
            "properties": {"results": schema, "next": {"type": "string", "nullable": True, "format": "uri"}},
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "description": "The last id of the page before (from `next`).",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.page_size,
                },
            },
        ]


class _KeysetQuery(serializers.Serializer):
    cursor = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    page_size = serializers.IntegerField(min_value=1, max_value=KeysetPagination.max_page_size, default=20)
