from django.core.management.base import BaseCommand

from pakan.accounts.services import create_demo_accounts


class Command(BaseCommand):
    help = "Create one demo account per role (for a laptop demo; never in production)."

    def handle(self, *args, **options):
        self.stdout.write("\nDemo accounts (http://127.0.0.1:8000/accounts/login/):")
        for account, password in create_demo_accounts():
            place = account.scope_code or "-"
            self.stdout.write(f"  {account.role:<22} {place:<5} {account.username:<12} {password}")
        self.stdout.write("")
