import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

USERNAME = "admin"


class Command(BaseCommand):
    help = (
        "Create the local admin account of the embedded default and print its generated password once. "
        "With --reset, give it a new password."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Set and print a new password.")

    def handle(self, *args, reset: bool, **options):
        if not settings.EMBEDDED:
            raise CommandError(
                "create_local_admin is for the embedded default only; in production use `manage.py createsuperuser`."
            )
        User = get_user_model()
        user = User.objects.filter(username=USERNAME).first()
        if user and not reset:
            self.stdout.write(
                f"Admin login: http://127.0.0.1:8000/admin/ as '{USERNAME}' (password printed when it was "
                "created; `make admin-password` sets a new one)."
            )
            return
        password = secrets.token_urlsafe(12)
        if user is None:
            User.objects.create_superuser(username=USERNAME, email="", password=password)
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
        bar = "=" * 72
        self.stdout.write(
            self.style.SUCCESS(
                f"{bar}\nAdmin login: http://127.0.0.1:8000/admin/\n"
                f"  username: {USERNAME}\n  password: {password}\n"
                f"This password is shown once; `make admin-password` sets a new one.\n{bar}"
            )
        )
