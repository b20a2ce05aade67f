"""Server-rendered account pages: login, logout, sign-up and tokens. The SPA links to them."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from modelbuilder.accounts import selectors, services
from modelbuilder.core.errors import ApplicationError


@require_http_methods(["GET", "POST"])
def signup(request):
    if not settings.ALLOW_SIGNUP:
        raise Http404("Sign-up is switched off.")
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_signup(
                username=form.cleaned_data["username"], password=form.cleaned_data["password1"]
            )
        except ApplicationError as exc:
            form.add_error("username", exc.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("/")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    new_token = None
    if request.method == "POST":
        if "revoke" in request.POST:
            try:
                services.token_revoke(user=request.user, token_id=int(request.POST["revoke"]))
                messages.info(request, "Token revoked.")
            except (ApplicationError, ValueError):
                messages.error(request, "No such token.")
            return redirect("accounts:tokens")
        _, new_token = services.token_create(user=request.user, name=request.POST.get("name", ""))
    context = {"tokens": selectors.token_list(user=request.user), "new_token": new_token}
    return render(request, "accounts/tokens.html", context)
