"""Roles, what each may do, and the hashing of passwords and API tokens (no Flask here)."""
import hashlib
import secrets

from werkzeug.security import check_password_hash, generate_password_hash

from ..store import Account

# Each role may do everything the roles before it may.
ROLES = ("viewer", "contributor", "editor", "admin")

# The least role that grants each permission, and what the permission lets one do.
PERMISSIONS = {
    "upload": ("contributor", "upload incidents"),
    "edit": ("editor", "edit or delete incidents"),
    "verify": ("editor", "set the verification state of incidents"),
    "change_reviewed": ("editor", "change incidents an editor has verified, disputed or debunked"),
    "batches": ("editor", "list or undo batches"),
    "review": ("editor", "publish or reject incidents waiting for review"),
    "layers": ("editor", "add or replace reference layers, or read their history"),
    "own_account": ("viewer", "change their own password or API tokens"),
    "users": ("admin", "manage accounts or read the audit log"),
}

# Verification states only an editor gives; once an incident has one, only editors may change it.
REVIEWED_STATES = ("verified", "disputed", "debunked")

MIN_PASSWORD_LENGTH = 10
MAX_NAME_LENGTH = 64
TOKEN_PREFIX = "wm_"

# Checked against when the account does not exist, so a wrong name costs as much time as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password of any account")


def role_allows(role: str, permission: str) -> bool:
    """Tell whether an account with `role` has `permission`."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(PERMISSIONS[permission][0])


def protected_states(role: str) -> tuple[str, ...]:
    """Return the verification states of the incidents an account with `role` may not change."""
    return () if role_allows(role, "change_reviewed") else REVIEWED_STATES


def name_is_usable(name: str) -> bool:
    """Tell whether an account name is usable as a login: 1 to 64 visible characters, no spaces."""
    return 0 < len(name) <= MAX_NAME_LENGTH and name.isprintable() and not any(c.isspace() for c in name)


def password_is_strong(password: str) -> bool:
    """Tell whether a new password is long enough."""
    return len(password) >= MIN_PASSWORD_LENGTH


def hash_password(password: str) -> str:
    """Return a salted scrypt hash of a password, after checking it is long enough."""
    if not password_is_strong(password):
        raise ValueError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    return generate_password_hash(password)


def password_matches(account: Account | None, password: str) -> bool:
    """Tell whether `password` is the account's, taking as long when there is no such account."""
    if account is None:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(account.password_hash, password)


def token_digest(token: str) -> str:
    """Return what the store keeps of an API token: its SHA-256 (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """Return a new random API token and its digest."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, token_digest(token)
