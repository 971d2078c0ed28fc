"""
Writes to announced investments. Views, serializers, admin actions, commands and tasks call
these; none of them holds a business rule of its own.
"""

from capex.services.investments import citation_add, investment_create, investment_update
from capex.services.workflow import investment_publish, investment_return_to_draft, investment_submit

__all__ = [
    "citation_add",
    "investment_create",
    "investment_publish",
    "investment_return_to_draft",
    "investment_submit",
    "investment_update",
]
