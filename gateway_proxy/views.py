"""The gateway's own pages: health, the aggregated dashboard API and the migration dashboard."""

from types import SimpleNamespace

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from mozilla_django_oidc.views import OIDCLogoutView

from common.identity import request_ids
from gateway_proxy import aggregation, audit, capabilities, selectors
from gateway_proxy.auth.identity import authenticate, to_identity
from gateway_proxy.metrics import traffic
from gateway_proxy.models import Route
from gateway_proxy.proxy.errors import EdgeError
from gateway_proxy.proxy.handler import EdgeHandler
from gateway_proxy.ratelimit import enforce, ip_rules, user_rules
from gateway_proxy.routing import route_table
from gateway_proxy.shadow import shadow_runner
from gateway_proxy.strangle import StrangleRefused, current_stage, stage_of, strangle_step

# When no route serves the dashboard's path: the default limits, in buckets of its own.
DASHBOARD_DEFAULT_ROUTE = SimpleNamespace(
    prefix="/api/v1/dashboard", rate_limit_user=None, rate_limit_ip=None
)


@require_GET
def home(request):
    """The front page: a signed-in learner's dashboard, else the catalogue (both the monolith's pages)."""
    claims, _ = authenticate(request.META)
    return redirect("/dashboard/" if claims else "/learn/")


@csrf_exempt
@require_POST
def logout(request):
    """Log out of the gateway and of the identity provider.

    The button sits on pages of other services, which cannot embed the gateway's
    CSRF token: a cross-site request is refused by its Origin instead.
    """
    try:
        EdgeHandler.check_origin(request.META)
    except EdgeError as exc:
        return _error(exc)
    return OIDCLogoutView.as_view()(request)


def health(request):
    return JsonResponse({"status": "ok", "service": "gateway"})


def _error(exc: EdgeError) -> JsonResponse:
    response = JsonResponse({"code": exc.code, "detail": exc.detail}, status=exc.status)
    for name, value in exc.headers:
        response[name] = value
    return response


@csrf_exempt  # it only reads; any other method is refused below, as JSON like every API error
def learner_dashboard(request):
    """The learner's profile and points, progress and owned items in one call."""
    if request.method not in ("GET", "HEAD"):
        return _error(
            EdgeError(
                405, "method_not_allowed", f"Method {request.method} is not allowed.",
                headers=[("Allow", "GET, HEAD")],
            )
        )  # fmt: skip
    request_id = request_ids.from_header(request.META.get(request_ids.META_KEY))
    # The limits of the route serving this path (its buckets are shared with the proxy), per IP before
    # authenticating and per user after, as on the proxy path.
    route = route_table.match(request.path) or DASHBOARD_DEFAULT_ROUTE
    try:
        enforce(ip_rules(route, client_ip=EdgeHandler.client_ip(request.META)))
        claims, _ = authenticate(request.META)
        if claims is None:
            raise EdgeError(401, "not_authenticated", "Log in first.")
        enforce(user_rules(route, user_id=claims["user_id"]))
    except EdgeError as exc:
        return _error(exc)
    identity = to_identity(claims, request_id)
    body = aggregation.dashboard(identity=identity, canary_key="u:" + identity.user_id)
    response = JsonResponse(body)
    response[request_ids.HEADER] = request_id
    return response


def _staff_only(request) -> None:
    if not (request.user.is_active and request.user.is_staff):
        # Signed in but not staff: sending them to log in again would loop.
        raise PermissionDenied


def _capability_rows() -> list[dict]:
    rows = []
    for capability in capabilities.CAPABILITIES.values():
        try:
            stage = str(current_stage(capability))
        except StrangleRefused as exc:
            stage = f"unknown ({exc})"
        except Route.DoesNotExist:
            stage = f"unknown (no route {capability.route})"
        rows.append({"capability": capability, "stage": stage, "stages": capability.stages})
    return rows


@login_required
def migration_dashboard(request, *, step=None, status=200):
    _staff_only(request)
    traffic.flush()
    shadow_stats = selectors.shadow_by_route()
    routes = [{"route": route, "shadow": shadow_stats.get(route.prefix)} for route in selectors.route_list()]
    changes, switch_states, switch_error = audit.migration_log(limit=50)
    on = {state["name"] for state in switch_states if state["active"]}
    context = {
        # A pause left on (a step stopped half-way): purchases are refused until the step runs again.
        "paused": [c for c in capabilities.CAPABILITIES.values() if c.pause and c.pause in on],
        "routes": routes,
        "capabilities": _capability_rows(),
        "switches": switch_states,
        "switch_error": switch_error,
        "upstreams": selectors.traffic_by_service(),
        "mismatches": selectors.recent_mismatches(limit=20),
        "changes": changes,
        "shadow_skipped": shadow_runner.skipped,
        "step": step,
        "can_move": request.user.has_perm("gateway.change_route"),
    }
    return render(request, "gateway/dashboard.html", context, status=status)


@login_required
@require_POST
def migration_step(request):
    """The dashboard's action: move one capability one step (``manage.py strangle``'s code)."""
    _staff_only(request)
    if not request.user.has_perm("gateway.change_route"):
        raise PermissionDenied
    form = request.POST
    lines: list[str] = []
    try:
        percent = form.get("percent") or None
        strangle_step(
            name=form.get("capability", ""),
            target=stage_of(form.get("stage", ""), float(percent) if percent else None),
            actor=f"dashboard:{request.user.get_username()}",
            reason=form.get("reason", ""),
            force=form.get("force") == "on",
            out=lines.append,
        )
    except (StrangleRefused, ValueError) as exc:
        return migration_dashboard(
            request, step={"ok": False, "lines": [*lines, f"refused: {exc}"]}, status=409
        )
    return migration_dashboard(request, step={"ok": True, "lines": lines})


def login_failed(request):
    return JsonResponse(
        {"code": "login_failed", "detail": "The identity provider did not log you in."}, status=401
    )
