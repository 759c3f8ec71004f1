"""The flip-book: its files, and a real headless Chromium pressing Next."""
import json
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
    assert [n.grad for n in (L, L.parents[0])] == [0, 0]      # every .grad left as it was
    n = len(step(L))
    files = sorted(os.listdir(tmp_path / 'fb'))
    assert files == ['index.html'] + ['step_%03d.svg' % k for k in range(n + 1)]
    html = open(page, encoding='utf-8').read()
    frames = json.loads(html.split('const frames = ')[1].split(';\n')[0])
    assert sum(f['svg'].startswith('<svg') for f in frames) == n + 1    # every picture inline: works offline
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
            assert page.inner_text('#equation') == 'step 0 of 5, at the start: L.grad = 1'
            page.click('#next')
            assert page.inner_text('#counter') == 'step 1 of 5'
            # L = tanh(t1), t1 = c + a: the unlabelled sum is t1, the first result without a label
            assert page.inner_text('#equation').startswith('t1.grad += ∂L/∂t1 · L.grad')
            page.keyboard.press('ArrowRight')
            assert page.inner_text('#counter') == 'step 2 of 5'
            page.keyboard.press('ArrowLeft')
            page.click('#prev')
            assert page.inner_text('#counter') == 'step 0 of 5'
            assert page.locator('#picture svg').count() == 1
        finally:
            browser.close()


def test_a_label_cannot_break_out_of_the_script(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed")
    a = Value(2.0, '<!--<script>'); b = Value(1.0, '</script><b>x</b>&amp;')
    L = a * b; L.label = 'L'
    page_path = flipbook(L, str(tmp_path / 'fb'))
    text = open(page_path, encoding='utf-8').read()
    script = text[text.index('<script>') + 8:text.rindex('</script>')]
    assert '<' not in script.split('const frames = ')[1].split(';\n')[0]
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=['--no-sandbox', '--disable-gpu'])
        try:
            page = browser.new_page()
            page.goto('file://' + page_path)
            assert page.inner_text('#counter') == 'step 0 of 2'       # the script ran
            page.click('#next')
            assert '<!--<script>' in page.inner_text('#equation') or '</script>' in page.inner_text('#equation')
        finally:
            browser.close()


def test_too_many_steps_are_refused_before_any_file_is_written(tmp_path):
    x = Value(1.0, 'x')
    y = x
    for _ in range(300):
        y = y * 1.0
    with pytest.raises(ValueError, match=r"flipbook: this backward pass has 300 steps, more than max_steps=200"):
        flipbook(y, str(tmp_path / 'fb'))
    assert not os.path.exists(tmp_path / 'fb') and x.grad == 0
