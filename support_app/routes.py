"""Every route of the app, and the functions that build links to them."""

LOGIN = "/login"
HOME = "/"
TENANT_DASHBOARD = "/tenants/[tenant_id]"
OPERATION_RUN = "/operations/[run_id]"
TENANT_SUPPORT_REQUESTS = "/tenants/[tenant_id]/support-requests"
WORKSPACE_SUPPORT_REQUESTS = "/workspaces/[workspace_id]/support-requests"
SUPPORT_REQUEST = "/support-requests/[reference]"
# The query parameter of the tenant history that narrows it to one run.
RUN_FILTER_PARAMETER = "run"

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


def tenant_support_requests(tenant_id: int | str, run_id: int | str | None = None) -> str:
    """The tenant's support-request history, narrowed to one run when given."""
    query = f"?{RUN_FILTER_PARAMETER}={run_id}" if run_id is not None else ""
    return f"/tenants/{tenant_id}/support-requests{query}"


def workspace_support_requests(workspace_id: int | str) -> str:
    return f"/workspaces/{workspace_id}/support-requests"


def support_request(reference: str) -> str:
    return f"/support-requests/{reference}"


def history_scope_from_path(path: str) -> tuple[str, str] | None:
    """``("tenant", id)`` or ``("workspace", id)`` for a history URL (id untrusted)."""
    parts = [p for p in path.split("/") if p]
    if len(parts) == 3 and parts[2] == "support-requests":
        if parts[0] == "tenants":
            return "tenant", parts[1]
        if parts[0] == "workspaces":
            return "workspace", parts[1]
    return None


def support_reference_from_path(path: str) -> str:
    """The reference a detail URL names, untrusted; "" for any other URL."""
    parts = [p for p in path.split("/") if p]
    return parts[1] if len(parts) == 2 and parts[0] == "support-requests" else ""


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
