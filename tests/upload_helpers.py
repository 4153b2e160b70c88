"""Accounts, API tokens and logins for tests."""
import re

from webmap.accounts.roles import ROLES, hash_password, new_token
from webmap.store import get_store

PASSWORD = "correct horse battery staple"
# Hashed once: scrypt is slow on purpose, and every test creates four accounts.
PASSWORD_HASH = hash_password(PASSWORD)


def add_accounts(app) -> dict[str, str]:
    """Create one account per role, named after the role, each with PASSWORD and an API token; return the tokens."""
    tokens = {}
    with app.app_context():
        store = get_store()
        for role in ROLES:
            store.add_account(role, role, PASSWORD_HASH)
            tokens[role], digest = new_token()
            store.add_token(role, digest)
    return tokens


def bearer(token: str) -> dict:
    """Return the Authorization header for an API token."""
    return {"Authorization": f"Bearer {token}"}


def csrf_token(client, path: str = "/login") -> str:
    """Return the CSRF token a page's form carries."""
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def log_in(client, name: str, password: str = PASSWORD, **extra):
    """Post the login form as a browser would; return the response."""
    return client.post("/login", data={"name": name, "password": password, "csrf_token": csrf_token(client),
                                       **extra})


def feature(n: int, **properties) -> dict:
    """Return a valid incident Feature `up-<n>` near Quneitra, with `properties` on top of the defaults."""
    props = {"date": "2025-01-10", "event_type": "airstrike", "title": f"Uploaded {n}", "precision": "town",
             "sources": ["https://example.org/report"], **properties}
    return {"type": "Feature", "id": f"up-{n}", "geometry": {"type": "Point", "coordinates": [35.8 + n / 1000, 33.1]},
            "properties": props}


def collection(*features: dict) -> dict:
    """Wrap Features in a FeatureCollection."""
    return {"type": "FeatureCollection", "features": list(features)}


def client_of(app, name: str):
    """Create one account per role and return a test client logged in as `name`."""
    add_accounts(app)
    client = app.test_client()
    log_in(client, name)
    return client
