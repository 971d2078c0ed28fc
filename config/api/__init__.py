"""
What every endpoint of the REST API shares: authentication, permissions, pagination, ordering,
throttling, errors, conditional GET, CSV rendering, streaming exports and the OpenAPI schema
tweaks. The apps' `api/` packages hold their serializers and viewsets and build on these.
"""

# Longest query parameter value the API reads; anything longer is a 400 naming the parameter.
MAX_PARAM_LENGTH = 1000
