"""The `webmap users` and `webmap tokens` commands: accounts and API tokens from the server's shell."""
import sys

import click
from flask.cli import with_appcontext

from ..accounts.manage import (COMMAND_LINE, Refused, change_role, create_account, create_token, existing_account,
                               reset_password, revoke_tokens, set_disabled)
from ..accounts.roles import ROLES
from ..ingest.geodata import prepare_database
from ..store import Store, get_store


def _ready_store() -> Store:
    """Return the store with its schema created or migrated (and, if new, the bundled data loaded)."""
    prepare_database()
    return get_store()


def _read_password() -> str:
    """Ask for a new password twice on a terminal; otherwise read it from the first line of stdin."""
    stdin = sys.stdin
    if stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return stdin.readline().rstrip("\r\n")


def _existing(store: Store, name: str):
    """Return the named account, or stop with an error if there is none."""
    return _refusing(lambda: existing_account(store, name))


def _refusing(change):
    """Run an account change and return its result, or stop with the reason it was refused."""
    try:
        return change()
    except Refused as refused:
        raise click.ClickException(refused.text()) from None


@click.group("users")
def users_group() -> None:
    """Create and list accounts, change their roles, disable or enable them and reset their passwords."""


@users_group.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES),
              help="viewer: read only; contributor: upload; editor: also edit, delete, verify, undo; "
                   "admin: everything.")
@with_appcontext
def add_user_command(name: str, role: str) -> None:
    """Create an account; the password is prompted for (or read from stdin when it is not a terminal)."""
    store = _ready_store()
    _refusing(lambda: create_account(store, COMMAND_LINE, name, role, _read_password()))
    click.echo(f"created account {name!r} with role {role}")


@users_group.command("list")
@with_appcontext
def list_users_command() -> None:
    """List every account and its role, and `disabled` after those that are."""
    for account in _ready_store().list_accounts():
        click.echo(f"{account.name}\t{account.role}" + ("\tdisabled" if account.disabled else ""))


@users_group.command("set-role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@with_appcontext
def set_role_command(name: str, role: str) -> None:
    """Change an account's role: its tokens carry the new one at once, and its open sessions are ended."""
    store = _ready_store()
    _refusing(lambda: change_role(store, COMMAND_LINE, name, role))
    click.echo(f"{name!r} now has the role {role}")


def _change_disabled(name: str, disabled: bool) -> None:
    """Disable or enable an account as the web page does: same last-admin rule, same audit entry."""
    store = _ready_store()
    _refusing(lambda: set_disabled(store, COMMAND_LINE, name, disabled))
    click.echo(f"{name!r} is now {'disabled' if disabled else 'enabled'}")


@users_group.command("disable")
@click.argument("name")
@with_appcontext
def disable_command(name: str) -> None:
    """Disable an account: its sessions end and its tokens are refused until it is enabled (not the last admin)."""
    _change_disabled(name, True)


@users_group.command("enable")
@click.argument("name")
@with_appcontext
def enable_command(name: str) -> None:
    """Enable a disabled account again: it may log in and its tokens work again."""
    _change_disabled(name, False)


@users_group.command("reset-password")
@click.argument("name")
@with_appcontext
def reset_password_command(name: str) -> None:
    """Give an account a new password, prompted for (or read from stdin when it is not a terminal); its
    sessions end."""
    store = _ready_store()
    _existing(store, name)  # before asking for a password that could not be used
    _refusing(lambda: reset_password(store, COMMAND_LINE, name, _read_password()))
    click.echo(f"the password of {name!r} is reset; its open sessions have ended")


@click.group("tokens")
def tokens_group() -> None:
    """Create and revoke API tokens for scripts."""


@tokens_group.command("create")
@click.argument("name")
@click.option("--label", default=COMMAND_LINE, show_default=True,
              help="What the token is for, as its owner sees it on their /account page.")
@with_appcontext
def create_token_command(name: str, label: str) -> None:
    """Create an API token for an account and print it once, alone on the last line."""
    store = _ready_store()
    account = _existing(store, name)
    token = _refusing(lambda: create_token(store, COMMAND_LINE, account.name, label))
    click.echo(f"API token for {account.name!r} (role {account.role}); only its hash is stored, so copy it now:")
    click.echo(token)


@tokens_group.command("revoke")
@click.argument("name")
@with_appcontext
def revoke_tokens_command(name: str) -> None:
    """Revoke every API token of an account."""
    store = _ready_store()
    _existing(store, name)
    click.echo(f"revoked {revoke_tokens(store, COMMAND_LINE, name)} tokens of {name!r}")
