"""The Django project of Laksana: settings, URLs and the WSGI/ASGI entry points."""
