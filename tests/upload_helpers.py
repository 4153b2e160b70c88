"""Accounts, API tokens and logins for tests, and valid incidents and reference layers to send."""
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

# A box around Quneitra: it holds fixture incidents t-001 (Quneitra ruins) and t-005, and no other.
QUNEITRA_BOX = [[[35.8, 33.1], [35.95, 33.1], [35.95, 33.2], [35.8, 33.2], [35.8, 33.1]]]


def descriptor(**changes) -> dict:
    """Return a complete descriptor of a proposed layer `southern_dmz`, with `changes` on top."""
    meta = {"id": "southern_dmz", "name": {"en": "Proposed southern zone", "ar": "المنطقة المقترحة في الجنوب"},
            "source": "A published proposal", "licence": "CC BY 4.0", "date": "2025-06-01",
            "precision": "traced from a published map, about ±2 km", "status": "proposed"}
    meta.update(changes)
    return meta


def area(coordinates=None, **properties) -> dict:
    """Return a Polygon Feature (by default the box around Quneitra)."""
    return {"type": "Feature", "properties": properties,
            "geometry": {"type": "Polygon", "coordinates": coordinates or QUNEITRA_BOX}}


def line(*positions, **properties) -> dict:
    """Return a LineString Feature through `positions`."""
    return {"type": "Feature", "properties": properties,
            "geometry": {"type": "LineString", "coordinates": [list(p) for p in positions]}}


def layer_document(*features: dict, **changes) -> dict:
    """Return a layer as the API takes it: a FeatureCollection with its descriptor in `layer`."""
    return {"type": "FeatureCollection", "layer": descriptor(**changes), "features": list(features) or [area()]}
