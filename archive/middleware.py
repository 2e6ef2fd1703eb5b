"""Response headers that make the pages hard to turn against their readers."""

from __future__ import annotations

from collections.abc import Callable

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader

# Every page's script and style come from our own static files: no inline code at all.
SITE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Django's admin sets a few style attributes from its own scripts and templates.
ADMIN_POLICY = SITE_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class SecurityHeadersMiddleware:
    """Content-Security-Policy and friends on every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = ADMIN_POLICY if request.path.startswith("/admin/") else SITE_POLICY
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy)
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class DatabaseUnavailableMiddleware:
    """A database that does not answer gives a clear 503 page, not a 500 or a traceback.

    Only connection-level failures count (OperationalError, InterfaceError); any other
    database error is a bug and stays a 500.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        if not _is_connection_failure(exception):
            return None
        body = loader.get_template("503.html").render()
        response = HttpResponse(body, status=503)
        response["Retry-After"] = "30"
        return response


def _is_connection_failure(error: DatabaseError) -> bool:
    """A locked SQLite file or a refused connection, not a bad query."""
    text = str(error).lower()
    phrases = ("connect", "database is locked", "unable to open", "server closed")
    return isinstance(error, InterfaceError) or any(phrase in text for phrase in phrases)


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address for login throttling. Behind the TLS proxy
    (PARKNEWS_BEHIND_TLS) it is the last X-Forwarded-For entry, the one the proxy added:
    earlier entries are whatever the caller sent."""
    from django.conf import settings

    forwarded = request.headers.get("X-Forwarded-For", "")
    if settings.BEHIND_TLS and forwarded.strip():
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")


class LockedOutLoginMiddleware:
    """A login post from an address django-axes has locked out is answered 429 at once,
    before sessions, CSRF, the form and the failure bookkeeping: a flood of them then
    costs one query each, and readers' requests keep their share of the workers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path == _login_path():
            from axes.handlers.proxy import AxesProxyHandler

            if AxesProxyHandler.is_locked(request):
                return HttpResponse(
                    "登录失败次数过多，请稍后再试。Too many failed logins from this address; "
                    "try again later.",
                    status=429,
                    content_type="text/plain; charset=utf-8",
                )
        return self.get_response(request)


def _login_path() -> str:
    from django.urls import reverse

    return reverse("admin:login")
