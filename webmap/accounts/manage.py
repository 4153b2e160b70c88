"""Account changes, each checked and then recorded in the audit log: shared by the web pages and the CLI."""
from ..core.i18n import messages
from ..store import Account, AccountExists, AuditEntry, LastAdmin, Store
from .roles import (MAX_NAME_LENGTH, MIN_PASSWORD_LENGTH, ROLES, hash_password, name_is_usable, new_token,
                    password_is_strong, password_matches)

# Who the audit log names for changes made from the server's shell.
COMMAND_LINE = "command line"
MAX_TOKEN_NAME_LENGTH = 100


class Refused(Exception):
    """A change that was not made: a message key of the catalogue, its values and the HTTP status it deserves."""

    def __init__(self, key: str, status: int = 400, **values):
        super().__init__(key)
        self.key, self.status, self.values = key, status, values

    def text(self, lang: str = "en") -> str:
        """Return the reason in words, in `lang`."""
        return messages(lang)[self.key].format(**self.values)


def _checked_role(role: str) -> str:
    """Return `role` if it is one, else refuse."""
    if role not in ROLES:
        raise Refused("account_role_invalid", roles=", ".join(ROLES))
    return role


def _checked_hash(password: str) -> str:
    """Return the hash of a new password strong enough, else refuse."""
    if not password_is_strong(password):
        raise Refused("password_too_short", minimum=MIN_PASSWORD_LENGTH)
    return hash_password(password)


def existing_account(store: Store, name: str) -> Account:
    """Return the named account, or refuse with 404."""
    account = store.get_account(name)
    if account is None:
        raise Refused("account_missing", 404, name=name)
    return account


def _guarded(change) -> None:
    """Run a store change that may leave no active admin, turning the store's refusal into ours."""
    try:
        change()
    except LastAdmin:
        raise Refused("last_admin", 409) from None


def create_account(store: Store, actor: str, name: str, role: str, password: str) -> None:
    """Create an account with a role and an initial password."""
    if not name_is_usable(name):
        raise Refused("account_name_invalid", maximum=MAX_NAME_LENGTH)
    password_hash = _checked_hash(password)
    try:
        store.add_account(name, _checked_role(role), password_hash)
    except AccountExists:
        raise Refused("account_exists", 409, name=name) from None
    store.add_audit(AuditEntry(actor, "account_created", name, role))


def change_role(store: Store, actor: str, name: str, role: str) -> None:
    """Give an account another role (its sessions end); the last active admin keeps theirs."""
    old = existing_account(store, name).role
    _guarded(lambda: store.set_account_role(name, _checked_role(role)))
    store.add_audit(AuditEntry(actor, "role_changed", name, f"{old} → {role}"))


def set_disabled(store: Store, actor: str, name: str, disabled: bool) -> None:
    """Disable an account (its sessions end and its tokens stop working) or enable it again."""
    existing_account(store, name)
    _guarded(lambda: store.set_account_disabled(name, disabled))
    store.add_audit(AuditEntry(actor, "account_disabled" if disabled else "account_enabled", name))


def reset_password(store: Store, actor: str, name: str, password: str) -> None:
    """Give an account a new password chosen by an admin; its sessions end."""
    existing_account(store, name)
    store.set_account_password(name, _checked_hash(password))
    store.add_audit(AuditEntry(actor, "password_reset", name))


def change_own_password(store: Store, account: Account, current: str, new: str, repeated: str) -> Account:
    """Change one's own password after checking the current one; return the account as it now is (every session
    of it ended, so the caller starts a new one for the person who made the change)."""
    if not password_matches(account, current):
        raise Refused("password_current_wrong")
    if new != repeated:
        raise Refused("password_mismatch")
    store.set_account_password(account.name, _checked_hash(new))
    store.add_audit(AuditEntry(account.name, "password_changed", account.name))
    return store.get_account(account.name)


def create_token(store: Store, actor: str, account_name: str, token_name: str) -> str:
    """Create a named API token for an account and return it (only its digest is stored: shown once)."""
    token_name = token_name.strip()
    if not token_name or len(token_name) > MAX_TOKEN_NAME_LENGTH or not token_name.isprintable():
        raise Refused("token_name_invalid", maximum=MAX_TOKEN_NAME_LENGTH)
    token, digest = new_token()
    store.add_token(account_name, digest, token_name)
    store.add_audit(AuditEntry(actor, "token_created", account_name, token_name))
    return token


def revoke_token(store: Store, actor: str, account_name: str, token_id: int) -> str:
    """Revoke one of an account's API tokens; return its name."""
    revoked = store.revoke_token(account_name, token_id)
    if revoked is None:  # said as the owner's own token or as another person's, as the actor sees it
        raise Refused("token_missing" if actor == account_name else "account_token_missing", 404, name=account_name)
    store.add_audit(AuditEntry(actor, "token_revoked", account_name, revoked.name))
    return revoked.name


def revoke_tokens(store: Store, actor: str, account_name: str) -> int:
    """Revoke every API token of an account; return how many there were."""
    count = store.revoke_tokens(account_name)
    store.add_audit(AuditEntry(actor, "tokens_revoked", account_name, str(count)))
    return count
