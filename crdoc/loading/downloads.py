"""Downloads: a chart or a repository's ``index.yaml`` fetched from a URL, ``https`` only unless
plain ``http`` is allowed (redirects too), bounded in time and size by
:class:`~crdoc.loading.limits.Limits`."""

from __future__ import annotations

import time
import urllib.parse
from typing import IO, TYPE_CHECKING

from crdoc.errors import CrdocError
from crdoc.loading.limits import Limits

if TYPE_CHECKING:
    from http.client import HTTPMessage


def download(url: str, *, limits: Limits, allow_http: bool = False) -> bytes:
    """Fetch a chart over HTTPS (HTTP only when allowed), bounded in time and size."""
    import urllib.request  # here: only URL sources need it

    allowed = ("https", "http") if allow_http else ("https",)
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in allowed:
        hint = " (pass --allow-http to accept plain http)" if scheme == "http" else ""
        raise CrdocError(f"only https:// URLs are read{hint}", path=url)

    class _Redirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(
            self,
            req: urllib.request.Request,
            fp: IO[bytes],
            code: int,
            msg: str,
            headers: HTTPMessage,
            newurl: str,
        ) -> urllib.request.Request | None:
            if urllib.parse.urlsplit(newurl).scheme not in allowed:
                raise CrdocError(f"refused redirect to {newurl}", path=url)
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    opener = urllib.request.build_opener(_Redirects)
    try:
        # The timeout bounds the whole download, not each read: a server that drips one byte
        # at a time must not hold crdoc for ever.
        deadline = time.monotonic() + limits.download_timeout
        chunks: list[bytes] = []
        received = 0
        with opener.open(url, timeout=limits.download_timeout) as response:
            while received <= limits.max_download_bytes:
                if time.monotonic() > deadline:
                    raise CrdocError("cannot download: timed out", path=url)
                chunk = response.read1(65536)
                if not chunk:
                    break
                chunks.append(chunk)
                received += len(chunk)
        data = b"".join(chunks)
    except CrdocError:
        raise
    except (OSError, ValueError) as exc:
        raise CrdocError(f"cannot download: {exc}", path=url) from None
    if len(data) > limits.max_download_bytes:
        raise CrdocError(f"download larger than {limits.max_download_bytes} bytes", path=url)
    return data
