"""A list read a page at a time from selectors that return (the rows offset..offset+limit, how
many rows there are in all) — the owner's needs-attention list, the agenda — shaped as a Django
Paginator (or DRF pagination) reads it: `count()` and one slice. The page the request asks for
is the hint, so its count and its rows come from one read; another slice is read anew.

`count_of` counts a list in SQL beside the first rows read of it."""

from django.db.models import Count, Subquery, Value

MAX_PAGE = 1_000_000


class ReadPages:
    def __init__(self, read, *, page=1, per_page=25, transform=None):
        self.read = read
        # A page past any real list reads nothing (the paginator then answers 404); clamped so a
        # huge number never reaches SQL's OFFSET.
        self.hint = ((min(max(page, 1), MAX_PAGE) - 1) * per_page, per_page)
        self.transform = transform or (lambda item: item)
        self._read = {}

    def _page(self, offset, limit):
        if (offset, limit) not in self._read:
            self._read[(offset, limit)] = self.read(offset=offset, limit=limit)
        return self._read[(offset, limit)]

    def count(self):
        return self._page(*self.hint)[1]

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError(f"{type(self).__name__} reads slices only")
        offset = index.start or 0
        stop = index.stop if index.stop is not None else self.count()
        first, size = self.hint
        if first <= offset and stop <= first + size:  # within the page already read (a last, shorter page)
            rows = self._page(first, size)[0][offset - first:stop - first]
        else:
            rows = self._page(offset, max(stop - offset, 1))[0][: max(stop - offset, 0)]
        return [self.transform(i) for i in rows]


def count_of(queryset, total=None):
    """A scalar subquery: `total` (an aggregate; default: the rows) over the queryset's rows, to
    annotate on the rows a page reads — how many there are in all, read with the page. One
    grouped-by-nothing aggregate (a constant "group" that Django leaves out of GROUP BY), so it
    is one row even when nothing matches.

    Not a window COUNT(*) OVER (): a window makes PostgreSQL build every matching row, with all
    the columns and joins the page selects, before the sort and LIMIT keep the few shown (8,000
    wide rows spilled to disk for 15 on the home page); the subquery counts narrow rows once,
    and the page's own rows can then stop at the LIMIT."""
    counted = queryset.order_by().annotate(_all=Value(1)).values("_all")
    return Subquery(counted.annotate(_n=total or Count("*")).values("_n"))
