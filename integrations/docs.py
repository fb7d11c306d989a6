"""The API's documentation pages, served from this server (drf-spectacular's sidecar, no CDN),
under the site's Content-Security-Policy (settings.CONTENT_SECURITY_POLICY).

Swagger UI: the split view, whose start-up script is a file of its own (`/api/docs/?script=`)
instead of an inline <script>, with the page's few styles in static/css/swagger-ui-page.css; it
runs under the strict policy unchanged.

Redoc: its renderer (styled-components) writes its styles into <style> elements as it draws, and
neither takes a nonce nor works without them, so this page alone allows inline styles
('unsafe-inline' in style-src), and a worker made from a blob: URL (its search index runs in one
that its own script creates). Scripts stay 'self' only: an inline style can restyle the page, not
run code, and the page shows the schema, no article data. Its footer's "API docs by Redocly" logo
comes from cdn.redoc.ly and stays blocked (img-src): nothing on our pages loads from a CDN, and
Redoc hides the image when it fails to load.
"""

from __future__ import annotations

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

swagger_ui = SpectacularSwaggerSplitView.as_view(
    url_name="api-schema", template_name="integrations/swagger_ui.html"
)

redoc = csp_update({"style-src": [SELF, UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})(
    SpectacularRedocView.as_view(url_name="api-schema", template_name="integrations/redoc.html")
)
