from django.contrib.auth.decorators import login_required
from django.http import Http404


@login_required
def forum(request):
    raise Http404  # replaced by the forum page
