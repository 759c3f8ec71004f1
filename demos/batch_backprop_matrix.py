"""Batch backprop in matrix form, as Batch in Backpropagation writes it, checked against the engine.

A 2-layer network, sigmoid hidden layer and softmax output, with cross-entropy
averaged over a batch of m samples. The engine backpropagates through every
scalar, and nn.batch_view reads its per-layer vectors off the graph; the
article's formulas do it with matrices, a column per sample:
    DZ = P - Y,   DW = (1/m) DZ . H^T,   Db = the mean of the columns of DZ
and, one layer down, DZ1 = (W2^T . DZ) * H (1 - H),  DW1 = (1/m) DZ1 . X^T.
The layer view's δ's are those of Loss^learning = loss_i / m, so m times its
∂Loss^learning/∂z at the output is the article's DZ = P - Y.
"""
import math
import random

import nn

from .common import table


def matmul(A, B):
    return [[sum(a * b for a, b in zip(row, col)) for col in zip(*B)] for row in A]


def transpose(A):
    return [list(r) for r in zip(*A)]


def matrix_gradients(W1, b1, W2, b2, X, labels):
    """the article's batch formulas, in plain Python lists (columns are samples)."""
    m = len(labels)
    Xc = transpose(X)                                                        # n x m
    Z1 = [[z + b for z in row] for row, b in zip(matmul(W1, Xc), b1)]
    H = [[1 / (1 + math.exp(-z)) for z in row] for row in Z1]               # h x m
    Z2 = [[z + b for z in row] for row, b in zip(matmul(W2, H), b2)]
    P = []
    for col in transpose(Z2):                                                # softmax of each column
        top = max(col)
        e = [math.exp(z - top) for z in col]
        P.append([v / sum(e) for v in e])
    P = transpose(P)                                                         # k x m
    Y = [[1.0 if labels[j] == i else 0.0 for j in range(m)] for i in range(len(W2))]
    DZ2 = [[p - y for p, y in zip(pr, yr)] for pr, yr in zip(P, Y)]
    DW2 = [[v / m for v in row] for row in matmul(DZ2, transpose(H))]
    Db2 = [sum(row) / m for row in DZ2]
    dH = matmul(transpose(W2), DZ2)
    DZ1 = [[d * h * (1 - h) for d, h in zip(dr, hr)] for dr, hr in zip(dH, H)]
    DW1 = [[v / m for v in row] for row in matmul(DZ1, X)]
    Db1 = [sum(row) / m for row in DZ1]
    return DZ2, DW1, Db1, DW2, Db2


def main(out=None, n=3, hidden=4, classes=3, m=5, seed=0):
    print(__doc__.strip().splitlines()[0])
    rng = random.Random(seed)
    X = [[rng.uniform(-2, 2) for _ in range(n)] for _ in range(m)]
    labels = [rng.randrange(classes) for _ in range(m)]
    model = nn.MLP(n, [hidden, classes], activation='sigmoid', seed=seed)   # the output layer is linear
    for p in model.parameters():
        p.data = rng.uniform(-1, 1)                                          # biases too, so Db is not trivial
    batch = nn.batch_view(model, nn.cross_entropy, X, labels)

    layer1, layer2 = model.layers
    W1 = [[w.data for w in neuron.w] for neuron in layer1.neurons]
    b1 = [neuron.b.data for neuron in layer1.neurons]
    W2 = [[w.data for w in neuron.w] for neuron in layer2.neurons]
    b2 = [neuron.b.data for neuron in layer2.neurons]
    DZ2, DW1, Db1, DW2, Db2 = matrix_gradients(W1, b1, W2, b2, X, labels)

    print("batch of m = %d, Loss^avg = %.6f" % (m, batch.loss_avg))
    # DZ at the output: the layer view's per-sample δ (one column per sample), times m
    dz_rows = [("DZ2[%d][%d]" % (i, j), m * batch.layers[1].dz[j][i], DZ2[i][j])
               for i in range(classes) for j in range(m)]
    print("\nThe output layer's DZ = P - Y, a column per sample")
    print(table(["entry", "m * layer view's ∂Loss^learning/∂z", "P - Y", "|difference|"],
                [(name, "%+.15f" % e, "%+.15f" % mtx, "%.1e" % abs(e - mtx)) for name, e, mtx in dz_rows]))
    rows = []
    for name, numbers, DW, Db in (("1", batch.layers[0], DW1, Db1), ("2", batch.layers[1], DW2, Db2)):
        for i, (dw, db) in enumerate(zip(numbers.dW, numbers.db)):
            for j, g in enumerate(dw):
                rows.append(("W%s[%d][%d]" % (name, i, j), g, DW[i][j]))
            rows.append(("b%s[%d]" % (name, i), db, Db[i]))
    print("\nDW = (1/m) DZ . H^T and Db, beside the layer view's sums over the batch")
    print(table(["parameter", "layer view: sum of ∂Loss^learning/∂W", "matrix formula", "|difference|"],
                [(name, "%+.15f" % e, "%+.15f" % mtx, "%.1e" % abs(e - mtx)) for name, e, mtx in rows]))
    worst = max(abs(e - mtx) for _, e, mtx in rows + dz_rows)
    print("largest absolute difference: %.2e" % worst)
    return dict(rows=rows, dz_rows=dz_rows, max_difference=worst)


if __name__ == '__main__':
    main()
