import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab_portal.settings")

application = get_wsgi_application()

# What was made while starting (Django's apps, models, URLconf) lives as long as the process: keep
# it out of every garbage collection; and collect young objects every 10,000 allocations rather
# than 700, since one page makes tens of thousands of objects that its own end frees
# (docs/operations.md, "What the pages rely on").
gc.collect()
gc.freeze()
gc.set_threshold(10_000, 10, 10)
