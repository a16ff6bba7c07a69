from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """`{count, next, previous, results}`; `?page=` and `?page_size=` (at most 100; a larger
    value is cut to 100, a missing or invalid one gives 25). A page past the end is 404."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
