"""Real headless Chromium for the tests of pages: one browser per test module, pages opened
with the network refused (every request but the file itself is aborted and noted) and
page errors recorded. `./run tests` installs Chromium, so these tests do not skip there."""
import shutil

import pytest

CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')


@pytest.fixture(scope='module')
def browser():
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=['--no-sandbox', '--disable-gpu'])
        yield b
        b.close()


def open_page(browser, path, width=1280, height=800):
    """(page, requests refused, page errors) for the file at `path`."""
    page = browser.new_page(viewport={'width': width, 'height': height})
    requests, errors = [], []
    page.on('pageerror', lambda e: errors.append(str(e)))
    page.route('**/*', lambda route: route.continue_() if route.request.url.startswith('file:')
               else (requests.append(route.request.url), route.abort()))
    page.goto('file://' + path)
    return page, requests, errors
