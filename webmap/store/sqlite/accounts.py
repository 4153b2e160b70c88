"""The SQLite store's accounts: people and their roles, API tokens, the audit log and failed log-ins."""
import sqlite3

from ..accounts import Account, AccountExists, AuditEntry, LastAdmin, StoredAccount, StoredToken, TokenInfo
from .connection import SQLiteConnection, _now

_ACCOUNT_COLUMNS = "a.name, a.role, a.password_hash, a.session_generation, a.disabled"
_TOKEN_COLUMNS = "t.id, t.name, t.created_at, t.last_used_at"


class SQLiteAccounts(SQLiteConnection):
    """Accounts, API tokens (only their hashes), the audit log and log-in failures in SQLite."""

    def add_account(self, name: str, role: str, password_hash: str) -> None:
        """Create an account; raise AccountExists if the name is taken."""
        try:
            with self._transaction() as conn:
                conn.execute("INSERT INTO account (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                             (name, role, password_hash, _now()))
        except sqlite3.IntegrityError:
            raise AccountExists(f"an account named {name!r} already exists") from None

    def get_account(self, name: str) -> Account | None:
        """Return the account with this name, or None."""
        row = self._connection().execute(f"SELECT {_ACCOUNT_COLUMNS} FROM account a WHERE name = ?",
                                         (name,)).fetchone()
        return Account(*row) if row else None

    def list_accounts(self) -> list[Account]:
        """Return every account, by name."""
        rows = self._connection().execute(f"SELECT {_ACCOUNT_COLUMNS} FROM account a ORDER BY name")
        return [Account(*row) for row in rows]

    def _update_account(self, name: str, assignments: str, values: tuple) -> bool:
        """Apply `assignments` to one account and end its sessions, refusing (with LastAdmin, changing nothing)
        a change that leaves no enabled admin; return False if there is no such account."""
        with self._transaction() as conn:
            admins_before = self._active_admins(conn)
            changed = conn.execute(f"UPDATE account SET {assignments}, session_generation = session_generation + 1"
                                   " WHERE name = ?", (*values, name)).rowcount > 0
            if admins_before and not self._active_admins(conn):
                raise LastAdmin(f"{name!r} is the last active admin: make another account admin first")
            return changed

    @staticmethod
    def _active_admins(conn: sqlite3.Connection) -> int:
        """Count the enabled admin accounts."""
        return conn.execute("SELECT count(*) FROM account WHERE role = 'admin' AND NOT disabled").fetchone()[0]

    def set_account_role(self, name: str, role: str) -> bool:
        """Change an account's role and end its sessions; return False if there is no such account; raise
        LastAdmin (changing nothing) if it would leave no active admin."""
        return self._update_account(name, "role = ?", (role,))

    def set_account_disabled(self, name: str, disabled: bool) -> bool:
        """Disable or enable an account and end its sessions; return False if there is no such account; raise
        LastAdmin (changing nothing) if it would leave no active admin."""
        return self._update_account(name, "disabled = ?", (int(disabled),))

    def set_account_password(self, name: str, password_hash: str) -> bool:
        """Replace an account's password hash and end its sessions; return False if there is no such account."""
        return self._update_account(name, "password_hash = ?", (password_hash,))

    def end_sessions(self, name: str) -> bool:
        """End every session of an account; return False if there is no such account."""
        with self._transaction() as conn:
            return conn.execute("UPDATE account SET session_generation = session_generation + 1 WHERE name = ?",
                                (name,)).rowcount > 0

    def add_token(self, account_name: str, token_hash: str, name: str = "") -> int:
        """Record the hash of a new, named API token for an existing account; return the token's id."""
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO api_token (account_id, token_hash, name, created_at)"
                " SELECT id, ?, ?, ? FROM account WHERE name = ?",
                (token_hash, name, _now(), account_name),
            )
        if not cursor.rowcount:
            raise KeyError(account_name)
        return cursor.lastrowid

    def account_for_token(self, token_hash: str) -> Account | None:
        """Return the enabled account an API token hash belongs to (noting when the token was used), or None."""
        with self._transaction() as conn:
            row = conn.execute(
                f"SELECT {_ACCOUNT_COLUMNS} FROM api_token t JOIN account a ON a.id = t.account_id"
                " WHERE t.token_hash = ? AND NOT a.disabled",
                (token_hash,),
            ).fetchone()
            if row:
                # Written only when the minute changes, so scripts' bursts of requests do not each write.
                conn.execute("UPDATE api_token SET last_used_at = ?1 WHERE token_hash = ?2"
                             " AND (last_used_at IS NULL OR substr(last_used_at, 1, 16) < substr(?1, 1, 16))",
                             (_now(), token_hash))
        return Account(*row) if row else None

    def list_tokens(self, account_name: str) -> list[TokenInfo]:
        """Return an account's API tokens, newest first."""
        rows = self._connection().execute(
            f"SELECT {_TOKEN_COLUMNS} FROM api_token t JOIN account a ON a.id = t.account_id WHERE a.name = ?"
            " ORDER BY t.id DESC", (account_name,))
        return [TokenInfo(*row) for row in rows]

    def revoke_token(self, account_name: str, token_id: int) -> TokenInfo | None:
        """Delete one API token of an account; return what it was, or None if the account has no such token."""
        with self._transaction() as conn:
            row = conn.execute(
                f"SELECT {_TOKEN_COLUMNS} FROM api_token t JOIN account a ON a.id = t.account_id"
                " WHERE a.name = ? AND t.id = ?", (account_name, token_id)).fetchone()
            if row:
                conn.execute("DELETE FROM api_token WHERE id = ?", (token_id,))
        return TokenInfo(*row) if row else None

    def revoke_tokens(self, account_name: str) -> int:
        """Delete every API token of an account; return how many there were."""
        with self._transaction() as conn:
            return conn.execute(
                "DELETE FROM api_token WHERE account_id = (SELECT id FROM account WHERE name = ?)",
                (account_name,),
            ).rowcount

    def add_audit(self, entry: AuditEntry) -> None:
        """Record an account change in the audit log, stamped with the current time."""
        with self._transaction() as conn:
            conn.execute("INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
                         (_now(), entry.actor, entry.action, entry.target, entry.detail))

    def list_audit(self, limit: int, before: int | None = None) -> list[AuditEntry]:
        """Return up to `limit` audit entries, newest first, only those older than entry `before` if given."""
        rows = self._connection().execute(
            "SELECT actor, action, target, detail, at, id FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?",
            (before if before is not None else 2 ** 63 - 1, limit))
        return [AuditEntry(*row) for row in rows]

    def reserve_login_attempt(self, name: str, at: str, since: str, limit: int) -> list[str]:
        """Return when log-ins under `name` failed since `since` (ISO 8601 UTC), oldest first; if fewer than
        `limit` (or `limit` is 0), also count this attempt, made `at`, as failed until it is cleared."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM login_failure WHERE at < ?", (since,))
            failures = [row[0] for row in conn.execute(
                "SELECT at FROM login_failure WHERE name = ? ORDER BY at", (name,))]
            if not limit or len(failures) < limit:
                conn.execute("INSERT INTO login_failure (name, at) VALUES (?, ?)", (name, at))
        return failures

    def clear_login_failures(self, name: str) -> None:
        """Forget the failed log-ins under a name (after a successful one)."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM login_failure WHERE name = ?", (name,))

    def stored_accounts(self) -> list[StoredAccount]:
        """Return every account with when it was created, by name."""
        rows = self._connection().execute(f"SELECT {_ACCOUNT_COLUMNS}, a.created_at FROM account a ORDER BY name")
        return [StoredAccount(Account(*row[:-1]), row[-1]) for row in rows]

    def stored_tokens(self) -> list[StoredToken]:
        """Return every API token's hash with whose it is, oldest first."""
        rows = self._connection().execute(
            "SELECT a.name, t.token_hash, t.name, t.created_at, t.last_used_at FROM api_token t"
            " JOIN account a ON a.id = t.account_id ORDER BY t.id")
        return [StoredToken(*row) for row in rows]

    def restore_accounts(self, accounts: list[StoredAccount], tokens: list[StoredToken],
                         audit: list[AuditEntry]) -> None:
        """Insert accounts, token hashes and audit entries as another store holds them."""
        with self._transaction() as conn:
            conn.executemany(
                "INSERT INTO account (name, role, password_hash, session_generation, disabled, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(s.account.name, s.account.role, s.account.password_hash, s.account.session_generation,
                  int(s.account.disabled), s.created_at) for s in accounts])
            conn.executemany(
                "INSERT INTO api_token (account_id, token_hash, name, created_at, last_used_at)"
                " SELECT id, ?, ?, ?, ? FROM account WHERE name = ?",
                [(t.token_hash, t.name, t.created_at, t.last_used_at, t.account_name) for t in tokens])
            conn.executemany("INSERT INTO audit_log (id, at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)",
                             [(e.id, e.at, e.actor, e.action, e.target, e.detail) for e in audit])
