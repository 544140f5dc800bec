"""Pictures that arrive for a search go to the case's disk spool in batches, and are
recorded in the search only once their bytes are there; when the write fails, the
search records why instead of naming a picture the spool does not hold."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bingrev_desktop.core.blobstore import sha256
from bingrev_desktop.core.request import SearchRequest
from bingrev_desktop.core.response import parse_response
from bingrev_desktop.ui.case.case_session import CaseSession
from bingrev_desktop.ui.case.picture_keeper import PictureKeeper

from .conftest import wait_until


def test_arrivals_are_kept_together_and_failures_recorded(
        qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> None:
    session = CaseSession(autosave=tmp_path / "autosave.bingrev")
    record = session.case.add_search(
        SearchRequest.create("https://example.com/a.png"),
        parse_response({"related_content": []}), elapsed=1.0)
    batches: list[int] = []
    keeper = PictureKeeper(session, lambda: batches.append(len(record.thumbnails)))
    pictures = {f"https://tse.example/{n}.png": bytes([n]) * 100 for n in range(20)}

    async def arrive() -> None:
        for url, data in pictures.items():
            keeper.keep(record, url, data)
        assert keeper.waiting("https://tse.example/3.png") == pictures[
            "https://tse.example/3.png"]  # not on disk yet: served from memory
        await wait_until(lambda: len(record.thumbnails) == 20)

    qloop.run_until_complete(arrive())
    assert batches == [20]  # one moment's arrivals: one transaction
    for url, data in pictures.items():
        assert record.thumbnails[url] == sha256(data)
        assert session.case.blobs.get(sha256(data)) == data
        assert keeper.waiting(url) is None

    session.case.blobs.close()  # the disk is gone (a closed spool fails like a full disk)

    async def lost() -> None:
        keeper.keep(record, "https://tse.example/late.png", b"late")
        await wait_until(lambda: "https://tse.example/late.png" in record.thumbnail_failures)

    qloop.run_until_complete(lost())
    session.stop_autosave()  # no timed save after the test's loop is gone
    assert "https://tse.example/late.png" not in record.thumbnails
    assert "written to disk" in record.thumbnail_failures["https://tse.example/late.png"].reason
