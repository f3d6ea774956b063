"""JSON answers for the pages' ``fetch`` calls: a change's result, or the library's own
error message (a ``QualcodeError`` says what is wrong and what to do) with status 400."""

from __future__ import annotations

from qualcode.errors import QualcodeError


async def body_of(request) -> dict:
    """The JSON object a page posted ({} for none); anything else is refused."""
    try:
        data = await request.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise QualcodeError("send a JSON object")
    return data


def answer(call):
    """Run ``call()`` and answer its result as JSON, or its error with status 400."""
    from starlette.responses import JSONResponse

    try:
        return JSONResponse(call())
    except QualcodeError as error:
        return JSONResponse({"error": str(error)}, status_code=400)


async def posted(request, work):
    """Read the posted JSON object and answer ``work(body)`` as JSON (errors: 400), with the
    work run off the event loop (it opens the project in its own thread)."""
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse

    try:
        body = await body_of(request)
    except QualcodeError as error:
        return JSONResponse({"error": str(error)}, status_code=400)
    return await run_in_threadpool(answer, lambda: work(body))


def needs_coder(request) -> str:
    from qualcode.web import coder_of

    coder = coder_of(request)
    if coder is None:
        raise QualcodeError("choose a coder name first (top right)")
    return coder
