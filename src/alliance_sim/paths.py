"""Where the tool may write: one clear line instead of a lost folder or a traceback.

* :func:`check_result_dir` refuses result directories whose replacement (``--force``) could
  reach what the user did not ask us to touch: an empty path, the current directory or one
  of its parents, ``/``, the home directory, and the folder holding the scenario file (or any
  parent of it).
* :func:`writable_dir` and :func:`writable_file` check an output path before any work is
  done: a file where a folder is expected (or the reverse) and a folder the user cannot write
  to are reported as one line naming the option.

* :func:`check_not_results` refuses an output path that is, or lies inside, one of a result
  directory's own files (its manifest, lock, journal, table folders, ``refine/``, the run's
  ``summary.json`` and ``commitment.png``): a report, an export, a figure or a new result
  directory can sit beside a result's files, never over or among them.

Deleting is done only by :class:`alliance_sim.runs.store.Store`, and only of the files it
wrote itself.
"""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

from alliance_sim.errors import StoreError, UserError
from alliance_sim.textsafe import shortened

#: the longest name of a file or folder, and the longest path, that Linux, macOS and Windows
#: file systems take (a longer ``--out`` was refused only when something was first written)
NAME_MAX, PATH_MAX = 255, 4096
#: what an output may use of them: a report is written as ``.NAME.tmpPID`` first (up to 16
#: bytes more), and a result's own files and their temporary names go inside its folder (up to
#: ``timeseries.parquet/.part-000000.parquet.tmpPID``): a name of 251 bytes, or a path of
#: 4,060, passed the limits and failed after the work (red-team)
NAME_LIMIT, PATH_LIMIT = NAME_MAX - 16, PATH_MAX - 256


def _shown(path: str | os.PathLike) -> str:
    return repr(os.fspath(path))


def user_path(path: str | os.PathLike) -> Path:
    """``path`` as a Path, a leading ``~`` (or ``~user``) made that home folder, as the shell
    and pandas do (``./~/x`` and ``~nosuchuser/x`` stay as written, as in the shell).
    pyarrow, which reads the tables, expands a leading ``~`` whatever is asked, so a result
    written from Python to ``out="~/b"`` landed in a folder named ``~`` in the working folder
    and was then read from the home folder (a traceback, or another result's data): a path
    left with a leading ``~`` is made absolute, so that no reader takes it for the home."""
    p = Path(os.path.expanduser(os.fspath(path)))  # only the string's own leading ~
    return Path.cwd() / p if p.parts and p.parts[0].startswith("~") else p


ALLOWED_RESULT = "name a folder of its own for the results, e.g. out/my-sweep"


def _ancestor_or_same(a: Path, b: Path) -> bool:
    """True if ``a`` is ``b`` or a folder that contains ``b``."""
    return a == b or a in b.parents


def check_result_dir(
    out: str | os.PathLike,
    scenario_path: str | os.PathLike | None = None,
    option: str = "--out",
    nested: bool = False,
) -> Path:
    """``out`` as a Path, after refusing the directories a result must never replace.

    ``scenario_path`` is the scenario file being run (its folder and every folder above it
    are refused, so that replacing results can never reach the scenario), and so is a
    folder inside another result's own files (:func:`check_not_results`) unless ``nested``
    (a refine round, which its result directory holds in ``refine/``).  Raises
    :class:`StoreError` naming the option and what is allowed.
    """
    _a_path(out, option)
    if not nested:
        hit = result_folder_of(out)
        if hit is not None:
            raise StoreError(
                f"{option} {_shown(out)} lies inside {hit[1]} of the result directory "
                f"{hit[0]}; {ALLOWED_RESULT}"
            )
    text = os.fspath(out)
    allowed = ALLOWED_RESULT
    if not str(text).strip():
        raise StoreError(f"{option} '': an empty path means the current directory; {allowed}")
    p = user_path(text)
    try:
        real = p.resolve()
    except (OSError, RuntimeError):  # a loop of links (it raised a traceback)
        msg = f"{option} {_shown(out)} runs into a loop of symbolic links; {allowed}"
        raise StoreError(msg) from None
    cwd = Path.cwd().resolve()
    if real == Path(real.anchor):
        raise StoreError(f"{option} {_shown(text)} is the filesystem root; {allowed}")
    home = Path.home().resolve()
    if real == home:
        raise StoreError(f"{option} {_shown(text)} is your home directory; {allowed}")
    if _ancestor_or_same(real, cwd):
        what = "the current directory" if real == cwd else "a parent of the current directory"
        raise StoreError(f"{option} {_shown(text)} is {what}; {allowed}")
    if scenario_path and not str(scenario_path).startswith("<"):
        folder = Path(scenario_path).resolve().parent
        if _ancestor_or_same(real, folder):
            raise StoreError(
                f"{option} {_shown(text)} holds the scenario file {scenario_path}; {allowed}"
            )
    for name, marker in RESULT_OUTPUTS.items():  # written, or replaced by --force, later
        if foreign(p / name, marker):  # (a pipe was replaced, a folder met late: red-team)
            raise StoreError(
                f"{option} {_shown(text)} holds {name}, which alliance-sim did not write (a "
                f"result's {name} is its own); move it out of {_shown(text)} and run the same "
                "command again"
            )
    return p


#: how a figure alliance-sim wrote is marked: "alliance-sim VERSION" as the PNG's Software,
#: the SVG's creator or the PDF's Creator (:mod:`alliance_sim.report.saving` writes it)
FIGURE = re.compile(
    rb"tEXtSoftware\x00alliance-sim \S"
    rb"|<dc:creator>\s*<cc:Agent>\s*<dc:title>alliance-sim \S"
    rb"|/Creator \(alliance-sim \S"
)
#: the files a command writes into a result directory beside its tables, and how each begins
RESULT_OUTPUTS: dict[str, bytes | re.Pattern[bytes]] = {
    "commitment.png": FIGURE,
    "summary.json": b'{\n  "scenario": ',
    "by_point.csv": b"point,",
}


def foreign(path: Path, marker: bytes | re.Pattern[bytes] | None = None) -> str | None:
    """What stands at ``path`` that alliance-sim did not write, in words ("a folder", "a
    symbolic link", "a special file (a pipe or a device)", or "a file" that lacks ``marker``),
    or None: nothing there, or a regular file that carries the marker (any, without one).  A
    pipe is never opened to read a marker."""
    if path.is_symlink():
        return "a symbolic link"
    if not path.exists():
        return None
    if path.is_dir():
        return "a folder"
    if not path.is_file():
        return "a special file (a pipe or a device)"
    return "a file" if marker is not None and not marked(path, marker) else None


def marked(path: Path, marker: bytes | re.Pattern[bytes], whole: bool = False) -> bool:
    """Whether the file ``path`` begins with ``marker`` (bytes) or holds the pattern."""
    with open(path, "rb") as f:
        head = f.read(64 << 20 if whole else 4096)  # no figure of ours is larger
    return head.startswith(marker) if isinstance(marker, bytes) else bool(marker.search(head))


#: what a result directory holds of its own (an output there would overwrite or corrupt it)
RESULT_ENTRIES = (
    "manifest.json",
    ".alliance-sim.lock",
    "chunks.jsonl",
    "runs.parquet",
    "timeseries.parquet",
    "alliance.parquet",
    "chunks",
    "refine",
    "summary.json",
    "by_point.csv",
    "commitment.png",
)


def result_folder_of(path: str | os.PathLike) -> tuple[Path, str] | None:
    """The result directory whose own files ``path`` is or lies inside, with the entry it
    falls in, or None.  A result directory is a folder holding ``manifest.json`` and at least
    one table or its lock."""
    try:
        p = user_path(path).resolve()  # through symbolic links and ``..``: where it would land
    except (OSError, RuntimeError):  # a loop of links: the folder checks say so in one line
        return None
    chain = [p, *p.parents]
    for i, folder in enumerate(chain[1:], start=1):
        if _is_result_dir(folder):
            entry = chain[i - 1].name
            if entry in RESULT_ENTRIES:
                return folder, entry
    return None


def _is_result_dir(folder: Path) -> bool:
    try:
        return (folder / "manifest.json").is_file() and any(
            (folder / n).exists() for n in RESULT_ENTRIES[1:6]
        )
    except OSError:
        return False


def check_not_results(path: str | os.PathLike, option: str = "--out") -> Path:
    """``path`` as a Path, after refusing one that is or lies inside a result directory's own
    files (:data:`RESULT_ENTRIES`); one line naming the option and what is allowed."""
    _a_path(path, option)  # a name too long, a NUL, bytes: one line, before anything is made
    hit = result_folder_of(path)
    if hit is not None:
        folder, entry = hit
        raise UserError(
            f"{option} {_shown(path)} would write over {entry} of the result directory "
            f"{folder}; allowed a path outside that directory's own files (e.g. "
            f"{folder / 'figures'} or a folder elsewhere)"
        )
    return user_path(path)


def ours_or_new(
    out: Path,
    marker: bytes | re.Pattern[bytes],
    what: str,
    option: str = "--out",
    whole: bool = False,
) -> Path:
    """``out`` (its folder created), unless it is a file alliance-sim did not write, which it
    never replaces: an existing file that does not begin with ``marker`` (bytes) or in which
    the pattern ``marker`` is not found (searched in its first 4 KiB; with ``whole``, in all
    of it, for formats that write their metadata last, like PDF).  A folder or a symbolic
    link of that name is refused too (alliance-sim never writes through a link).  A ``..``
    after folders that do not exist is read as written (``new/sub/../r.html`` is
    ``new/r.html``): making ``new/sub`` only to step out of it left an empty folder behind."""
    if ".." in out.parts and not out.parent.exists():
        out = Path(os.path.normpath(out))
    if out.is_symlink():
        raise UserError(
            f"{option} {_shown(out)} is a symbolic link; alliance-sim does not write through "
            f"links: choose another {option}"
        )
    if out.is_dir():
        raise UserError(f"{option} {_shown(out)} is a folder; allowed a file path")
    if out.is_file() and not marked(out, marker, whole):
        raise UserError(
            f"{option} {_shown(out)} exists and is not {_a(what)} alliance-sim wrote; choose "
            f"another {option} (alliance-sim replaces only its own {what}s)"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def _a(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def _first_existing(p: Path) -> Path:
    """``p`` or its nearest existing parent (the folder a new path would be created in), or
    a file in the way.  Read as written (``afile/../x`` goes through the file ``afile``) and
    as the system will read it once the folders before a ``..`` exist (``new/../afile/x`` is
    made in ``afile``, not in the working folder): the first that meets a file wins."""
    try:
        ways = [p.absolute(), p.resolve()]  # links followed where they exist, rest as written
    except (OSError, RuntimeError):  # a loop of links: left to the write to report
        ways = [p.absolute()]
    for q in ways:  # a folder to be made in one we may not write in stops it too (red-team)
        while not q.exists() and not q.is_symlink() and q != q.parent:
            q = q.parent
        if not q.is_dir() or not os.access(q, os.W_OK | os.X_OK):
            return q
    return q


def _not_a_folder(base: Path) -> str:
    """What ``base``, in the way of a new folder, is: a file, or a link that leads nowhere."""
    if base.is_symlink() and not base.exists():
        try:
            os.stat(base)
        except OSError as e:
            if e.errno == errno.ELOOP:
                return "a loop of symbolic links"
        return "a symbolic link to nothing"
    return "a file"


def _made_to_be_left(p: Path) -> Path | None:
    """The first folder before a ``..`` of ``p`` that does not exist (``X/new/..`` would make
    ``X/new`` only to step out of it, and leave it behind if the command is then refused), or
    None."""
    parts = p.parts
    for i, part in enumerate(parts):
        if part == ".." and i > 0 and not Path(*parts[:i]).exists():
            return Path(*parts[:i])
    return None


def _left_behind(path: str | os.PathLike, option: str) -> None:
    if (new := _made_to_be_left(user_path(path))) is not None:
        raise UserError(
            f"{option} {_shown(path)}: {new} does not exist, and the '..' after it would make "
            "it only to leave it behind; allowed a path whose folders before each '..' exist"
        )


def _absolute(text: str) -> str:
    """``text`` made absolute, or as given where the working folder is gone (its path is
    unknown, and the write will say so)."""
    try:
        return os.path.abspath(text)
    except OSError:
        return text


def _a_path(path: object, option: str) -> None:
    """One line for an output that is no path at all (``out=None`` raised pathlib's TypeError
    from the Python API)."""
    if not isinstance(path, str | os.PathLike):
        raise UserError(f"{option} = {path!r}: allowed a path (a string or a pathlib.Path)")
    text = os.fspath(path)
    if isinstance(text, bytes):  # an os.PathLike may give bytes, which pathlib refuses
        raise UserError(f"{option} = {path!r}: a path as bytes; allowed a path as text")
    if "\0" in text:
        raise UserError(f"{option} {shortened(text)!r}: no file name may hold a NUL character")
    try:
        longest = max((len(os.fsencode(part)) for part in Path(text).parts), default=0)
        full = len(os.fsencode(_absolute(text)))
    except UnicodeEncodeError:
        raise UserError(
            f"{option} {shortened(ascii(text))}: not a name this file system can encode"
        ) from None
    if longest > NAME_LIMIT or full > PATH_LIMIT:  # before anything runs or is made
        raise UserError(
            f"{option} {shortened(text)!r}: a name too long for the file system; allowed names "
            f"of up to {NAME_LIMIT} bytes and paths of up to {PATH_LIMIT:,} (its {NAME_MAX} and "
            f"{PATH_MAX:,}, less what alliance-sim adds for its own and temporary files)"
        )


def writable_dir(path: str | os.PathLike, option: str = "--out") -> Path:
    """``path`` as a Path if it is, or can be created as, a folder the user may write to."""
    _a_path(path, option)
    p = user_path(path)
    if not os.fspath(path).strip():
        raise UserError(f"{option} '': an empty path; allowed a folder path")
    check_not_results(p, option)
    if p.exists() and not p.is_dir():
        raise UserError(f"{option} {_shown(path)} is a file; allowed a folder (new or existing)")
    base = _first_existing(p)
    if not base.is_dir():
        raise UserError(
            f"{option} {_shown(path)}: {base} is {_not_a_folder(base)}, so no folder can be made "
            "there; allowed a folder path"
        )
    if not os.access(base, os.W_OK | os.X_OK):
        raise UserError(f"{option} {_shown(path)}: no permission to write in {base}")
    if not p.exists():
        _can_make_in(base, path, option)
    _left_behind(path, option)
    return p


def _can_make_in(base: Path, path: str | os.PathLike, option: str) -> None:
    """Refuse, in one line naming the option, a folder in which nothing can be made although
    its permissions say otherwise: a read-only file system, ``/proc`` (which took
    ``--out /proc/x`` and failed later with "No such file or directory"), or a superuser's
    write permission the file system does not grant.  Tried by making and removing an empty
    folder of this call's own."""
    import tempfile

    from alliance_sim import signals

    try:  # a Ctrl-C between the two left the probe behind, and a later run refused the folder
        with signals.held():
            os.rmdir(tempfile.mkdtemp(prefix=".alliance-sim-probe", dir=base))
    except OSError as e:
        raise UserError(
            f"{option} {_shown(path)}: nothing can be made in {base} ({e.strerror}); allowed a "
            "path in a folder you can write to"
        ) from None


def writable_file(path: str | os.PathLike, option: str = "--out") -> Path:
    """``path`` as a Path if it is, or can be created as, a file the user may write."""
    _a_path(path, option)
    p = user_path(path)
    if not os.fspath(path).strip():
        raise UserError(f"{option} '': an empty path; allowed a file path")
    check_not_results(p, option)
    if p.is_dir():
        raise UserError(f"{option} {_shown(path)} is a folder; allowed a file path")
    if p.exists() and not os.access(p, os.W_OK):
        raise UserError(f"{option} {_shown(path)}: no permission to write this file")
    base = _first_existing(p.parent if not p.exists() else p)
    if not p.exists():
        if not base.is_dir():
            raise UserError(
                f"{option} {_shown(path)}: {base} is {_not_a_folder(base)}, so no folder can be "
                "made there"
            )
        if not os.access(base, os.W_OK | os.X_OK):
            raise UserError(f"{option} {_shown(path)}: no permission to write in {base}")
        _can_make_in(base, path, option)
        _left_behind(path, option)
    return p


#: a result's fingerprint is 20 hex digits (``runs/identity.fingerprint``), read as exactly that:
#: in a PNG the text is followed by its chunk's checksum, whose bytes may be letters too, and an
#: open-ended match read one more ("...b34bk": a user's re-plot refused as another result's)
_SOURCE_RE = re.compile(rb"alliance-sim result ([0-9a-f]{20})")


def source_of(path: Path) -> str | None:
    """The fingerprint of the result the figure file ``path`` was drawn from (None: no such
    file, or a figure from before figures named their result)."""
    try:
        if not path.is_file():  # a FIFO named fan.png hung the plot that read it (red team)
            return None
        with open(path, "rb") as f:
            found = _SOURCE_RE.search(f.read(64 << 20))  # no figure of ours is larger
    except OSError:
        return None
    return found.group(1).decode() if found else None
