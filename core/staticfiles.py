"""Production static files storage: whitenoise's hashed, gzip-precompressed files."""

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns):
    return tuple(
        (
            extension,
            tuple(rule for rule in rules if "sourceMappingURL" not in (rule[0] if isinstance(rule, tuple) else rule)),
        )
        for extension, rules in patterns
    )


class PortalStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """The vendor files copied from npm name source maps that are not copied with them
    (static/vendor holds only what pages load): leave those comments alone instead of failing
    collectstatic. Every other reference (CSS url(), @import) is hashed as usual."""

    patterns = _without_source_maps(ManifestStaticFilesStorage.patterns)

    # At most this many names' URLs are remembered (every page's {% static %} names are a few
    # dozen).
    URL_MEMORY = 2000

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls = {}

    def url(self, name, force=False):
        """The hashed file's URL, worked out once per name and process: the manifest is read when
        the storage is made and never changes while the process runs (a release restarts it).
        Every page's layout names about ten files: ≈ 0.2 ms a page otherwise."""
        if force or settings.DEBUG:
            return super().url(name, force)
        url = self._urls.get(name)
        if url is None:
            url = super().url(name)
            if len(self._urls) < self.URL_MEMORY:
                self._urls[name] = url
        return url
