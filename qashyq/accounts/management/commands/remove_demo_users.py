from django.core.management.base import BaseCommand

from qashyq.accounts.models import User


class Command(BaseCommand):
    help = "Delete every user created by seed_demo (is_demo=True)."

    def handle(self, *args, **options):
        count, _ = User.objects.filter(is_demo=True).delete()
        self.stdout.write(f"Removed {count} demo rows.")
