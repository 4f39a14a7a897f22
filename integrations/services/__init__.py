"""Every write of the integrations app: imports (``imports``) and webhooks (``webhooks``)."""
