"""The account part of the store interface: people who sign in, their API tokens, the audit log of account
changes and the failed log-ins that limit guessing."""
from abc import ABC, abstractmethod
from dataclasses import dataclass


@dataclass(frozen=True)
class Account:
    """A person who may sign in: name, role, the salted hash of their password and which sessions count."""

    name: str
    role: str
    password_hash: str
    session_generation: int = 0  # sessions started at another generation have been ended
    disabled: bool = False  # a disabled account cannot log in and its tokens are refused


@dataclass(frozen=True)
class TokenInfo:
    """What a person sees of one of their API tokens: never the token, only its name and dates."""

    id: int
    name: str
    created_at: str
    last_used_at: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One recorded account change: who made it, when, what it was and on whom (never a secret)."""

    actor: str
    action: str
    target: str
    detail: str = ""
    at: str = ""  # filled in by the store when recorded
    id: int | None = None


@dataclass(frozen=True)
class StoredAccount:
    """An account as the store keeps it, for copying a store: the account and when it was created."""

    account: Account
    created_at: str


@dataclass(frozen=True)
class StoredToken:
    """An API token as the store keeps it, for copying a store: whose it is, its hash (never the token), its name
    and dates."""

    account_name: str
    token_hash: str
    name: str
    created_at: str
    last_used_at: str | None = None


class AccountExists(ValueError):
    """An account with this name already exists."""


class LastAdmin(ValueError):
    """The change would leave no active admin account, so nobody could manage accounts any more."""


class AccountStore(ABC):
    """Accounts, API tokens (only their hashes), the audit log and log-in limits."""

    @abstractmethod
    def add_account(self, name: str, role: str, password_hash: str) -> None:
        """Create an account; raise AccountExists if the name is taken."""

    @abstractmethod
    def get_account(self, name: str) -> Account | None:
        """Return the account with this name, or None."""

    @abstractmethod
    def list_accounts(self) -> list[Account]:
        """Return every account, by name."""

    @abstractmethod
    def set_account_role(self, name: str, role: str) -> bool:
        """Change an account's role and end its sessions; return False if there is no such account; raise
        LastAdmin (changing nothing) if it would leave no active admin."""

    @abstractmethod
    def set_account_disabled(self, name: str, disabled: bool) -> bool:
        """Disable or enable an account and end its sessions; return False if there is no such account; raise
        LastAdmin (changing nothing) if it would leave no active admin."""

    @abstractmethod
    def set_account_password(self, name: str, password_hash: str) -> bool:
        """Replace an account's password hash and end its sessions; return False if there is no such account."""

    @abstractmethod
    def end_sessions(self, name: str) -> bool:
        """End every session of an account (a new generation); return False if there is no such account."""

    @abstractmethod
    def add_token(self, account_name: str, token_hash: str, name: str = "") -> int:
        """Record the hash of a new, named API token for an existing account; return the token's id."""

    @abstractmethod
    def account_for_token(self, token_hash: str) -> Account | None:
        """Return the enabled account an API token hash belongs to (noting when the token was used), or None."""

    @abstractmethod
    def list_tokens(self, account_name: str) -> list[TokenInfo]:
        """Return an account's API tokens, newest first."""

    @abstractmethod
    def revoke_token(self, account_name: str, token_id: int) -> TokenInfo | None:
        """Delete one API token of an account; return what it was, or None if the account has no such token."""

    @abstractmethod
    def revoke_tokens(self, account_name: str) -> int:
        """Delete every API token of an account; return how many there were."""

    @abstractmethod
    def add_audit(self, entry: AuditEntry) -> None:
        """Record an account change in the audit log, stamped with the current time."""

    @abstractmethod
    def list_audit(self, limit: int, before: int | None = None) -> list[AuditEntry]:
        """Return up to `limit` audit entries, newest first, only those older than entry `before` if given."""

    @abstractmethod
    def reserve_login_attempt(self, name: str, at: str, since: str, limit: int) -> list[str]:
        """Return when log-ins under `name` failed since `since` (ISO 8601 UTC), oldest first; if fewer than
        `limit` (or `limit` is 0), also count this attempt, made `at`, as failed until it is cleared.

        One transaction, so concurrent attempts cannot all pass the limit; failures from before `since`
        are forgotten."""

    @abstractmethod
    def clear_login_failures(self, name: str) -> None:
        """Forget the failed log-ins under a name (after a successful one)."""

    @abstractmethod
    def stored_accounts(self) -> list[StoredAccount]:
        """Return every account with when it was created, by name."""

    @abstractmethod
    def stored_tokens(self) -> list[StoredToken]:
        """Return every API token's hash with whose it is, oldest first."""

    @abstractmethod
    def restore_accounts(self, accounts: list[StoredAccount], tokens: list[StoredToken],
                         audit: list[AuditEntry]) -> None:
        """Record accounts, API token hashes and audit entries (keeping their ids and times) exactly as another
        store holds them, in one transaction, for copying a whole store into an empty one."""
