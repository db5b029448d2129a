"""Production static files storage: whitenoise's hashed, gzip-precompressed files."""

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
