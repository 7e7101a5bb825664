from django.utils import translation


class UserLanguageMiddleware:
    """A signed-in person's chosen language wins over the browser's.

    Runs after LocaleMiddleware and AuthenticationMiddleware. People who chose
    nothing keep what LocaleMiddleware picked (cookie, then Accept-Language).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
