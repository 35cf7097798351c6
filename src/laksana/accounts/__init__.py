"""Accounts: what a person signs in with besides the web session (personal API tokens)."""
