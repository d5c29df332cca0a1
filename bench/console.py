"""The staff console's budgets (issue 16): JavaScript gzipped ≤ 150 KB before the video SDK (the main bundle; the SDK's
chunk, loaded only when a nurse joins a Chime room, is printed apart), and the first screen (the sign-in form) ready
within 1 s on loopback in headless Chromium. Measures `console/dist` as `make console` left it,
served by local/console.py (the same files, /config.json and security headers as `make run`; no AWS needed for the
sign-in screen). Prints figures and ratios; asserts nothing.

    make console && .venv/bin/python bench/console.py [--runs 9]
"""

import argparse
import gzip
import json
import re
import statistics
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from local import console  # noqa: E402
from local.aws import StackState, free_port  # noqa: E402

JS_BUDGET = 150 * 1024
FIRST_SCREEN_BUDGET_MS = 1000.0
CHROMIUM = "/usr/bin/chromium"  # Debian's package (`make chromium`), as the browser tests use
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SIGN_IN = ("Iniciar sesión", "Sign in")  # the first screen's heading, in either language
# Runs in the page before its own scripts (through the DevTools protocol, which the page's CSP does not govern): the
# moment, on the page's own clock (0 = navigation start), that the sign-in heading is first laid out and visible.
WATCH = """
(() => {
  const names = NAMES;
  const seen = () => [...document.querySelectorAll("h1, h2, h3, [role=heading]")].some((el) => {
    const box = el.getBoundingClientRect();
    return names.includes(el.textContent.trim()) && box.width > 0 && box.height > 0
      && getComputedStyle(el).visibility !== "hidden";
  });
  const look = () => { if (seen()) window.__signInVisibleAt = performance.now(); else requestAnimationFrame(look); };
  requestAnimationFrame(look);
})();
""".replace("NAMES", json.dumps(SIGN_IN))
# Waits for that moment (an evaluate, not Playwright's wait_for_function, which would need the 'unsafe-eval' the CSP
# forbids).
SEEN = """() => new Promise((resolve, reject) => {
  const until = performance.now() + 15000;
  const check = () => window.__signInVisibleAt !== undefined ? resolve(window.__signInVisibleAt)
    : performance.now() > until ? reject(new Error("no sign-in heading within 15 s")) : setTimeout(check, 5);
  check();
})"""


def gz(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def first_load_assets(index: str) -> set[str]:
    """What index.html makes the browser fetch before the app can run: its entry script, module preloads and styles
    (later chunks, such as the video SDK's, load only on their screen)."""
    return {Path(ref).name for ref in re.findall(r'(?:src|href)="(?:\./|/)?assets/([^"]+)"', index)}


def imports_of(path: Path) -> tuple[set[str], set[str]]:
    """The chunks a built script imports before it runs (`from"./x.js"`, `import"./x.js"`) and those it imports on
    demand (`import("./x.js")`)."""
    text = path.read_text()
    static = set(re.findall(r'(?:from|import)\s*["\']\./([\w.-]+\.js)["\']', text))
    lazy = set(re.findall(r'import\(\s*[`"\']\./([\w.-]+\.js)[`"\']\s*\)', text))
    return static, lazy


def reachable(assets: Path, roots: set[str], *, lazily: bool) -> set[str]:
    """`roots` and every chunk they import (before running only, or also on demand)."""
    found, pending = set(), list(roots)
    while pending:
        name = pending.pop()
        if name in found or not (assets / name).exists():
            continue
        found.add(name)
        if name.endswith(".js"):
            static, lazy = imports_of(assets / name)
            pending += [*static, *(lazy if lazily else ())]
    return found


def sizes() -> None:
    """Every script and style of the build, gzipped, by when it loads: at start (the main bundle, held to the budget),
    with the video room's SDK (vite.config.ts names its chunk chime-sdk-*; loaded when a nurse joins a Chime room,
    with what it imports on demand), or later (other screens' chunks)."""
    dist = console.DIST
    assets = dist / "assets"
    built = datetime.fromtimestamp((dist / "index.html").stat().st_mtime).astimezone()
    print(f"console/dist built {built:%Y-%m-%d %H:%M %Z}")
    start = reachable(assets, first_load_assets((dist / "index.html").read_text()), lazily=False)
    video_roots = {path.name for path in assets.glob("chime-sdk-*.js")}
    video = reachable(assets, video_roots, lazily=True) - start
    rows = []
    for path in sorted(assets.iterdir()):
        if path.suffix in {".js", ".css"}:
            when = "at start" if path.name in start else "video SDK" if path.name in video else "later"
            rows.append((path, path.stat().st_size, gz(path), when))
    print(f"  {'asset':34} {'raw':>9} {'gzip -9':>9}  loaded")
    for path, raw, zipped, when in rows:
        print(f"  {path.name:34} {raw / 1024:7.1f} KB {zipped / 1024:7.1f} KB  {when}")

    def kb(names: set[str]) -> float:
        return sum(zipped for path, _, zipped, _ in rows if path.name in names) / 1024

    scripts = {p.name for p, *_ in rows if p.suffix == ".js"}
    main_js = kb(start & scripts)
    print(f"  main bundle JS gzipped (at start):      {main_js:6.1f} KB   x{main_js * 1024 / JS_BUDGET:.2f} of the "
          f"150 KB budget (before the video SDK)")
    if video_roots:
        on_demand = video - video_roots
        print(f"  video SDK chunk JS gzipped (on join):   {kb(video_roots):6.1f} KB   {', '.join(sorted(video_roots))}"
              + (f"; +{kb(on_demand):.1f} KB it may import later ({', '.join(sorted(on_demand))})" if on_demand else ""))
    else:
        print("  video SDK chunk: none found (chime-sdk-*.js)")
    later = scripts - start - video
    if later:
        print(f"  other screens' JS gzipped (later):      {kb(later):6.1f} KB")
    styles = {p.name for p, *_ in rows if p.suffix == ".css"}
    print(f"  CSS gzipped:                            {kb(start & styles):6.1f} KB at start, {kb(styles):6.1f} KB in all")


def first_screen(runs: int) -> None:
    from playwright.sync_api import sync_playwright

    # Nothing listens on these: the sign-in screen needs only the files and /config.json.
    state = StackState(dynamodb_endpoint=f"http://127.0.0.1:{free_port()}",
                       moto_endpoint=f"http://127.0.0.1:{free_port()}", user_pool_id="us-east-1_bench",
                       app_client_id="bench", api_url=f"http://127.0.0.1:{free_port()}")
    server = console.serve(state, free_port())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    in_page, outside, paints, problems = [], [], [], []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for run in range(runs + 1):  # the first warms the browser process up and is not counted
                context = browser.new_context(locale="es-MX", timezone_id="America/Mexico_City",
                                              viewport={"width": 1024, "height": 768})
                context.add_init_script(WATCH)
                page = context.new_page()
                page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
                page.on("pageerror", lambda error: problems.append(str(error)))
                started = time.perf_counter()
                page.goto(url, wait_until="commit")
                visible = page.evaluate(SEEN)
                waited = (time.perf_counter() - started) * 1000
                fcp = page.evaluate(
                    "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null")
                context.close()
                if run:
                    in_page.append(visible)
                    outside.append(waited)
                    if fcp is not None:
                        paints.append(fcp)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    median = statistics.median(in_page)
    print(f"first screen (sign-in heading visible), {runs} fresh contexts, headless Chromium on loopback")
    print(f"  from navigation start (page clock)  median {median:6.1f} ms   min {min(in_page):6.1f}   "
          f"max {max(in_page):6.1f}   x{median / FIRST_SCREEN_BUDGET_MS:.2f} of the 1 s budget")
    if paints:
        print(f"  first contentful paint              median {statistics.median(paints):6.1f} ms")
    print(f"  as the driver waits (goto → seen)   median {statistics.median(outside):6.1f} ms")
    if problems:
        print(f"  page problems: {sorted(set(problems))[:3]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    if not console.built():
        sys.exit("The console is not built: run `make console`.")
    sizes()
    first_screen(args.runs)


if __name__ == "__main__":
    main()
