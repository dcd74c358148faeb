"""Accounts: agencies, users, roles and the permission policy (named actions)."""
