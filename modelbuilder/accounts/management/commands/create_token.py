from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from modelbuilder.accounts.services import token_create


class Command(BaseCommand):
    help = "Create an API token for USER and print it alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="create_token")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        _, raw = token_create(user=user, name=name)
        self.stdout.write(raw)
