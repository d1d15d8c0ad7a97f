"""What the management commands share: the files they write and read.

Every command that writes a file goes through `open_output` (a stream) or `replaced` (a path,
for a tool that writes the file itself): the output is written under a temporary name beside the
target and renamed over it once complete, so a failed or interrupted run leaves no half-written
file, and any OSError (a folder given as the file, a missing folder, a full disk, no permission)
becomes a one-line CommandError naming the path. A target that exists and is not a regular file
(/dev/stdout, a named pipe, /dev/null) is written in place: it cannot be replaced by a rename.
Input files that cannot be read are told the same way (`cannot_read`).
"""

import errno
import io
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

# A temporary name is the target's, hidden, with a random part and a suffix: kept within the
# 255 bytes most filesystems allow for a name.
MAX_NAME_KEPT = 200


def reason_of(exc: BaseException) -> str:
    """The system's short text for an OSError ("No such file or directory"), else the error's."""
    return (getattr(exc, "strerror", None) or str(exc) or type(exc).__name__).rstrip(".")


def cannot_write(path, exc: BaseException) -> CommandError:
    return CommandError(_("Cannot write %(path)s: %(reason)s.")
                        % {"path": path, "reason": reason_of(exc)})


def cannot_read(path, exc: BaseException) -> CommandError:
    return CommandError(_("Cannot read %(path)s: %(reason)s.")
                        % {"path": path, "reason": reason_of(exc)})


def _is_dir_error(path) -> OSError:
    return IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))


def check_output(path) -> Path:
    """The output path of a command line, refused at once (before any work is done) when it
    cannot be a file: an existing folder, or a folder beneath it that does not exist."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise cannot_write(path, _is_dir_error(path))
    if not target.parent.is_dir():
        raise CommandError(_("Cannot write %(path)s: the folder %(folder)s does not exist.")
                           % {"path": path, "folder": target.parent})
    return target


def _in_place(target: Path) -> bool:
    """Whether the target exists and is no regular file (a device, a pipe): written in place."""
    try:
        return not stat.S_ISREG(os.stat(target).st_mode)
    except FileNotFoundError:
        return False


def _reserve(target: Path) -> Path:
    """A new empty file beside `target`, with the permissions the target has (an existing file)
    or would get (a new one: the umask's)."""
    for _attempt in range(100):
        partial = target.with_name(
            f".{target.name[:MAX_NAME_KEPT]}.{secrets.token_hex(4)}.part")
        try:
            handle = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        try:
            with suppress(FileNotFoundError):
                os.chmod(handle, stat.S_IMODE(os.stat(target).st_mode))
        except OSError:
            with suppress(OSError):
                partial.unlink()
            raise
        finally:
            os.close(handle)
        return partial
    raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(target))


@contextmanager
def replaced(path, *, errors: tuple[type[BaseException], ...] = (OSError,)) -> Iterator[Path]:
    """A temporary path beside `path` for the block to write, renamed to `path` when the block
    ends; removed if it raises. OSError (and the given `errors`) become CommandError naming
    `path`; any other exception goes on as it is."""
    target = check_output(path)
    target = Path(os.path.realpath(target))  # a symbolic link's file is replaced, not the link
    try:
        partial = _reserve(target)
    except OSError as exc:
        raise cannot_write(path, exc) from exc
    try:
        yield partial
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, target)
    except BaseException as exc:
        with suppress(OSError):
            partial.unlink()
        if isinstance(exc, errors):
            raise cannot_write(path, exc) from exc
        raise


class _Guard:
    """The binary file handed to a writer. After its first OSError, and once the block is over,
    it is a sink that keeps only its position: what a failed writer leaves behind (openpyxl's
    half-written zip archive, which writes its end when it is collected) cannot touch the file
    again and print a second error, a traceback, after the first was told."""

    def __init__(self, stream: IO[bytes]):
        self._stream = stream
        self.error: OSError | None = None
        self.retired = False
        try:
            self._position = stream.tell()
        except OSError:
            self._position = 0
        self._end = self._position

    def _live(self) -> bool:
        return self.error is None and not self.retired

    def _failed(self, exc: OSError) -> OSError:
        self.error = exc
        return exc

    def write(self, data) -> int:
        written = memoryview(data).nbytes
        if self._live():
            try:
                written = self._stream.write(data)
            except OSError as exc:
                raise self._failed(exc) from None
        self._position += written
        self._end = max(self._end, self._position)
        return written

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if self._live():
            try:
                self._position = self._stream.seek(offset, whence)
            except io.UnsupportedOperation:
                raise  # a pipe: nothing was lost, the writer does without (zipfile does)
            except OSError as exc:
                raise self._failed(exc) from None
        else:
            base = {os.SEEK_SET: 0, os.SEEK_CUR: self._position, os.SEEK_END: self._end}[whence]
            self._position = max(0, base + offset)
        return self._position

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        if self._live():
            try:
                self._stream.flush()
            except OSError as exc:
                raise self._failed(exc) from None

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


@contextmanager
def _guarded(stream: IO, binary: bool) -> Iterator[IO]:
    if not binary:
        yield stream
        return
    guard = _Guard(stream)
    try:
        yield guard
    finally:
        guard.retired = True
    if guard.error is not None:  # a writer that went on after it failed to write
        raise guard.error


@contextmanager
def open_output(path, *, binary: bool = False) -> Iterator[IO]:
    """A file open for writing `path` (text in UTF-8, or binary): see `replaced`."""
    mode, encoding = ("wb", None) if binary else ("w", "utf-8")
    target = check_output(path)
    if _in_place(target):
        try:
            with (open(target, mode, encoding=encoding) as stream,
                  _guarded(stream, binary) as guarded):
                yield guarded
        except OSError as exc:
            raise cannot_write(path, exc) from exc
        return
    with (replaced(path) as partial, open(partial, mode, encoding=encoding) as stream,
          _guarded(stream, binary) as guarded):
        yield guarded


def write_output(path, text: str) -> None:
    """Write `text` to the file `path` in UTF-8, as `open_output` does."""
    with open_output(path) as stream:
        stream.write(text)
