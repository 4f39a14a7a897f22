from typing import Any, cast

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from leads.pages import CappedPaginator


class CountCappedPaginator(CappedPaginator):
    """The pages' capped count, and pages on past it for as long as there are rows.

    An exact ``COUNT(*)`` of a broad filter over a million contacts cost 200 to 600 ms on
    every list request (most of the request, bench_load), while a client that walks the
    ``next`` links needs no total at all. Past the cap, a page reads one row more than it
    shows to know whether there is a next one.
    """

    def page(self, number) -> Page:
        if self.count_is_exact:
            return super().page(number)
        number = self.validate_number_past_the_count(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows:
            raise EmptyPage(self.error_messages["no_results"])
        return ProbedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)

    def validate_number_past_the_count(self, number) -> int:
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number


def _whole_number(text: str, lowest: int, highest: int | None) -> int | None:
    """``text`` as an integer within the bounds, or None ("1.5", "x", "" are none)."""
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if lowest <= number and (highest is None or number <= highest) else None


class ProbedPage(Page):
    """A page past the counted rows: whether a next one exists was read, not computed."""

    def __init__(self, object_list, number: int, paginator: Paginator, *, more: bool) -> None:
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


class PageNumberPagination(pagination.PageNumberPagination):
    """`results` plus `next`/`previous` links; `page_size` up to 1,000 for integrations.

    ``count`` is exact up to 10,000 results (``count_exact``); past that it says 10,000 and
    the ``next`` links go on to the last result. What the schema forbids is a 400 naming the
    parameter (a ``page`` or ``page_size`` that is no whole number from 1, a ``page_size``
    over 1,000); a page past the end, which no schema can foresee, is a 404 ``No such page``.
    """

    django_paginator_class = CountCappedPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000
    invalid_page_message = "{message}."  # Django's: "That page contains no results", ...

    def paginate_queryset(self, queryset, request, view=None):
        page = request.query_params.get(self.page_query_param)
        if page is not None and _whole_number(page, 1, None) is None:
            raise ValidationError({self.page_query_param: [_("Give a whole number from 1.")]})
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:
            raise NotFound(f"No such page: {exc.detail}") from exc

    def get_page_size(self, request) -> int:
        asked = request.query_params.get(self.page_size_query_param)
        if asked is None:
            return self.page_size
        size = _whole_number(asked, 1, self.max_page_size)
        if size is None:
            message = f"Give a whole number from 1 to {self.max_page_size}."
            raise ValidationError({self.page_size_query_param: [message]})
        return size

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.page_query_param: {"minimum": 1},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        for parameter in parameters:
            parameter["schema"] |= bounds.get(parameter["name"], {})
        return parameters

    def get_paginated_response(self, data: Any) -> Response:
        paginator = cast(CountCappedPaginator, cast(Page[Any], self.page).paginator)
        return Response(
            {
                "count": min(paginator.count, paginator.CAP),
                "count_exact": paginator.count_is_exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        described = super().get_paginated_response_schema(schema)
        cap = self.django_paginator_class.CAP
        described["properties"]["count"]["description"] = f"Exact up to {cap:,} results."
        described["properties"] = {
            "count": described["properties"]["count"],
            "count_exact": {
                "type": "boolean",
                "description": f"False past {cap:,} results: follow the next links to the end.",
            },
            **{k: v for k, v in described["properties"].items() if k != "count"},
        }
        described["required"] = [*described.get("required", []), "count_exact"]
        return described
