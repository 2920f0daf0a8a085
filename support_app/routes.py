"""Every route of the app, and the functions that build links to them."""

LOGIN = "/login"
HOME = "/"
TENANT_DASHBOARD = "/tenants/[tenant_id]"
OPERATION_RUN = "/operations/[run_id]"

# Plain HTTP form posts served by the backend (support_app.web.auth_routes), not pages.
SIGN_IN = "/auth/sign-in"
SIGN_OUT = "/auth/sign-out"
SIGN_OUT_EVERYWHERE = "/auth/sign-out-everywhere"

# Probes for supervisors and load balancers (support_app.web.health_routes).
HEALTHZ = "/healthz"
READYZ = "/readyz"


def tenant_dashboard(tenant_id: int | str) -> str:
    return f"/tenants/{tenant_id}"


def operation_run(run_id: int | str) -> str:
    return f"/operations/{run_id}"


def support_context_from_path(path: str) -> tuple[str, str] | None:
    """``("tenant", id)`` or ``("operation_run", id)`` for a dashboard or run URL.

    The id is still untrusted: callers resolve it through the access service.
    """
    parts = [p for p in path.split("/") if p]
    if len(parts) == 2 and parts[0] == "tenants":
        return "tenant", parts[1]
    if len(parts) == 2 and parts[0] == "operations":
        return "operation_run", parts[1]
    return None
