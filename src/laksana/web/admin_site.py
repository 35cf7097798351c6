"""Django's admin (/admin/) is the installation's superuser's tool only.

Agencies are administered in the product's own screens by their agency administrators (a
product role); ``is_staff`` opens nothing here: :class:`SuperuserAdminSite` lets in active
superusers and sends everyone else to the admin's sign-in page.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest


class SuperuserAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)


class SuperuserAdminConfig(AdminConfig):
    default_site = "laksana.web.admin_site.SuperuserAdminSite"
