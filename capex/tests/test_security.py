"""
The security settings as a deployment sees them: `check --deploy` is clean under production
variables, every answer carries the security headers and the Content-Security-Policy, the admin
lives at a configurable path, cookies are Secure and HttpOnly in production, secrets may come from
files, failed logins lock an account within OWASP ASVS limits, and API tokens are stored hashed,
expire and can be revoked.

Settings are read once, at start, from the environment; the tests that change variables start a
fresh Python process, as a deployment would.
"""

import json
import os
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from capex.tests.personas import fast_passwords, throttles_reset

ROOT = Path(__file__).resolve().parents[2]

STRICT_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def policy_of(response) -> dict[str, str]:
    """The Content-Security-Policy header as {directive: sources}."""
    directives = (part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    return dict(directives)


def production_env(**overrides: str) -> dict[str, str]:
    """The variables a production deployment behind a TLS proxy sets (see .env.example)."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/root"),
        "DATABASE_URL": "postgres://capex:capex@db:5432/capex",
        "REDIS_URL": "redis://redis:6379/0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "capex.example.org",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
        "SECURE_HSTS_PRELOAD": "true",
    }
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def settings_in(env: dict[str, str], *names: str) -> dict:
    """The named settings as a process started with `env` sees them."""
    code = (
        "import json, os, django\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings')\n"
        "django.setup()\n"
        "from django.conf import settings\n"
        f"print(json.dumps({{name: getattr(settings, name) for name in {list(names)!r}}}, default=str))\n"
    )
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


# --- check --deploy ---------------------------------------------------------------------------


def test_check_deploy_is_clean_under_production_settings():
    result = manage(production_env(), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_when_hsts_is_left_off():
    result = manage(production_env(SECURE_HSTS_SECONDS="0"), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


def test_production_defaults_make_cookies_secure_and_http_only():
    env = production_env()
    found = settings_in(
        env, "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SECURE_HSTS_SECONDS", "DEBUG"
    )
    assert found == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "DEBUG": False,
    }


# --- secrets from files -----------------------------------------------------------------------


def test_secrets_are_read_from_files(tmp_path):
    secret_file = tmp_path / "secret_key"
    secret_file.write_text("from-a-file-" + "k" * 50 + "\n")
    database_file = tmp_path / "database_url"
    database_file.write_text("postgres://capex:s3cret@db:5432/capex\n")
    redis_file = tmp_path / "redis_url"
    redis_file.write_text("redis://:hidden@redis:6379/3\n")
    env = production_env(
        SECRET_KEY=None,
        DATABASE_URL=None,
        REDIS_URL=None,
        SECRET_KEY_FILE=str(secret_file),
        DATABASE_URL_FILE=str(database_file),
        REDIS_URL_FILE=str(redis_file),
    )
    found = settings_in(env, "SECRET_KEY", "DATABASES", "REDIS_URL")
    assert found["SECRET_KEY"] == "from-a-file-" + "k" * 50
    assert found["DATABASES"]["default"]["PASSWORD"] == "s3cret"
    assert found["DATABASES"]["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert found["REDIS_URL"] == "redis://:hidden@redis:6379/3"


def test_an_unreadable_secret_file_stops_the_start_naming_the_variable(tmp_path):
    env = production_env(SECRET_KEY=None, SECRET_KEY_FILE=str(tmp_path / "missing"))
    result = manage(env, "check")
    assert result.returncode != 0
    assert "SECRET_KEY_FILE" in result.stderr


def test_a_missing_secret_key_stops_a_production_start():
    result = manage(production_env(SECRET_KEY=None), "check")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


# --- the admin path ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "change-me",
        "changeme-" + "a" * 60,
        "secret",
        "django-insecure-" + secrets.token_urlsafe(50),
        "insecure-" + secrets.token_urlsafe(50),
        "short-but-random-Zq81",
        "ab" * 40,
    ],
    # Named, not shown: the random keys would give each xdist worker different test ids.
    ids=["change-me", "changeme-long", "secret", "django-insecure", "insecure", "short", "two-characters"],
)
def test_a_placeholder_or_weak_secret_key_stops_a_production_start(key):
    result = manage(production_env(SECRET_KEY=key), "check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "get_random_secret_key()" in result.stderr
    if len(key) > 10:
        assert key not in result.stderr  # the message never repeats the secret


def test_a_generated_secret_key_is_accepted_and_debug_allows_a_weak_one():
    from django.core.management.utils import get_random_secret_key

    assert manage(production_env(SECRET_KEY=get_random_secret_key()), "check").returncode == 0
    assert manage(production_env(SECRET_KEY="change-me", DEBUG="true"), "check").returncode == 0


def test_the_admin_is_served_at_the_configured_path_only(tmp_path):
    code = (
        "import os, django\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings')\n"
        "django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "from django.test import Client\n"
        "client = Client(HTTP_HOST='localhost')\n"
        "print(client.get('/back-office-7f3a/login/').status_code, client.get('/admin/login/').status_code)\n"
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/root"),
        "ADMIN_URL": "back-office-7f3a",
        # A database of its own, so the test does not depend on a local db.sqlite3.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'admin-path.sqlite3'}",
        "DEBUG": "true",
    }
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["200", "404"]


def test_the_admin_path_defaults_to_admin(client):
    assert reverse("admin:index") == "/admin/"


# --- headers ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_carry_the_security_headers_and_the_strict_policy(client):
    response = client.get("/")
    assert response.status_code == 200
    assert policy_of(response) == STRICT_CSP
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_admin_and_the_api_carry_the_strict_policy(client):
    for path in ("/admin/login/", "/api/v1/", "/healthz"):
        response = client.get(path)
        assert policy_of(response) == STRICT_CSP, path


@pytest.mark.django_db
def test_only_the_api_docs_relax_the_policy_for_their_inline_styles(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    policy = policy_of(response)
    assert policy["style-src"] == "'self' 'unsafe-inline'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"


@pytest.mark.django_db
def test_the_policy_built_once_follows_the_settings_and_matches_django_csp(client, settings):
    """The site-wide policy is built once per process (config/csp.py); a change of setting is followed at once."""
    from csp.utils import build_policy

    first = client.get("/healthz")
    assert first["Content-Security-Policy"] == build_policy()
    assert "Content-Security-Policy-Report-Only" not in first

    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'self'"], "img-src": ["'self'", "data:"]}}
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    changed = client.get("/healthz")

    assert policy_of(changed) == {"default-src": "'self'", "img-src": "'self' data:"}
    assert changed["Content-Security-Policy-Report-Only"] == "default-src 'none'"


@pytest.mark.django_db
def test_hsts_is_sent_over_https_when_configured(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/healthz", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in client.get("/healthz")


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_when_configured(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/companies/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    # Behind the TLS proxy the forwarded scheme counts: no redirect loop.
    assert client.get("/healthz", headers={"x-forwarded-proto": "https"}).status_code == 200


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_secure_and_http_only_in_production(client, settings):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    fast_passwords(settings)
    get_user_model().objects.create_superuser("root", "root@example.org", "a-long-passphrase-1")
    page = client.get("/admin/login/")
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] is True
    assert csrf["samesite"] == "Lax"
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "root", "password": "a-long-passphrase-1", "csrfmiddlewaretoken": csrf.value},
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"


# --- login lockout ----------------------------------------------------------------------------


@pytest.fixture
def account(settings):
    throttles_reset()
    fast_passwords(settings)
    return get_user_model().objects.create_superuser("root", "root@example.org", "a-long-passphrase-1")


def admin_login(client, password: str, username: str = "root"):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def test_the_lockout_stays_within_owasp_asvs_limits(settings):
    failures_per_hour = settings.AXES_FAILURE_LIMIT * 3600 / settings.AXES_COOLOFF_TIME.total_seconds()
    assert settings.AXES_FAILURE_LIMIT <= 10
    assert failures_per_hour <= 100
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_a_lockout_setting_above_the_asvs_limit_stops_the_start():
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/root"),
        "AXES_FAILURE_LIMIT": "50",
        "AXES_COOLOFF_MINUTES": "5",
    }
    result = manage(env, "check")
    assert result.returncode != 0
    assert "OWASP ASVS 2.2.1" in result.stderr


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account_even_with_the_right_password(client, account, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = admin_login(client, "wrong")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
    locked = admin_login(client, "wrong")
    assert locked.status_code == 429
    assert "locked" in locked.content.decode().lower()
    # The right password does not get in while the lock lasts.
    response = admin_login(client, "a-long-passphrase-1")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Nor does it through the API.
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Basic cm9vdDphLWxvbmctcGFzc3BocmFzZS0x")  # root:a-long-passphrase-1
    refused = api.post("/api/v1/auth/login/")
    assert refused.status_code == 401
    assert AuthToken.objects.count() == 0


@pytest.mark.django_db
def test_the_lock_lifts_after_the_cool_off(client, account, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        admin_login(client, "wrong")
    assert admin_login(client, "a-long-passphrase-1").status_code == 429
    settings.AXES_COOLOFF_TIME = timedelta(seconds=0)
    response = admin_login(client, "a-long-passphrase-1")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(account.pk)


@pytest.mark.django_db
def test_an_administrator_can_lift_a_lock(client, account, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        admin_login(client, "wrong")
    call_command("axes_reset_username", "root", verbosity=0)
    assert admin_login(client, "a-long-passphrase-1").status_code == 302


@pytest.mark.django_db
def test_a_success_before_the_limit_clears_the_count(client, account, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        admin_login(client, "wrong")
    assert admin_login(client, "a-long-passphrase-1").status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        admin_login(client, "wrong")
    assert admin_login(client, "a-long-passphrase-1").status_code == 302


@pytest.mark.django_db
def test_failures_on_one_account_do_not_lock_another(client, account, settings):
    other = get_user_model().objects.create_superuser("other", "other@example.org", "another-passphrase-2")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        admin_login(client, "wrong")
    other_client = type(client)(REMOTE_ADDR="10.0.0.9")
    response = other_client.post(
        "/admin/login/?next=/admin/", {"username": "other", "password": "another-passphrase-2"}
    )
    assert response.status_code == 302
    assert other_client.session["_auth_user_id"] == str(other.pk)


# --- API tokens -------------------------------------------------------------------------------


def token_login(password: str = "a-long-passphrase-1") -> APIClient:  # noqa: S107 (the test account)
    import base64

    api = APIClient()
    credentials = base64.b64encode(f"root:{password}".encode()).decode()
    api.credentials(HTTP_AUTHORIZATION=f"Basic {credentials}")
    return api


@pytest.mark.django_db
def test_api_tokens_are_stored_only_as_a_hash_with_an_expiry(account):
    response = token_login().post("/api/v1/auth/login/")
    assert response.status_code == 200
    token = response.json()["token"]
    stored = AuthToken.objects.get(user=account)
    assert token not in {stored.digest, stored.token_key}
    assert not AuthToken.objects.filter(digest__contains=token).exists()
    assert len(stored.digest) == 128  # SHA-512 hex
    lifetime = stored.expiry - timezone.now()
    assert timedelta(days=29) < lifetime <= timedelta(days=30)


@pytest.mark.django_db
def test_a_revoked_token_is_refused(account):
    token = token_login().post("/api/v1/auth/login/").json()["token"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.post("/api/v1/auth/logout/").status_code == 204
    assert api.post("/api/v1/auth/logout/").status_code == 401
    assert AuthToken.objects.filter(user=account).count() == 0


@pytest.mark.django_db
def test_an_expired_token_is_refused_and_removed(account):
    token = token_login().post("/api/v1/auth/login/").json()["token"]
    AuthToken.objects.filter(user=account).update(expiry=timezone.now() - timedelta(seconds=1))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api.post("/api/v1/auth/logout/")
    assert response.status_code == 401
    assert AuthToken.objects.filter(user=account).count() == 0


# --- the client address the lockout counts ------------------------------------------------------


def test_without_a_proxy_a_forged_forwarded_header_is_ignored(rf, settings):
    from config.client_ip import client_ip

    settings.TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "203.0.113.7"


def test_behind_one_proxy_the_address_it_saw_is_used_not_what_the_client_wrote(rf, settings):
    from config.client_ip import client_ip

    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9")
    assert client_ip(request) == "198.51.100.9"
    short = rf.get("/", REMOTE_ADDR="10.0.0.2")
    assert client_ip(short) == "10.0.0.2"


# --- forwarded headers: trusted only from TRUSTED_PROXY_COUNT proxies ---------------------------


def rotating_forwarded_for(count: int) -> list[str]:
    return [f"198.51.100.{index}" for index in range(1, count + 1)]


@pytest.mark.django_db
def test_without_a_proxy_rotating_the_forwarded_header_does_not_escape_the_api_throttle(settings):
    throttles_reset()
    settings.TRUSTED_PROXY_COUNT = 0
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "2/minute"},
    }
    api = APIClient(REMOTE_ADDR="203.0.113.7")
    statuses = [
        api.get("/api/v1/companies/", HTTP_X_FORWARDED_FOR=forged).status_code for forged in rotating_forwarded_for(3)
    ]
    assert statuses == [200, 200, 429]


@pytest.mark.django_db
def test_without_a_proxy_rotating_the_forwarded_header_does_not_escape_the_login_throttle(account, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login": "3/minute"},
    }
    statuses = [
        token_login("wrong").post("/api/v1/auth/login/", HTTP_X_FORWARDED_FOR=forged).status_code
        for forged in rotating_forwarded_for(4)
    ]
    assert statuses == [401, 401, 401, 429]


@pytest.mark.django_db
def test_without_a_proxy_rotating_the_forwarded_header_does_not_escape_the_login_lockout(client, account, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for forged in rotating_forwarded_for(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/admin/login/?next=/admin/", {"username": "root", "password": "wrong"}, HTTP_X_FORWARDED_FOR=forged
        )
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "root", "password": "a-long-passphrase-1"},
        HTTP_X_FORWARDED_FOR="192.0.2.200",
    )
    assert response.status_code == 429


@pytest.mark.django_db
def test_behind_one_proxy_the_throttle_counts_the_rightmost_forwarded_address(settings):
    throttles_reset()
    settings.TRUSTED_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "1/minute"},
    }
    api = APIClient(REMOTE_ADDR="10.0.0.2")
    # The client writes what it likes on the left; the proxy appends the address it saw.
    first = api.get("/api/v1/companies/", HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.9")
    same_client = api.get("/api/v1/companies/", HTTP_X_FORWARDED_FOR="2.2.2.2, 198.51.100.9")
    other_client = api.get("/api/v1/companies/", HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.10")
    assert [first.status_code, same_client.status_code, other_client.status_code] == [200, 429, 200]


@pytest.mark.django_db
def test_behind_a_load_balancer_without_trusted_proxies_one_locked_account_does_not_lock_others(
    client, account, settings
):
    """Every request comes from the balancer's address: the lock is on user name and address together."""
    settings.TRUSTED_PROXY_COUNT = 0
    other = get_user_model().objects.create_superuser("other", "other@example.org", "another-passphrase-2")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        admin_login(client, "wrong")
    assert admin_login(client, "a-long-passphrase-1").status_code == 429
    same_address = type(client)()
    response = same_address.post(
        "/admin/login/?next=/admin/", {"username": "other", "password": "another-passphrase-2"}
    )
    assert response.status_code == 302
    assert same_address.session["_auth_user_id"] == str(other.pk)


def test_drf_axes_and_the_access_log_read_the_one_proxy_setting():
    env = production_env(TRUSTED_PROXY_COUNT="2")
    seen = settings_in(env, "TRUSTED_PROXY_COUNT", "REST_FRAMEWORK")
    assert seen["TRUSTED_PROXY_COUNT"] == 2
    assert seen["REST_FRAMEWORK"]["NUM_PROXIES"] == 2
    assert settings_in(production_env(), "REST_FRAMEWORK")["REST_FRAMEWORK"]["NUM_PROXIES"] == 0


def test_the_access_log_shows_the_client_address_the_proxies_vouch_for(monkeypatch):
    from datetime import timedelta as duration
    from types import SimpleNamespace

    from gunicorn.config import Config

    from config.access_log import AccessLogger

    environ = {
        "REMOTE_ADDR": "10.0.0.2",
        "HTTP_X_FORWARDED_FOR": "1.1.1.1, 198.51.100.9",
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    response = SimpleNamespace(status="200 OK", sent=0, headers=[])
    request = SimpleNamespace(headers=[])
    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "1")
    behind_one = AccessLogger(Config()).atoms(response, request, environ, duration(seconds=0))
    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "0")
    without = AccessLogger(Config()).atoms(response, request, environ, duration(seconds=0))
    assert behind_one["h"] == "198.51.100.9"
    assert without["h"] == "10.0.0.2"


# --- tokens end with the password or the account ------------------------------------------------


def token_client(account) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=account)[1]}")
    return api


@pytest.mark.django_db
def test_a_password_change_revokes_the_users_tokens(account):
    api = token_client(account)
    assert api.post("/api/v1/auth/logout-all/").status_code == 204  # the token worked
    api = token_client(account)
    account.set_password("a-new-passphrase-2")
    account.save()
    assert AuthToken.objects.filter(user=account).count() == 0
    assert api.post("/api/v1/auth/logout/").status_code == 401


@pytest.mark.django_db
def test_a_password_changed_in_the_admin_revokes_the_users_tokens(client, account):
    other = get_user_model().objects.create_user("tool", "tool@example.org", "a-long-passphrase-3")
    api = token_client(other)
    client.force_login(account)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[other.pk]),
        {"password1": "a-new-passphrase-4", "password2": "a-new-passphrase-4", "usable_password": "true"},
    )
    assert response.status_code == 302
    assert api.post("/api/v1/auth/logout/").status_code == 401
    assert AuthToken.objects.filter(user=other).count() == 0


@pytest.mark.django_db
def test_deactivating_a_user_revokes_their_tokens(account):
    other = get_user_model().objects.create_user("tool", "tool@example.org", "a-long-passphrase-3")
    api = token_client(other)
    kept = token_client(account)
    other.is_active = False
    other.save()
    assert AuthToken.objects.filter(user=other).count() == 0
    assert api.post("/api/v1/auth/logout/").status_code == 401
    assert kept.post("/api/v1/auth/logout/").status_code == 204  # other users' tokens stay


@pytest.mark.django_db
def test_saving_a_user_for_anything_else_keeps_their_tokens(account):
    token_client(account)
    account.email = "new@example.org"
    account.save()
    account.save(update_fields=["last_login"])
    assert AuthToken.objects.filter(user=account).count() == 1


@pytest.mark.django_db
def test_the_token_login_answer_is_never_stored_by_a_cache(account):
    response = token_login().post("/api/v1/auth/login/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
