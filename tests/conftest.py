import os
import sys

# the project root, so that `import autograd` works without installing
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
