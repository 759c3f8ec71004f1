"""The demos: `python -m demos` runs them all, `python -m demos NAME` one, `--list` lists them."""
