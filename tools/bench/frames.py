"""Whose code is this: Micboard's, the bench's, Home Assistant's, asyncio's or other."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
import sys

from .const import BENCH_PATH, MICBOARD_PATH


def frame_kind(filename: str) -> str:
    """Owner of a source file."""
    if MICBOARD_PATH in filename:
        return "micboard"
    if filename.startswith(BENCH_PATH + os.sep):
        return "bench"
    if f"{os.sep}asyncio{os.sep}" in filename:
        return "asyncio"
    if f"{os.sep}homeassistant{os.sep}" in filename:
        return "homeassistant"
    return "other"


def short(filename: str, name: str, line: int | None = None) -> str:
    """``micboard/coordinator.py:12(name)``, ``homeassistant/core.py(name)``, ``x.py(name)``."""
    path = filename
    for marker in (MICBOARD_PATH, "homeassistant/", "asyncio/"):
        if marker in filename:
            path = filename[filename.index(marker) :]
            break
    else:
        path = Path(filename).name
    path = path.replace(MICBOARD_PATH + "/", "micboard/")
    return f"{path}:{line}({name})" if line is not None else f"{path}({name})"


def object_kind(obj: object) -> str:
    """Owner of an object, by the module of its class."""
    module = type(obj).__module__ or ""
    if module.startswith("custom_components.micboard"):
        return "micboard"
    if module.startswith("homeassistant"):
        return "homeassistant"
    return "other"


def _is_hass_job(obj: object) -> bool:
    return type(obj).__name__ == "HassJob"


def callable_kind(obj: object, depth: int = 0) -> str | None:
    """Owner of a callable (unwrapping partials, HassJobs and bound methods), or None."""
    if obj is None or depth > 3:
        return None
    func = getattr(obj, "func", None)  # functools.partial
    if func is not None and callable(obj):
        kinds = [callable_kind(func, depth + 1)]
        kinds += [callable_kind(arg, depth + 1) for arg in getattr(obj, "args", ())]
        return "micboard" if "micboard" in kinds else kinds[0]
    target = getattr(obj, "target", None)  # HassJob
    if target is not None and _is_hass_job(obj):
        return callable_kind(target, depth + 1)
    bound = getattr(obj, "__self__", None)
    if bound is not None and not isinstance(bound, type(sys)):
        if object_kind(bound) == "micboard":
            return "micboard"
        obj = getattr(obj, "__func__", obj)
    code = getattr(obj, "__code__", None)
    if code is None:
        return None
    return frame_kind(code.co_filename)


def label(obj: object) -> str:
    """Short name of a callable (unwrapping partials and HassJobs)."""
    for _ in range(3):
        inner = getattr(obj, "func", None) or (
            getattr(obj, "target", None) if _is_hass_job(obj) else None
        )
        if inner is None:
            break
        obj = inner
    return str(getattr(obj, "__qualname__", type(obj).__name__))


def handle_callback(handle: asyncio.Handle) -> object:
    """The callback an event-loop handle runs (``Handle._callback``, not in the stubs)."""
    return getattr(handle, "_callback", None)


def describe(handle: asyncio.Handle) -> str:
    """What a loop callback ran, for the list of the longest ones."""
    callback = handle_callback(handle)
    target = getattr(callback, "__self__", None)
    if isinstance(target, asyncio.Task):
        names: list[str] = []
        coro: object = target.get_coro()
        while coro is not None and len(names) < 6:
            code = getattr(coro, "cr_code", None)
            if code is None:
                break
            names.append(short(code.co_filename, code.co_qualname).split(":")[-1])
            coro = getattr(coro, "cr_await", None)
        return "task " + " > ".join(names)
    func = getattr(callback, "func", callback)
    name = str(getattr(func, "__qualname__", type(func).__name__))
    code = getattr(getattr(func, "__func__", func), "__code__", None)
    return short(code.co_filename, name) if code is not None else name
