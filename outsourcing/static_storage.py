"""Static files as production serves them: compressed and under hashed names (cached for a
year by WhiteNoise), also when DEBUG is on in the local `make run` (STATIC_COMPRESSED=1).

Django's manifest storage hands out the plain names while DEBUG is on, which WhiteNoise serves
with `max-age=0`; this storage always hands out the hashed ones.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class CompressedHashedStaticFiles(CompressedManifestStaticFilesStorage):
    def url(self, name, force=False):
        return super().url(name, force=True)
