import os

from django.core.wsgi import get_wsgi_application

from portal.startup import freeze_startup_objects

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()
# Everything loaded so far lives as long as the process: out of the garbage collector's full walks.
freeze_startup_objects()
