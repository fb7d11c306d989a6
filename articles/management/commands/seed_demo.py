"""Create the demo users (editor, reviewer, chief, and `admin`, a superuser for the Django admin)
and load the demo articles. Safe to run again.

Passwords are generated on the first run and kept in var/demo-logins.json (readable only by the
owner), so every later run prints the same logins (a user added later gets a password of its own,
the others keep theirs). `DEMO_PASSWORD` sets one password for all of them instead (handy for
scripted demos). The demo articles are the project's own writing
(articles/demo/*.txt: the headline on the first line, the feed body after it); the first is left as a draft, the others are submitted, so the worker has
something to extract as soon as the app is up.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand

from articles import permissions, services
from articles.models import Article

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
DEMO_USERS = {
    "editor": ("Eva", "Marsh", [permissions.EDITOR]),
    "reviewer": ("Ravi", "Lee", [permissions.REVIEWER]),
    "chief": ("Clara", "Stone", [permissions.CHIEF]),
    # Staff: the Django admin (/admin/). A superuser, so also a chief editor in the app.
    "admin": ("Ada", "Admin", []),
}
STAFF = {"admin"}


class Command(BaseCommand):
    help = "Create demo users and demo articles (idempotent) and print the logins."

    def handle(self, *args, **options) -> None:
        passwords = self._passwords()
        for username, (first, last, roles) in DEMO_USERS.items():
            staff = username in STAFF
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "is_staff": staff,
                    "is_superuser": staff,
                },
            )
            if created or not user.check_password(passwords[username]):
                user.set_password(passwords[username])
                user.save()
            for role in roles:
                user.groups.add(Group.objects.get_or_create(name=role)[0])
        editor = User.objects.get(username="editor")
        loaded = 0
        for index, path in enumerate(sorted(DEMO_DIR.glob("*.txt"))):
            title, body = path.read_text(encoding="utf-8").split("\n", 1)
            if Article.objects.filter(title=title).exists():
                continue
            article = services.create_article(by=editor, title=title, body=body)
            if index > 0:
                services.submit_article(article, by=editor)
            loaded += 1
        self.stdout.write(f"Demo articles loaded: {loaded} new.")
        self.stdout.write("Demo logins:")
        for username, (_, _, roles) in DEMO_USERS.items():
            what = "Staff: the admin at /admin/" if username in STAFF else ", ".join(roles)
            self.stdout.write(f"  {username:<9} {passwords[username]}   ({what})")

    def _passwords(self) -> dict[str, str]:
        shared = os.environ.get("DEMO_PASSWORD")
        if shared:
            return {name: shared for name in DEMO_USERS}
        store = Path(settings.VAR_DIR) / "demo-logins.json"
        saved = json.loads(store.read_text()) if store.exists() else {}
        passwords = {name: saved.get(name) or secrets.token_urlsafe(9) for name in DEMO_USERS}
        if passwords == saved:
            return saved
        store.parent.mkdir(parents=True, exist_ok=True)
        store.write_text(json.dumps(passwords, indent=2))
        store.chmod(0o600)
        return passwords
