"""The flip-book: its files, and a real headless Chromium pressing Next."""
import os
import re
import shutil

import pytest

from autograd import Value, flipbook, step

pytestmark = pytest.mark.skipif(shutil.which('dot') is None, reason="the Graphviz dot program is not installed")
CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')


def example():
    a, b = Value(2.0, 'a'), Value(-3.0, 'b')
    c = a * b; c.label = 'c'
    L = (c + a).tanh(); L.label = 'L'
    return L


def test_flipbook_files(tmp_path):
    L = example()
    page = flipbook(L, str(tmp_path / 'fb'))
    n = len(step(L))
    files = sorted(os.listdir(tmp_path / 'fb'))
    assert files == ['index.html'] + ['step_%03d.svg' % k for k in range(n + 1)]
    html = open(page, encoding='utf-8').read()
    assert html.count('<svg') == n + 1                      # every picture inline: one file works offline
    assert not re.search(r'(src|href)\s*=\s*["\']?https?:', html)


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_browser_presses_next_and_sees_the_step_change(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    page_path = flipbook(example(), str(tmp_path / 'fb'))
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
            '--disable-component-update', '--disable-sync'])
        try:
            page = browser.new_page()
            page.goto('file://' + page_path)
            assert page.inner_text('#counter') == 'step 0 of 5'
            assert page.inner_text('#equation') == 'start: dL/dL = 1'
            page.click('#next')
            assert page.inner_text('#counter') == 'step 1 of 5'
            assert page.inner_text('#equation').startswith('dL/dn3 += dL/dn3 * dL/dL')
            page.keyboard.press('ArrowRight')
            assert page.inner_text('#counter') == 'step 2 of 5'
            page.keyboard.press('ArrowLeft')
            page.click('#prev')
            assert page.inner_text('#counter') == 'step 0 of 5'
            assert page.locator('#picture svg').count() == 1
        finally:
            browser.close()
