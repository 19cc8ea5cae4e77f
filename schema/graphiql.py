"""GraphiQL served by the server itself: the page and its pinned assets.

The assets (schema/static/graphiql/, see its README) are served under
``/graphiql/static/<digest>/<file>``, the digest being a prefix of the file's
SHA-256: a URL always means the same bytes, so it may be cached for a year as
immutable. The page loads only those files, its start-up script included (no
inline script), and its Content-Security-Policy allows nothing else.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

STATIC_DIR = Path(__file__).with_name("static") / "graphiql"
STATIC_PREFIX = "/graphiql/static"
IMMUTABLE = "public, max-age=31536000, immutable"

# in load order; app.js starts GraphiQL and must come last
SCRIPTS = (
    "vendor/react.production.min.js",
    "vendor/react-dom.production.min.js",
    "vendor/graphiql.min.js",
    "vendor/plugin-explorer.umd.js",
    "vendor/graphql-ws.min.js",
    "app.js",
)
STYLES = ("vendor/graphiql.min.css", "vendor/plugin-explorer.css", "app.css")
MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css"}

# 'self' covers the same-origin WebSocket too (CSP Level 3); GraphiQL sets
# element styles from script, which style-src does not govern, and its
# icons are data: URLs
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


@dataclass(frozen=True)
class Asset:
    name: str
    digest: str
    body: bytes
    media_type: str

    @property
    def url(self) -> str:
        return f"{STATIC_PREFIX}/{self.digest}/{self.name}"


@lru_cache(maxsize=1)
def assets() -> dict[str, Asset]:
    found: dict[str, Asset] = {}
    for name in (*SCRIPTS, *STYLES):
        body = (STATIC_DIR / name).read_bytes()
        digest = hashlib.sha256(body).hexdigest()[:16]
        found[name] = Asset(name, digest, body, MEDIA_TYPES[Path(name).suffix])
    return found


@lru_cache(maxsize=1)
def page_html() -> str:
    table = assets()
    styles = "\n".join(
        f'    <link rel="stylesheet" href="{table[n].url}">' for n in STYLES
    )
    scripts = "\n".join(f'    <script src="{table[n].url}"></script>' for n in SCRIPTS)
    return f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>TherapyBridge GraphiQL</title>
    <link rel="icon" href="data:,">
{styles}
  </head>
  <body>
    <div id="graphiql">Loading...</div>
{scripts}
  </body>
</html>
"""


def page_response() -> Response:
    return HTMLResponse(
        page_html(),
        headers={"content-security-policy": CSP},  # no-store: the middleware
    )


async def static_asset(request: Request) -> Response:
    """GET /graphiql/static/{digest}/{path}: only the listed files, only under
    their current digest (anything else is 404, never a file-system path)."""
    asset = assets().get(request.path_params["path"])
    if asset is None or asset.digest != request.path_params["digest"]:
        return Response("Not found", status_code=404, media_type="text/plain")
    return Response(
        asset.body,
        media_type=asset.media_type,
        headers={"cache-control": IMMUTABLE, "etag": f'"{asset.digest}"'},
    )
