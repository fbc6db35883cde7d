"""The agency data-sharing gateway: agencies, grants, system authentication, verify and scoped
lookup, and the tamper-evident access record every call writes."""
