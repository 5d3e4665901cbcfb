import os

from django.core.wsgi import get_wsgi_application

# POLYCODE_ENV picks local, production or test, as it does for manage.py and the workers.
os.environ.setdefault(
    "DJANGO_SETTINGS_MODULE", f"monolith.settings.{os.environ.get('POLYCODE_ENV', 'local')}"
)
application = get_wsgi_application()
