"""Makes xblock-sdk's workbench act as the signed-in person, as the LMS's XBlock runtime does."""
from django.http import HttpRequest, HttpResponse


class WorkbenchAsSignedInUserMiddleware:
    """
    The workbench takes the learner from ``?student=`` (default ``student_1``). In the demo, the person signed in
    on the landing page is the learner: their user id replaces whatever ``student`` the URL carries.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/workbench/") and request.user.is_authenticated:
            query = request.GET.copy()
            query["student"] = str(request.user.pk)
            request.GET = query
        return self.get_response(request)
