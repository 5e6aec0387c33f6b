"""collectstatic's storage in production: whitenoise's hashed, compressed files, readable by all.

Static files are public, and nginx (another user, e.g. www-data) serves them straight from
STATIC_ROOT (deploy/nginx/keyprojects.conf). Django's file storage would give them
FILE_UPLOAD_PERMISSIONS / FILE_UPLOAD_DIRECTORY_PERMISSIONS (0600/0700, meant for the private
uploads), and whitenoise writes its .gz copies with the umask of the shell that runs
collectstatic; either way nginx answered 403. Here every file is 0644 and every directory 0755,
whatever the umask, and a collectstatic also opens up what an earlier one left private (it skips
unchanged files, so an upgrade alone would not).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage

FILE_MODE = 0o644
DIRECTORY_MODE = 0o755


def open_up(root: str | os.PathLike[str]) -> None:
    """Every directory under ``root`` (and itself) 0755, every file 0644."""
    os.chmod(root, DIRECTORY_MODE)
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            os.chmod(os.path.join(folder, name), DIRECTORY_MODE)
        for name in files:
            os.chmod(os.path.join(folder, name), FILE_MODE)


class PublicCompressedManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("file_permissions_mode", FILE_MODE)
        kwargs.setdefault("directory_permissions_mode", DIRECTORY_MODE)
        super().__init__(*args, **kwargs)

    def post_process(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        yield from super().post_process(*args, **kwargs)
        if not kwargs.get("dry_run") and os.path.isdir(self.location):
            open_up(self.location)
