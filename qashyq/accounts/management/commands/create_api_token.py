from django.core.management.base import BaseCommand, CommandError

from qashyq.accounts import services
from qashyq.accounts.models import User


class Command(BaseCommand):
    help = "Create a personal API token for USERNAME and print it (it is shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        _token, key = services.api_token_create(actor=user, owner=user, name=name)
        self.stdout.write(key)
