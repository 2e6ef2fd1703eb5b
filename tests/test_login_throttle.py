"""Login throttling (django-axes): 20 failed logins from one address lock that address out
for 15 minutes (HTTP 429, even with the right password); other addresses log in."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
ATTACKER, COLLEAGUE = "203.0.113.7", "198.51.100.20"


@pytest.fixture
def editor(settings) -> User:
    # The lockout is what is tested, not the hash: a fast one for forty logins.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return User.objects.create_superuser("editor", "editor@example.org", "right-password")


def log_in(password: str, address: str = ATTACKER):
    client = Client(REMOTE_ADDR=address)
    response = client.post(LOGIN, {"username": "editor", "password": password, "next": "/admin/"})
    return response, client


def fail(times: int, address: str = ATTACKER) -> None:
    for _ in range(times):
        response, _client = log_in("wrong", address)
        assert response.status_code in (200, 429)


def logged_in(client: Client) -> bool:
    return client.get("/admin/").status_code == 200


def test_the_limits_are_the_documented_ones() -> None:
    assert settings.AXES_FAILURE_LIMIT == 20
    assert dt.timedelta(minutes=15) == settings.AXES_COOLOFF_TIME


def test_19_failures_do_not_lock_the_right_password_out(editor: User) -> None:
    fail(19)
    response, client = log_in("right-password")
    assert response.status_code == 302 and logged_in(client)


def test_20_failures_lock_the_address_out_for_15_minutes(editor: User) -> None:
    fail(20)
    failures = AccessAttempt.objects.get(ip_address=ATTACKER).failures_since_start
    response, client = log_in("right-password")
    assert response.status_code == 429
    assert "Too many failed logins from this address" in response.content.decode()
    assert not logged_in(client)
    # Refused before the login form ran: nothing more was counted or written.
    assert AccessAttempt.objects.get(ip_address=ATTACKER).failures_since_start == failures
    # Another address is not locked out.
    response, colleague = log_in("right-password", COLLEAGUE)
    assert response.status_code == 302 and logged_in(colleague)
    # Still locked 14 minutes later; free after 15.
    attempt = AccessAttempt.objects.get(ip_address=ATTACKER)
    attempt.attempt_time -= dt.timedelta(minutes=14)
    attempt.save()
    assert log_in("right-password")[0].status_code == 429
    attempt.refresh_from_db()
    attempt.attempt_time -= dt.timedelta(minutes=1, seconds=5)
    attempt.save()
    response, client = log_in("right-password")
    assert response.status_code == 302 and logged_in(client)
