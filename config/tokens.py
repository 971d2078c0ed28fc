"""
API tokens end with the credentials they were issued for: when a user's password changes or the
account is deactivated, every token of that user is deleted (django-rest-knox keeps one AuthToken
row per token). Done on the user model's pre_save, so it holds for every way a user is saved:
the admin's password form, `set_password()` then `save()`, `changepassword`, a deactivation.

A password hash upgraded at login (a new Django raising its iterations) is a changed hash too,
and ends the user's other tokens once; that is the safe side of telling the two apart.
"""

from django.contrib.auth import get_user_model
from django.db.models.signals import pre_save
from knox.models import AuthToken

WATCHED = frozenset({"password", "is_active"})


def revoke_tokens_on_credential_change(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    if raw or instance.pk is None:
        return
    if update_fields is not None and not WATCHED.intersection(update_fields):
        return
    before = sender.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if before is None:
        return
    if before["password"] != instance.password or (before["is_active"] and not instance.is_active):
        AuthToken.objects.filter(user_id=instance.pk).delete()


def connect() -> None:
    pre_save.connect(
        revoke_tokens_on_credential_change, sender=get_user_model(), dispatch_uid="config.tokens.revoke_tokens"
    )
