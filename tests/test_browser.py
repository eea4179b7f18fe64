"""Real-browser checks of a built site: a field anchor scrolls into view, and search finds a field.

Select these tests with ``pytest -k browser`` (or ``pytest tests/test_browser.py``).

Chromium is driven over the DevTools protocol with the standard library only: it is started with
``--remote-debugging-pipe``, which makes it read NUL-terminated JSON commands on fd 3 and write
responses and events on fd 4 (no websocket client, no Playwright, no browser download). Debian's
``chromium`` is used; set ``CRDOC_CHROMIUM`` to point at another binary. Without a binary the tests
are skipped, loudly. Screenshots go to ``tests/artifacts/`` (git-ignored).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import functools
import http.server
import json
import os
import select
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import EXAMPLE_CHART, ROOT

from crdoc.cli import cli

ARTIFACTS = ROOT / "tests" / "artifacts"
DBCLUSTER_PAGE = "alloydbomni.dbadmin.goog/dbclusters-v1.html"
BACKUPPLAN_PAGE = "alloydbomni.dbadmin.goog/backupplans-v1.html"
FIELD_ID = "spec.primarySpec.resources.cpu"
WIDTH, HEIGHT = 1280, 900
TIMEOUT = 15.0

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
    f"--window-size={WIDTH},{HEIGHT}",
]


def find_chromium() -> str | None:
    """The Chromium binary: $CRDOC_CHROMIUM, else the first of the usual names on $PATH."""
    if env := os.environ.get("CRDOC_CHROMIUM"):
        return env if os.access(env, os.X_OK) else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if path := shutil.which(name):
            return path
    return None


def _fd_above_9(fd: int) -> int:
    """A duplicate of ``fd`` numbered 10 or more; ``fd`` is closed."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class CDPError(RuntimeError):
    pass


class Chromium:
    """A headless Chromium and one page, driven over the DevTools protocol on a pipe."""

    def __init__(self, binary: str, profile: Path) -> None:
        cmd_r, self._cmd_w = os.pipe()  # we write commands; Chromium reads them as fd 3
        self._out_r, out_w = os.pipe()  # Chromium writes responses/events as fd 4
        # Chromium's ends are moved to fds >= 10, so the launcher's dup to 3 and 4 cannot clobber
        # them; bash, not dash, because dash's redirections only take one-digit fds.
        cmd_r, out_w = (_fd_above_9(fd) for fd in (cmd_r, out_w))
        launcher = f'exec "$0" "$@" 3<&{cmd_r} 4>&{out_w} {cmd_r}<&- {out_w}>&-'
        self._log = profile.with_name(profile.name + "-stderr.log")
        args = [*CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe"]
        with self._log.open("wb") as log:
            self.proc = subprocess.Popen(
                ["bash", "-c", launcher, binary, *args, "about:blank"],
                pass_fds=(cmd_r, out_w),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,  # its own process group, so close() can end all of it
            )
        os.close(cmd_r)
        os.close(out_w)
        self._buf = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        try:
            self._open_page()
        except BaseException:
            self.close()
            raise

    def _open_page(self) -> None:
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        for domain in ("Page.enable", "Runtime.enable"):
            self.page(domain)
        self.page(
            "Emulation.setDeviceMetricsOverride",
            width=WIDTH,
            height=HEIGHT,
            deviceScaleFactor=1,
            mobile=False,
        )

    # -- protocol ---------------------------------------------------------------------------

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no message from Chromium in time")
            ready, _, _ = select.select([self._out_r], [], [], left)
            if ready:
                chunk = os.read(self._out_r, 1 << 20)
                if not chunk:
                    log = self._log.read_text(errors="replace")[-2000:]
                    raise CDPError(f"Chromium closed the pipe (exit {self.proc.poll()}):\n{log}")
                self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._cmd_w, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise CDPError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def page(self, method: str, **params: Any) -> dict[str, Any]:
        return self.call(method, session=self.session, **params)

    def wait_event(self, method: str, timeout: float = TIMEOUT) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events:
                if event["method"] == method:
                    self.events.remove(event)
                    return event
            message = self._read_message(deadline)
            if "method" in message:
                self.events.append(message)

    # -- page helpers -----------------------------------------------------------------------

    def evaluate(self, expression: str) -> Any:
        result = self.page(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise CDPError(f"{expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, what: str, timeout: float = TIMEOUT) -> Any:
        """Poll a JavaScript expression until it is truthy; return its value."""
        deadline = time.monotonic() + timeout
        while not (value := self.evaluate(expression)):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}: {expression}")
            time.sleep(0.1)
        return value

    def navigate(self, url: str) -> None:
        self.events = [e for e in self.events if e["method"] != "Page.loadEventFired"]
        result = self.page("Page.navigate", url=url)
        assert not result.get("errorText"), f"{url}: {result['errorText']}"
        self.wait_event("Page.loadEventFired")

    def click(self, selector: str) -> None:
        """A real mouse click at the centre of the element (not a synthetic DOM click)."""
        box = self.evaluate(
            f"(() => {{ const r = document.querySelector({json.dumps(selector)})"
            ".getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()"
        )
        for kind in ("mousePressed", "mouseReleased"):
            self.page(
                "Input.dispatchMouseEvent",
                type=kind,
                x=box[0],
                y=box[1],
                button="left",
                clickCount=1,
            )

    def type_text(self, text: str) -> None:
        """Key-by-key typing: keydown (which inserts the character) and keyup, as a user would."""
        for char in text:
            self.page("Input.dispatchKeyEvent", type="keyDown", key=char, text=char)
            self.page("Input.dispatchKeyEvent", type="keyUp", key=char)

    def screenshot(self, path: Path) -> None:
        data = self.page("Page.captureScreenshot", format="png")["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))

    def exceptions(self) -> list[str]:
        """Uncaught JavaScript exceptions reported so far."""
        return [
            e["params"]["exceptionDetails"].get("exception", {}).get("description")
            or e["params"]["exceptionDetails"].get("text", "?")
            for e in self.events
            if e["method"] == "Runtime.exceptionThrown"
        ]

    def close(self) -> None:
        with contextlib.suppress(CDPError, TimeoutError, OSError):
            self.call("Browser.close")
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        os.close(self._cmd_w)
        os.close(self._out_r)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's signature
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "site"
    result = CliRunner().invoke(cli, ["build", str(EXAMPLE_CHART), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / DBCLUSTER_PAGE).is_file()
    return out


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    binary = find_chromium()
    if binary is None:
        pytest.skip(
            "BROWSER TESTS SKIPPED: no Chromium binary found (apt-get install chromium, "
            "or set CRDOC_CHROMIUM)"
        )
    chromium = Chromium(binary, tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield chromium
    finally:
        chromium.close()


def assert_heading_in_view(browser: Chromium, field_id: str) -> None:
    """The field's heading is the :target, scrolled to, and fully visible below the header."""
    probe = f"""(() => {{
        const el = document.getElementById({json.dumps(field_id)});
        if (!el) return null;
        const r = el.getBoundingClientRect();
        const header = document.querySelector(".md-header");
        return {{top: r.top, bottom: r.bottom, height: window.innerHeight,
                 scrollY: window.scrollY, target: document.querySelector(":target") === el,
                 headerBottom: header ? header.getBoundingClientRect().bottom : 0,
                 text: el.textContent}};
    }})()"""
    browser.wait_for(f"{probe}?.scrollY > 0", f"the page to scroll to #{field_id}")
    time.sleep(0.3)  # let late layout shifts (material's scripts) settle, then measure
    box = browser.evaluate(probe)
    assert box is not None, f"no element with id {field_id!r}"
    assert field_id in box["text"], box
    assert box["target"], f"the heading is not the :target: {box}"
    assert box["scrollY"] > 0, box
    assert 0 <= box["top"] < box["height"], f"heading not in the viewport: {box}"
    assert box["bottom"] <= box["height"], f"heading cut off at the bottom: {box}"
    assert box["top"] >= box["headerBottom"] - 1, f"heading hidden under the header: {box}"


def test_browser_field_anchor_scrolls_into_view(browser: Chromium, base_url: str) -> None:
    browser.navigate(f"{base_url}{DBCLUSTER_PAGE}#{FIELD_ID}")
    try:
        assert_heading_in_view(browser, FIELD_ID)
    finally:
        browser.screenshot(ARTIFACTS / "browser-dbcluster-anchor.png")
    assert browser.exceptions() == []


def test_browser_search_finds_field(browser: Chromium, base_url: str) -> None:
    browser.navigate(f"{base_url}{DBCLUSTER_PAGE}")
    browser.click("input.md-search__input")
    browser.wait_for(
        "document.activeElement?.matches('input.md-search__input')", "the search input's focus"
    )
    browser.type_text("backupRetainDays")
    try:
        links = browser.wait_for(
            """(() => {
                const links = [...document.querySelectorAll("a.md-search-result__link")]
                    .map(a => a.getAttribute("href"));
                return links.some(h => h.includes("backupRetainDays")) ? links : null;
            })()""",
            "a search result for backupRetainDays",
        )
    finally:
        browser.screenshot(ARTIFACTS / "browser-search-backupRetainDays.png")
    meta = browser.evaluate("document.querySelector('.md-search-result__meta')?.textContent")
    assert meta and "matching" in meta, meta
    field_links = [link for link in links if "#spec.backupRetainDays" in link]
    assert field_links, links
    assert all(BACKUPPLAN_PAGE in link for link in field_links), field_links

    # Scroll the result panel (not the page) to the field's own result, and follow it.
    result = 'a.md-search-result__link[href*="#spec.backupRetainDays"]'
    browser.evaluate(
        f"""(() => {{
            const wrap = document.querySelector(".md-search__scrollwrap");
            const link = document.querySelector({json.dumps(result)});
            wrap.scrollTop += link.getBoundingClientRect().top
                - wrap.getBoundingClientRect().top - 40;
        }})()"""
    )
    time.sleep(0.2)
    browser.screenshot(ARTIFACTS / "browser-search-backupRetainDays-result.png")
    browser.events = [e for e in browser.events if e["method"] != "Page.loadEventFired"]
    browser.click(result)
    browser.wait_event("Page.loadEventFired")
    location = browser.evaluate("location.pathname + location.hash")
    assert location == f"/{BACKUPPLAN_PAGE}#spec.backupRetainDays", location
    assert_heading_in_view(browser, "spec.backupRetainDays")
    assert browser.exceptions() == []


def test_browser_cloud_only_badge_is_visible(browser: Chromium, base_url: str) -> None:
    """The BackupPlan GCS location, annotated cloud-only by the example chart's maintainers,
    shows its warning admonition (with the reason) right under the field's heading."""
    field_id = "spec.backupLocation.gcsOptions"
    browser.navigate(f"{base_url}{BACKUPPLAN_PAGE}#{field_id}")
    try:
        assert_heading_in_view(browser, field_id)
        box = browser.wait_for(
            f"""(() => {{
                const heading = document.getElementById({json.dumps(field_id)});
                let node = heading.nextElementSibling;
                while (node && !node.matches("h3")) {{
                    if (node.matches(".admonition.warning")) {{
                        const r = node.getBoundingClientRect();
                        return {{text: node.textContent, top: r.top, height: r.height}};
                    }}
                    node = node.nextElementSibling;
                }}
                return null;
            }})()""",
            "the cloud-only admonition of spec.backupLocation.gcsOptions",
        )
    finally:
        browser.screenshot(ARTIFACTS / "browser-backupplan-cloud-only.png")
    assert "Cloud-only" in box["text"] and "metadata.google.internal" in box["text"]
    viewport = browser.evaluate("window.innerHeight")
    assert 0 < box["top"] < viewport and box["height"] > 20
    assert browser.exceptions() == []
