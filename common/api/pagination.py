from django.core.paginator import Paginator
from rest_framework import pagination
from rest_framework.response import Response


class PageNumberPagination(pagination.PageNumberPagination):
    """Pages of 20 by default; clients may ask for up to 100 with ``page_size``."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def paginated(
    *, request, view, queryset, serializer_class, context: dict | None = None, count: int | None = None
) -> Response:
    """One page of ``queryset`` in the shared page shape (``count``, ``next``, ``previous``, ``results``).

    ``count``, when the caller knows a cheaper way to get it, saves the
    ``COUNT(*)`` over ``queryset`` itself.
    """
    paginator = (getattr(view, "pagination_class", None) or PageNumberPagination)()
    if count is not None:
        paginator.django_paginator_class = _known_count_paginator(count)
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True, context=context or {}).data)


def _known_count_paginator(count: int) -> type[Paginator]:
    class KnownCountPaginator(Paginator):
        @property
        def count(self) -> int:
            return count

    return KnownCountPaginator
