"""Pieces shared by the apps' Django admin modules."""


class ReadOnlyAdminMixin:
    """For a ModelAdmin or an inline whose rows change only through services (audit log,
    role assignments, bookings...): the admin shows them and changes nothing."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
