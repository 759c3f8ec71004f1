"""The README's REPL session is run as a doctest, so its printed outputs stay true."""
import doctest
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_readme_session_prints_what_it_says():
    text = open(os.path.join(ROOT, 'README.md'), encoding='utf-8').read()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks, "the README has no python session"
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for i, block in enumerate(blocks):
        test = parser.get_doctest(block, {}, 'README block %d' % i, 'README.md', 0)
        assert test.examples
        runner.run(test)
    assert runner.failures == 0


def test_docstring_examples():
    import autograd
    import autograd.value
    modules = [autograd, autograd.value]
    try:
        import autograd.lanes
        modules.append(autograd.lanes)
    except ImportError:          # no numpy: no lanes
        pass
    for module in modules:
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0


def test_the_readme_names_the_articles_by_title_not_by_file():
    """users have no seed files: an article is cited by its title, and the README lists them all."""
    text = open(os.path.join(ROOT, 'README.md'), encoding='utf-8').read()
    citations = re.findall(r"[Ss]eeds? ?0\d\d|(?<![\d.,])\b00[0-4](?:'s|:|,| prints)|seeds'? README|shared/seeds|errata", text)
    assert not citations
    articles = text.split('\n## The articles\n', 1)[1].split('\n## ', 1)[0]
    for title in ("Recapitulation for the Learning Process", "The Gradient Descent Algorithm", "Batch Learning",
                  "Deep Learning - Batch Gradient Descent", "Batch in Backpropagation"):
        assert "\n| %s | " % title in articles, title
