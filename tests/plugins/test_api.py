"""Plugin API v1: what a plugin imports is one module, and the job's context is a narrow interface."""

import inspect
import typing

import proxyservice.errors
from proxyservice.domain import SourceFile
from proxyservice.plugins import api, contract
from proxyservice.plugins.context import JobContext as ServiceJobContext

SERVICE_CLASSES = ("ProxyStore", "SourceFiles", "Sandbox")


class TestWhatAPluginImports:
    """A third party imports what the built-ins use, from one module."""

    def test_the_built_ins_import_nothing_of_the_plugin_machinery_but_the_api(self) -> None:
        for name in ("html_preview", "image_thumbnail", "pdf_thumbnail", "text_thumbnail", "svg_thumbnail",
                     "video_thumbnail", "audio_waveform", "markdown_preview", "epub_thumbnail", "office_thumbnail", "html_chromium"):
            source = inspect.getsource(__import__(f"proxyservice.plugins.{name}", fromlist=["_"]))
            assert "from .base" not in source and "from .context" not in source, name
            assert "from .api import" in source, name

    def test_it_exports_the_base_the_helpers_every_error_family_and_the_version(self) -> None:
        for name in ("WorkerProxyPlugin", "ingest_scaled", "Proxy", "generate_temp_filename", "temporary_file",
                     "FileInfo", "JobContext", "API_VERSION", "ProxyPlugin", "PluginStatus"):
            assert name in api.__all__, name
        families = {name for name in proxyservice.errors.__all__
                    if isinstance(getattr(proxyservice.errors, name), type)
                    and issubclass(getattr(proxyservice.errors, name), proxyservice.errors.ProxyServiceError)}
        assert families <= set(api.__all__)
        assert all(hasattr(api, name) for name in api.__all__)
        assert api.FileInfo is SourceFile
        assert api.API_VERSION == "1.2"


class TestTheJobContext:
    """A job sees a Protocol: never the service's store, sources or sandbox."""

    def test_no_member_of_the_protocol_names_a_concrete_service(self) -> None:
        assert api.JobContext is contract.JobContext and typing.get_origin(api.JobContext) is None
        assert getattr(api.JobContext, "_is_protocol", False)
        members = [name for name in vars(contract.JobContext) if not name.startswith("_")]
        assert {"settings", "snapshot", "temporary_file", "temporary_folder", "page_view", "store_proxy",
                "html_renderer", "image_scaler"} <= set(members)
        for name in members:
            member = getattr(contract.JobContext, name)
            hints = typing.get_type_hints(member.fget if isinstance(member, property) else member)
            assert not any(service in repr(hint) for hint in hints.values() for service in SERVICE_CLASSES), name
        assert not {"store", "sources", "sandbox"} & set(members)

    def test_the_service_context_has_every_member(self) -> None:
        # mypy checks the signatures (plugins/context.py, _keeps_the_plugin_api); this, that nothing is missing.
        members = [name for name in vars(contract.JobContext) if not name.startswith("_")]
        assert [name for name in members if not hasattr(ServiceJobContext, name)
                and name not in ServiceJobContext.__dataclass_fields__] == []
