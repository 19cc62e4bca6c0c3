from django.core.exceptions import ImproperlyConfigured
from django.urls import URLPattern, path, re_path

from spona.api.main import api
from spona.api.problems import answers_problems, not_found

_patterns, _app_name, _namespace = api.urls
# ninja answers a method an endpoint does not serve with a plain 405, and its root address
# with Django's HTML 404: wrap every view so that both are problem JSON too.
_answered = [
    URLPattern(p.pattern, answers_problems(p.callback), p.default_args, p.name) for p in _patterns if isinstance(p, URLPattern)
]
if len(_answered) != len(_patterns):
    raise ImproperlyConfigured("ninja's URL list holds more than plain patterns; wrap those too.")

urlpatterns = [
    path("v1/", (_answered, _app_name, _namespace)),
    # Any other address under /api/ answers problem JSON, not the site's HTML 404 page.
    re_path(r"", not_found),
]
