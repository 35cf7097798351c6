"""The single sign-on routes under /akun/sso/ (answering 404 while it is not configured; see
laksana.accounts.oidc). Their names are mozilla-django-oidc's defaults. The address to register
at the provider as the redirect URI is https://<host>/akun/sso/kembali/."""

from __future__ import annotations

from django.urls import path

from laksana.accounts import oidc

urlpatterns = [
    path("sso/masuk/", oidc.SSOStartView.as_view(), name="oidc_authentication_init"),
    path("sso/kembali/", oidc.SSOCallbackView.as_view(), name="oidc_authentication_callback"),
]
