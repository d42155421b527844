"""NUL characters in query strings and forms, removed in one place before any view reads them.

PostgreSQL refuses NUL in text ("A string literal cannot contain NUL (0x00) characters"), so
``?q=%00``, a district name or a login name carrying one was a 500 there, and fine on SQLite.
No person types a NUL; it is removed from every key and value of ``request.GET`` and
``request.POST`` (uploaded files are data, and untouched), so each view's own checks then
answer as they would for the text without it.
"""

from django.http import QueryDict

NUL = "\x00"


def _holds_nul(params: QueryDict) -> bool:
    return any(NUL in key or any(NUL in v for v in values) for key, values in params.lists())


def without_nul(params: QueryDict) -> QueryDict:
    """A read-only copy of ``params`` with NUL removed from every key and value."""
    clean = QueryDict(mutable=True, encoding=params.encoding)
    for key, values in params.lists():
        clean.setlist(key.replace(NUL, ""), [v.replace(NUL, "") for v in values])
    clean._mutable = False
    return clean


class StripNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if ("%00" in query or NUL in query) and _holds_nul(request.GET):
            request.GET = without_nul(request.GET)
        if request.method == "POST" and _holds_nul(request.POST):
            request.POST = without_nul(request.POST)
        return self.get_response(request)
