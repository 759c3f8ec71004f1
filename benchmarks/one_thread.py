"""One BLAS thread in every benchmark: each script imports this first, before numpy or torch.

numpy's BLAS (OpenBLAS, MKL) and torch start one thread per core by default. On a shared
2-core machine, where other work takes the cores at random moments, those threads make
numpy's and torch's times vary 10-100x from run to run, and a process's CPU time adds up
all its threads. On one thread each, like the engine, the figures are comparable.
The libraries read the variables below when they load, hence first; a value you set
yourself is kept (setdefault), and threads() says what actually runs.
"""
import os
import sys

VARIABLES = ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'VECLIB_MAXIMUM_THREADS')

for _var in VARIABLES:
    os.environ.setdefault(_var, '1')

if 'numpy' in sys.modules:       # loaded before us: its BLAS has started its threads, so limit them now
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(limits=int(os.environ['OPENBLAS_NUM_THREADS']))
    except ImportError:
        pass


def import_torch():
    """torch with torch.set_num_threads(1) (OMP_NUM_THREADS=1 already gives it one thread
    where torch loads after this module; this also covers a torch loaded earlier)."""
    import torch
    torch.set_num_threads(1)
    return torch


def counts():
    """{library: its number of threads}: the BLAS and OpenMP libraries loaded so far (by
    threadpoolctl, where installed), and torch's intra-op threads where torch is loaded."""
    found = {}
    if 'numpy' in sys.modules or 'torch' in sys.modules:
        try:
            from threadpoolctl import threadpool_info
            for lib in threadpool_info():
                found['%s (%s)' % (lib['internal_api'], lib['prefix'])] = lib['num_threads']
        except ImportError:
            pass
    if 'torch' in sys.modules:
        found['torch'] = sys.modules['torch'].get_num_threads()
    return found


def threads():
    """one line to print: 'one thread: ...', or 'NOT one thread: ...' naming what runs more."""
    found = counts()
    more = {name: n for name, n in found.items() if n != 1}
    shown = ', '.join('%s %d' % item for item in found.items()) or 'no BLAS loaded yet'
    variables = ' '.join('%s=%s' % (v, os.environ.get(v)) for v in VARIABLES[:3])
    if more or any(os.environ.get(v) != '1' for v in VARIABLES[:3]):
        return "NOT one thread: %s; %s (see benchmarks/one_thread.py)" % (shown, variables)
    return "one thread: %s; %s" % (shown, variables)
