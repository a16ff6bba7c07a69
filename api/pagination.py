from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination

MAX_PAGE_SIZE = 100


class _PageParams(serializers.Serializer):
    # A plain dict is validated, not the QueryDict: DRF would take an empty value for "absent".
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)


class Pagination(PageNumberPagination):
    """`{count, next, previous, results}`; `?page=` (from 1) and `?page_size=` (1–100, default
    25). Anything else — not a number, out of range, given twice — is a 400 naming the
    parameter, as the schema says; a page past the end is 404."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        params = {}
        for name in ("page", "page_size"):
            values = request.query_params.getlist(name)
            if len(values) > 1:
                raise serializers.ValidationError({name: ["Give this parameter once."]})
            if values:
                params[name] = values[0]
        _PageParams(data=params).is_valid(raise_exception=True)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {"page": {"minimum": 1}, "page_size": {"minimum": 1, "maximum": MAX_PAGE_SIZE}}
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters
