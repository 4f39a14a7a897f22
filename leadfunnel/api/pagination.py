from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """`results` plus `next`/`previous` links; `page_size` up to 1,000 for integrations."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000
