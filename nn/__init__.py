"""Neural networks on the autograd engine: modules, losses, optimizers, the trainer, the layer view."""
from autograd import __version__

from .layers import MLP, Layer, Neuron
from .layerview import BatchView, LayerView, batch_view, layer_view
from .losses import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy,
                     half_squared_error, hinge, softmax, squared_error)
from .module import Module
from .optim import SGD, Adam
from .pytorch import from_torch, to_torch
from .trainer import History, Step, Trainer
from .matrix import MatrixModeError
from .lesson import lesson
from .sample_graph import SampleGraph, sample_graph
from . import data

__all__ = ['Module', 'Neuron', 'Layer', 'MLP', 'half_squared_error', 'squared_error',
           'binary_cross_entropy', 'binary_cross_entropy_with_logits', 'softmax', 'cross_entropy',
           'hinge', 'to_torch', 'from_torch', 'SGD', 'Adam', 'Trainer', 'History', 'Step', 'layer_view', 'batch_view', 'LayerView',
           'BatchView', 'MatrixModeError', 'lesson', 'sample_graph', 'SampleGraph', 'data', '__version__']
