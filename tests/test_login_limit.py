"""Failed log-ins: counted per account name in the database, refused with 429 after too many, cleared by success."""
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

from conftest import make_app
from upload_helpers import PASSWORD, add_accounts, csrf_token, log_in

from webmap.accounts.throttle import WINDOW, login_wait
from webmap.ingest.geodata import prepare_database
from webmap.store import get_store

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def limited_app(tmp_path, attempts: int):
    """An app with accounts for every role and at most `attempts` failed log-ins per name."""
    app = make_app(tmp_path, LOGIN_ATTEMPTS=attempts)
    with app.app_context():
        prepare_database(with_samples=False)
    add_accounts(app)
    return app


def test_wait_counts_only_failures_inside_the_window():
    """Below the limit there is no wait; at it, the wait lasts until the oldest counted failure is 15 minutes old."""
    minutes = [NOW - timedelta(minutes=m) for m in (20, 10, 5, 1)]  # the first is outside the window
    assert login_wait(minutes, NOW, allowed=4) == 0
    assert login_wait(minutes, NOW, allowed=3) == 5 * 60  # 10 minutes ago + 15 minutes
    assert login_wait(minutes, NOW, allowed=2) == 10 * 60
    assert login_wait(minutes, NOW, allowed=0) == 0
    assert login_wait([NOW - WINDOW + timedelta(microseconds=1)], NOW, allowed=1) == 1


def test_too_many_failures_refuse_the_name_even_with_the_right_password(tmp_path):
    """After the allowed failures the name gets 429 with the wait in words and Retry-After; other names go on."""
    app = limited_app(tmp_path, attempts=3)
    client = app.test_client()
    for _ in range(3):
        response = log_in(client, "editor", PASSWORD + "x")
        assert response.status_code == 200 and "do not match" in response.get_data(as_text=True)
    refused = log_in(client, "editor")
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert "Too many failed log-ins under this account name. Try again in 15 minutes." in refused.get_data(as_text=True)
    assert client.get("/upload").status_code == 302  # no session was started
    assert log_in(client, "contributor").status_code == 302
    reader = app.test_client()
    arabic = reader.post("/login?lang=ar", data={"name": "editor", "password": PASSWORD,
                                                 "csrf_token": csrf_token(reader, "/login?lang=ar")})
    assert arabic.status_code == 429 and "حاول مرة أخرى بعد 15 دقيقةً" in arabic.get_data(as_text=True)


def test_unknown_names_are_counted_too(tmp_path):
    """Guessing names is limited like guessing passwords."""
    client = limited_app(tmp_path, attempts=2).test_client()
    assert [log_in(client, "nobody").status_code for _ in range(3)] == [200, 200, 429]


def test_a_successful_log_in_clears_the_count(tmp_path):
    """Failures before a successful log-in no longer count."""
    client = limited_app(tmp_path, attempts=3).test_client()
    statuses = [log_in(client, "editor", password).status_code
                for password in (PASSWORD + "x", PASSWORD + "x", PASSWORD, PASSWORD + "x", PASSWORD + "x", PASSWORD)]
    assert statuses == [200, 200, 302, 200, 200, 302]


def test_zero_turns_the_limit_off(tmp_path):
    """With WEBMAP_LOGIN_ATTEMPTS=0 failures never block a name."""
    client = limited_app(tmp_path, attempts=0).test_client()
    assert [log_in(client, "editor", PASSWORD + "x").status_code for _ in range(5)] == [200] * 5
    assert log_in(client, "editor").status_code == 302


def test_every_process_sees_the_same_count(tmp_path):
    """The count lives in the database: failures seen by one app instance block the name in another."""
    first = limited_app(tmp_path, attempts=2)
    second = make_app(tmp_path, LOGIN_ATTEMPTS=2)
    for _ in range(2):
        log_in(first.test_client(), "editor", PASSWORD + "x")
    assert log_in(second.test_client(), "editor").status_code == 429


def test_concurrent_guesses_cannot_pass_the_limit(tmp_path):
    """Attempts are counted before the password is checked, in one transaction: of 12 guesses sent at once
    with a limit of 3, exactly 3 get their password checked."""
    app = limited_app(tmp_path, attempts=3)
    clients = [app.test_client() for _ in range(12)]
    forms = [{"name": "editor", "password": PASSWORD + "x", "csrf_token": csrf_token(c)} for c in clients]
    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(lambda pair: pair[0].post("/login", data=pair[1]).status_code, zip(clients, forms)))
    assert sorted(statuses) == [200] * 3 + [429] * 9


def test_overlong_names_are_counted_under_a_short_key(tmp_path):
    """A name longer than any account's is counted under its first 65 characters, so guesses stay cheap to store."""
    app = limited_app(tmp_path, attempts=2)
    client = app.test_client()
    assert [log_in(client, "x" * 100_000 + str(n)).status_code for n in range(3)] == [200, 200, 429]
    with app.app_context():
        keys = get_store()._connection().execute("SELECT DISTINCT length(name) FROM login_failure").fetchall()
    assert keys == [(65,)]


def test_store_counts_an_attempt_only_below_the_limit(tmp_path):
    """An attempt is recorded while the name is under the limit; failures before `since` are forgotten."""
    app = limited_app(tmp_path, attempts=2)
    with app.app_context():
        store = get_store()
        times = ["2026-03-01T10:00:00+00:00", "2026-03-01T10:01:00+00:00", "2026-03-01T10:02:00+00:00"]
        found = [store.reserve_login_attempt("editor", at, "2026-03-01T09:50:00+00:00", 2) for at in times]
        assert found == [[], times[:1], times[:2]]  # the third was refused, so it was not recorded
        assert store.reserve_login_attempt("editor", "2026-03-01T10:15:30+00:00", "2026-03-01T10:00:30+00:00",
                                           2) == times[1:2]
        store.clear_login_failures("editor")
        assert store.reserve_login_attempt("editor", "2026-03-01T10:16:00+00:00", "", 0) == []
