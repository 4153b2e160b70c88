"""Who must wait for review and who may see a submission (pure: roles and the setting only)."""
from ..accounts.roles import role_allows
from ..core.review import Submission
from ..store import Account


def needs_review(role: str, review_on: bool) -> bool:
    """Tell whether a write by an account with `role` waits for review: only with review on, and never an
    editor's or an admin's."""
    return review_on and not role_allows(role, "review")


def may_see(account: Account | None, submission: Submission) -> bool:
    """Tell whether an account may see a submission: editors and admins see every one, its author their own."""
    if account is None:
        return False
    return role_allows(account.role, "review") or (role_allows(account.role, "upload")
                                                    and submission.author == account.name)


def visible_author(account: Account) -> str | None:
    """Return whose submissions an account may list: None for everyone's (editors, admins), else its own."""
    return None if role_allows(account.role, "review") else account.name
