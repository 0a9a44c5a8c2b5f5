"""Accounts, passwords, invitations and API tokens."""
