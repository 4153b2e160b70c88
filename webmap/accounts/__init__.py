"""Accounts: roles and permissions, passwords and tokens, sessions and the log-in limit."""
