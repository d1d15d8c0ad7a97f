from django.contrib.auth.decorators import login_required
from django.http import Http404


@login_required
def warga_list(request):
    raise Http404  # replaced by the people search
