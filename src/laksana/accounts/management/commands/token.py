"""``laksana token issue|revoke|list``: personal API tokens from the command line.

- ``issue USERNAME NAME`` creates a token for the person signing in as USERNAME and prints
  its secret, alone on standard output, once: it is not stored and cannot be shown again.
- ``revoke PREFIX`` revokes the token whose secret starts with PREFIX.
- ``list [USERNAME]`` lists tokens by prefix (never the secret).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from laksana.accounts import services
from laksana.accounts.models import ApiToken
from laksana.org.models import Person


class Command(BaseCommand):
    help = "Issue, revoke and list personal API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue", help="Issue a token; prints its secret once.")
        issue.add_argument("username", help="the sign-in name of the person")
        issue.add_argument("name", help="what the token is for, e.g. 'helpdesk integration'")
        revoke = sub.add_parser("revoke", help="Revoke a token by its prefix.")
        revoke.add_argument("prefix", help="the first 8 characters of the token")
        listing = sub.add_parser("list", help="List tokens (prefix, person, name, dates).")
        listing.add_argument("username", nargs="?", help="only this person's tokens")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "issue":
            self._issue(options["username"], options["name"])
        elif action == "revoke":
            self._revoke(options["prefix"])
        else:
            self._list(options.get("username"))

    def _person(self, username: str) -> Person:
        person = Person.objects.filter(user__username=username).first()
        if person is None:
            raise CommandError(f"no person signs in as {username!r}")
        return person

    def _issue(self, username: str, name: str) -> None:
        person = self._person(username)
        try:
            token, secret = services.issue_token(person, name)
        except services.TokenError as exc:
            raise CommandError(str(exc)) from exc
        # The secret alone on standard output, so `TOKEN=$(laksana token issue ...)` works;
        # the explanation goes to standard error.
        self.stdout.write(secret)
        self.stderr.write(
            f"token {token.prefix} issued to {person.name} ({username}) for {token.name!r}. "
            "Store the secret now: it is not kept and cannot be shown again."
        )

    def _revoke(self, prefix: str) -> None:
        token = ApiToken.objects.select_related("person").filter(prefix=prefix).first()
        if token is None:
            raise CommandError(f"no token with prefix {prefix!r}")
        if services.revoke_token(token):
            self.stdout.write(f"token {token.prefix} of {token.person.name} revoked")
        else:
            self.stdout.write(f"token {token.prefix} was already revoked at {token.revoked_at}")

    def _list(self, username: str | None) -> None:
        tokens = ApiToken.objects.select_related("person").order_by("person__name", "created_at")
        if username:
            tokens = tokens.filter(person=self._person(username))
        for t in tokens:
            state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "active"
            used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
            self.stdout.write(
                f"{t.prefix}  {t.person.name}  {t.name!r}  created {t.created_at:%Y-%m-%d %H:%M}"
                f"  last used {used}  {state}"
            )
