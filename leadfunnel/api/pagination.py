from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError


class PageNumberPagination(pagination.PageNumberPagination):
    """`results` plus `next`/`previous` links; `page_size` up to 1,000 for integrations.

    A page that is no number or past the end is bad input, a 400 naming ``page`` (DRF
    answers 404, which the API keeps for unknown ids).
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000
    invalid_page_message = "{message}."  # Django's: "That page contains no results", ...

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:
            raise ValidationError({self.page_query_param: [exc.detail]}) from exc
