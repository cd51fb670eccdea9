"""A Python client of the proxy service's HTTP API: typed methods, and the API's errors as exceptions.

It needs none of the server's services or settings (only the API's vocabulary, :mod:`.domain`): a URL and a bearer token
(``proxyservice token`` makes one). For example::

    from proxyservice.client import ProxyServiceClient

    client = ProxyServiceClient("https://proxies.example", token)
    result = client.ingest_path("/srv/files/report.html")
    status = client.wait(result.tasks[0].task_id)
    [preview] = client.proxies(result.file_id)
    png = client.proxy_bytes(result.file_id, preview.typeidentifier)
    reports = client.files(mimetype="application/pdf", **{"pdf_thumbnail.pages.min": 10})
    report = client.file(reports.files[0].file_id)       # metadata, proxies and tasks

Errors:

ClientError
├── ServiceUnreachable   no answer (connection refused, timeout)
└── ApiError             the service answered with an error (its status and message)
    ├── Unauthorized         401: no token, or a bad one
    ├── Forbidden            403: the token lacks the scope, or the path is refused
    ├── NotFound             404
    ├── Refused              other 4xx: the request cannot be done as it is (400, 413, 415…)
    └── TryLater             429 or 503: the service is busy or a dependency is down (retry_after)
"""

from .documents import FINISHED, File, FilePage, IngestResult, ListedFile, Proxy, TaskRef, TaskStatus
from .errors import ApiError, ClientError, Forbidden, NotFound, Refused, ServiceUnreachable, TryLater, Unauthorized
from .service import ProxyServiceClient

__all__ = ["ProxyServiceClient", "IngestResult", "TaskRef", "TaskStatus", "Proxy", "File", "FilePage", "ListedFile",
           "FINISHED", "ClientError",
           "ServiceUnreachable", "ApiError", "Unauthorized", "Forbidden", "NotFound", "Refused", "TryLater"]
