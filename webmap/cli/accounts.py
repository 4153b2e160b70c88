"""The `webmap users` and `webmap tokens` commands: accounts and API tokens from the server's shell."""
import sys

import click
from flask.cli import with_appcontext

from ..accounts.roles import MAX_NAME_LENGTH, ROLES, hash_password, new_token
from ..ingest.geodata import prepare_database
from ..store import AccountExists, Store, get_store


def _ready_store() -> Store:
    """Return the store with its schema created or migrated (and, if new, the bundled data loaded)."""
    prepare_database()
    return get_store()


def _check_name(name: str) -> str:
    """Return an account name if it is usable as a login: 1 to 64 visible characters, no spaces."""
    if not name or len(name) > MAX_NAME_LENGTH or not name.isprintable() or any(c.isspace() for c in name):
        raise click.BadParameter(f"use 1 to {MAX_NAME_LENGTH} visible characters without spaces", param_hint="NAME")
    return name


def _read_password() -> str:
    """Ask for a new password twice on a terminal; otherwise read it from the first line of stdin."""
    stdin = sys.stdin
    if stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return stdin.readline().rstrip("\r\n")


def _existing(store: Store, name: str):
    """Return the named account, or stop with an error if there is none."""
    account = store.get_account(name)
    if account is None:
        raise click.ClickException(f"there is no account named {name!r} (see `webmap users list`)")
    return account


@click.group("users")
def users_group() -> None:
    """Create and list accounts and change their roles."""


@users_group.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES),
              help="viewer: read only; contributor: upload; editor: also edit, delete, verify, undo; "
                   "admin: everything.")
@with_appcontext
def add_user_command(name: str, role: str) -> None:
    """Create an account; the password is prompted for (or read from stdin when it is not a terminal)."""
    store = _ready_store()
    try:
        store.add_account(_check_name(name), role, hash_password(_read_password()))
    except (AccountExists, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"created account {name!r} with role {role}")


@users_group.command("list")
@with_appcontext
def list_users_command() -> None:
    """List every account and its role."""
    for account in _ready_store().list_accounts():
        click.echo(f"{account.name}\t{account.role}")


@users_group.command("set-role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@with_appcontext
def set_role_command(name: str, role: str) -> None:
    """Change an account's role: its tokens carry the new one at once, and its open sessions are ended."""
    store = _ready_store()
    _existing(store, name)
    store.set_account_role(name, role)
    click.echo(f"{name!r} now has the role {role}")


@click.group("tokens")
def tokens_group() -> None:
    """Create and revoke API tokens for scripts."""


@tokens_group.command("create")
@click.argument("name")
@with_appcontext
def create_token_command(name: str) -> None:
    """Create an API token for an account and print it once, alone on the last line."""
    store = _ready_store()
    account = _existing(store, name)
    token, digest = new_token()
    store.add_token(account.name, digest)
    click.echo(f"API token for {account.name!r} (role {account.role}); only its hash is stored, so copy it now:")
    click.echo(token)


@tokens_group.command("revoke")
@click.argument("name")
@with_appcontext
def revoke_tokens_command(name: str) -> None:
    """Revoke every API token of an account."""
    store = _ready_store()
    _existing(store, name)
    click.echo(f"revoked {store.revoke_tokens(name)} tokens of {name!r}")
