"""Who may do what through the API."""

from rest_framework.permissions import SAFE_METHODS, DjangoModelPermissions


class ModelPermissionsOrReadOnly(DjangoModelPermissions):
    """
    Anyone may read; a write needs an authenticated user holding the model permission for it
    (add for POST, change for PUT/PATCH). What a reader sees is narrowed by each viewset's
    queryset (published figures only, unless staff).

    A method the endpoint does not offer is let through here so that the view answers
    405 Method Not Allowed with an Allow header, the same for every user.
    """

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": [],
        "HEAD": [],
        "OPTIONS": [],
    }

    def has_permission(self, request, view) -> bool:
        if request.method not in getattr(view, "allowed_methods", ()):
            return True
        if request.method in SAFE_METHODS:
            return True
        return super().has_permission(request, view)


class HasModelPermissions:
    """
    A permission class demanding named model permissions, for actions whose model is not the
    viewset's own (adding a citation to a figure needs `capex.add_citation`).
    """

    def __init__(self, *perms: str):
        self.perms = perms

    def __call__(self):
        return self

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perms(self.perms))

    def has_object_permission(self, request, view, obj) -> bool:
        return True
