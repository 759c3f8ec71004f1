/* Training over time (nn/timeline.py's data): a slider over the epochs, the loss curve
   (and accuracy where there are classes) with a marker at the slider's epoch, and for
   2-D inputs the decision boundary after that epoch. Plain JS and SVG, no library.

     const view = Timeline.mount(container, data, onEpoch, {epoch: E});
     // onEpoch(e, data.params[e]) on every change of epoch (not on mount);
     // view.setEpoch(e), view.epoch(), view.destroy()

   The epoch axis runs 0..E: epoch e's point is History.epoch_loss[e - 1], the mean loss
   over epoch e (each sample's loss taken before its own step); the weights and the
   boundary at slider position e are those after epoch e (0: before training). */
(function () {
  'use strict';
  const SVG = 'http://www.w3.org/2000/svg';
  // class colours: orange and blue first (TensorFlow Playground's), then distinct hues
  const PALETTE = ['#e8710a', '#1a73e8', '#188038', '#c5221f', '#9334e6', '#795548', '#e52592',
                   '#5f6368', '#12b5cb', '#f9ab00'];
  const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

  function el(tag, attrs, parent, text) {
    const node = tag.startsWith('html:') ? document.createElement(tag.slice(5)) : document.createElementNS(SVG, tag);
    for (const k in attrs || {}) node.setAttribute(k, attrs[k]);
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  function niceStep(span, count) {          // 1, 2 or 5 times a power of ten, about span / count
    const raw = span / Math.max(1, count), p = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / p;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
  }

  function ticks(lo, hi, count) {
    const step = niceStep(hi - lo, count), out = [];
    for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) out.push(+t.toPrecision(12));
    return out;
  }

  function fmt(v) {
    if (v === null || v === undefined) return '–';
    const a = Math.abs(v);
    return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : +v.toPrecision(4) + '';
  }

  function tint(hex, a) {       // hex mixed with white: a = 0 white, 1 the colour (opaque, so cells never overlap darker)
    const n = parseInt(hex.slice(1), 16), mix = v => Math.round(255 - (255 - v) * a);
    return 'rgb(' + mix(n >> 16) + ',' + mix((n >> 8) & 255) + ',' + mix(n & 255) + ')';
  }

  function classColour(b, label) {
    const k = b.classes.indexOf(label);
    return PALETTE[(k < 0 ? 0 : k) % PALETTE.length];
  }

  /* one output: a cell's class by the Trainer's rule, and how sure (0..1, for its opacity) */
  function cellClass(b, v) {
    if (b.outputs > 1) return [v, 1];
    const cls = b.signed ? (v > 0 ? 1 : -1) : (v >= 0.5 ? 1 : 0);
    return [cls, Math.tanh(Math.abs(v - b.threshold) / 0.5)];
  }

  function mount(container, data, onEpoch, options) {
    options = options || {};
    const E = data.epochs;
    let epoch = Math.max(0, Math.min(E, options.epoch === undefined ? E : options.epoch));
    const root = el('html:div', {class: 'timeline'}, container);
    root.style.font = FONT;
    root.style.color = '#202124';

    // ------------------------------------------------------------ the slider
    const bar = el('html:div', {class: 'timeline-bar'}, root);
    bar.style.cssText = 'display:flex;align-items:center;gap:8px;flex-wrap:wrap;margin:4px 0 6px';
    const back = el('html:button', {type: 'button', 'aria-label': 'previous epoch', title: 'previous epoch'}, bar, '◀');
    const slider = el('html:input', {type: 'range', min: 0, max: E, step: 1, value: epoch,
                                     'aria-label': 'epoch', class: 'timeline-slider'}, bar);
    slider.style.cssText = 'flex:1 1 200px;min-width:160px';
    const next = el('html:button', {type: 'button', 'aria-label': 'next epoch', title: 'next epoch'}, bar, '▶');
    for (const b of [back, next]) b.style.cssText = 'font:13px system-ui,sans-serif;padding:2px 8px;cursor:pointer';
    const label = el('html:span', {class: 'timeline-epoch'}, bar);
    label.style.cssText = 'font-size:13px;font-weight:600;min-width:12em';
    if (E === 0) slider.disabled = back.disabled = next.disabled = true;
    const status = el('html:div', {class: 'timeline-status'}, root);
    status.style.cssText = 'font-size:13px;margin:0 0 6px;min-height:1.3em';

    const panels = el('html:div', {class: 'timeline-panels'}, root);
    panels.style.cssText = 'display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start';
    const chartBox = el('html:div', {class: 'timeline-charts'}, panels);
    const boundaryBox = data.boundary ? el('html:div', {class: 'timeline-boundary'}, panels) : null;

    let chart = null, plane = null;

    // ------------------------------------------------------------ the curves
    function drawCharts(width) {
      chartBox.textContent = '';
      const m = {left: 54, right: 14, top: 22, bottom: 34}, panelH = 150, accH = data.accuracy ? 120 : 0;
      const height = E === 0 ? 40 : panelH + (accH ? accH + 10 : 0);
      const svg = el('svg', {width: width, height: height, class: 'timeline-curves', role: 'img',
                             'aria-label': 'loss per epoch'}, chartBox);
      svg.style.display = 'block';
      if (E === 0) {
        el('text', {x: 0, y: 24, 'font-size': 13, fill: '#5f6368'}, svg, 'no training recorded (epochs = 0)');
        return {svg: svg, update: function () {}};
      }
      const x0 = 0, x1 = E, plotW = width - m.left - m.right;
      const px = e => m.left + (e - x0) / (x1 - x0) * plotW;
      const xt = ticks(0, E, Math.max(2, Math.floor(plotW / 70))).filter(t => Number.isInteger(t));
      const parts = [];

      function panel(top, h, values, lo, hi, title, cls, percent) {
        const g = el('g', {class: cls}, svg), plotH = h - m.top - m.bottom;
        const py = v => top + m.top + (hi - v) / (hi - lo) * plotH;
        el('text', {x: m.left, y: top + 15, 'font-size': 13, 'font-weight': 600, fill: '#202124'}, g, title);
        for (const t of ticks(lo, hi, Math.max(2, Math.floor(plotH / 28)))) {
          el('line', {x1: m.left, x2: m.left + plotW, y1: py(t), y2: py(t), stroke: '#e8eaed'}, g);
          el('text', {x: m.left - 6, y: py(t) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#5f6368'}, g,
             percent ? Math.round(t * 100) + '%' : fmt(t));
        }
        for (const t of xt) {
          el('line', {x1: px(t), x2: px(t), y1: top + m.top + plotH, y2: top + m.top + plotH + 4, stroke: '#80868b'}, g);
          el('text', {x: px(t), y: top + m.top + plotH + 16, 'text-anchor': 'middle', 'font-size': 11, fill: '#5f6368'},
             g, String(t));
        }
        el('text', {x: m.left + plotW, y: top + m.top + plotH + 30, 'text-anchor': 'end', 'font-size': 11,
                    fill: '#5f6368'}, g, 'epoch');
        el('rect', {x: m.left, y: top + m.top, width: plotW, height: plotH, fill: 'none', stroke: '#bdc1c6'}, g);
        const points = values.map((v, i) => px(i + 1).toFixed(3) + ',' + py(v).toFixed(3)).join(' ');
        // the mapping, for whoever reads the curve back: px = a + (v - lo) / (hi - lo) * (b - a)
        el('polyline', {points: points, fill: 'none', stroke: percent ? '#188038' : '#1a73e8', 'stroke-width': 2,
                        'stroke-linejoin': 'round', class: cls + '-curve',
                        'data-x': [x0, x1, m.left, m.left + plotW].join(' '),
                        'data-y': [lo, hi, top + m.top + plotH, top + m.top].join(' ')}, g);
        if (values.length === 1) el('circle', {cx: px(1), cy: py(values[0]), r: 3, fill: '#1a73e8'}, g);
        const line = el('line', {y1: top + m.top, y2: top + m.top + plotH, stroke: '#d93025', 'stroke-width': 1.5,
                                 class: cls + '-marker'}, g);
        const dot = el('circle', {r: 5, fill: '#d93025', stroke: 'white', 'stroke-width': 1.5, class: cls + '-dot'}, g);
        parts.push(function (e) {
          line.setAttribute('x1', px(e)); line.setAttribute('x2', px(e));
          dot.style.display = e >= 1 ? '' : 'none';
          if (e >= 1) { dot.setAttribute('cx', px(e)); dot.setAttribute('cy', py(values[e - 1])); }
        });
      }

      let lo = Math.min(0, ...data.loss), hi = Math.max(...data.loss);
      if (!(hi > lo)) hi = lo + 1;
      hi = Math.ceil(hi / niceStep(hi - lo, 4)) * niceStep(hi - lo, 4);
      panel(0, panelH, data.loss, lo, hi, 'Loss (mean over each epoch)', 'loss', false);
      if (accH) panel(panelH + 10, accH, data.accuracy, 0, 1, 'Accuracy on the training data', 'accuracy', true);
      return {svg: svg, update: e => parts.forEach(f => f(e))};
    }

    // ------------------------------------------------------------ the decision boundary
    function drawPlane(width) {
      boundaryBox.textContent = '';
      const b = data.boundary, m = {left: 34, right: 10, top: 24, bottom: 30};
      const spanX = b.x[1] - b.x[0], spanY = b.y[1] - b.y[0];
      const scale = Math.min((width - m.left - m.right) / spanX, 340 / spanY);
      const w = spanX * scale, h = spanY * scale, cw = w / b.nx, ch = h / b.ny;
      const svg = el('svg', {width: m.left + w + m.right, height: m.top + h + m.bottom, class: 'timeline-plane',
                             role: 'img', 'aria-label': 'decision boundary'}, boundaryBox);
      svg.style.display = 'block';
      const title = el('text', {x: m.left, y: 15, 'font-size': 13, 'font-weight': 600}, svg);
      const sx = v => m.left + (v - b.x[0]) * scale, sy = v => m.top + (b.y[1] - v) * scale;
      const cells = el('g', {class: 'cells', 'shape-rendering': 'crispEdges'}, svg), rects = [];
      for (let r = 0; r < b.ny; r++)
        for (let c = 0; c < b.nx; c++)     // a hair larger than the cell, so no seams show between them
          rects.push(el('rect', {x: (m.left + c * cw).toFixed(2), y: (m.top + r * ch).toFixed(2),
                                 width: (cw + 0.6).toFixed(2), height: (ch + 0.6).toFixed(2)}, cells));
      const edge = el('path', {fill: 'none', stroke: '#202124', 'stroke-width': 1.6, class: 'edge',
                               'stroke-linecap': 'round'}, svg);
      el('rect', {x: m.left, y: m.top, width: w, height: h, fill: 'none', stroke: '#80868b'}, svg);
      for (const [axis, lo, hi] of [['x', b.x[0], b.x[1]], ['y', b.y[0], b.y[1]]]) {
        for (const t of ticks(lo, hi, Math.max(2, Math.floor((axis === 'x' ? w : h) / 60)))) {
          const attrs = axis === 'x' ? {x: sx(t), y: m.top + h + 14, 'text-anchor': 'middle'}
                                     : {x: m.left - 5, y: sy(t) + 4, 'text-anchor': 'end'};
          el('text', Object.assign(attrs, {'font-size': 11, fill: '#5f6368'}), svg, fmt(t));
        }
      }
      el('text', {x: m.left + w, y: m.top + h + 27, 'text-anchor': 'end', 'font-size': 11, fill: '#5f6368'}, svg, 'x1');
      el('text', {x: 4, y: m.top + 10, 'font-size': 11, fill: '#5f6368'}, svg, 'x2');
      const points = el('g', {class: 'points'}, svg);
      for (const [x, y, label] of b.points)
        el('circle', {cx: sx(x).toFixed(2), cy: sy(y).toFixed(2), r: 4, fill: classColour(b, label),
                      stroke: 'white', 'stroke-width': 1.2, 'data-label': label}, points);
      const legend = el('html:div', {class: 'timeline-legend'}, boundaryBox);
      legend.style.cssText = 'font-size:12px;color:#3c4043;max-width:' + Math.max(240, m.left + w + m.right) + 'px';
      legend.innerHTML = b.classes.map(k => '<span style="white-space:nowrap;margin-right:10px">' +
        '<span style="display:inline-block;width:10px;height:10px;border-radius:5px;vertical-align:-1px;background:' +
        classColour(b, k) + '"></span> class ' + k + '</span>').join('') +
        '<div style="margin-top:2px"></div>';
      legend.lastChild.textContent = 'Shaded by the model\'s class; ' + b.rule + '.';

      // several outputs (a class per cell): the boundary is the sides between cells of different classes
      function steps(cls) {
        let d = '';
        for (let r = 0; r < b.ny; r++)
          for (let c = 0; c < b.nx; c++) {
            const i = r * b.nx + c, x = m.left + (c + 1) * cw, y = m.top + (r + 1) * ch;
            if (c + 1 < b.nx && cls[i] !== cls[i + 1])
              d += 'M' + x.toFixed(1) + ' ' + (y - ch).toFixed(1) + 'V' + y.toFixed(1);
            if (r + 1 < b.ny && cls[i] !== cls[i + b.nx])
              d += 'M' + (x - cw).toFixed(1) + ' ' + y.toFixed(1) + 'H' + x.toFixed(1);
          }
        return d;
      }

      // one output: the line where it crosses the threshold, between the cells' centres (marching
      // squares: on each side of a square of four centres whose ends differ in class, the crossing
      // is placed by linear interpolation)
      function contour(grid, cls) {
        const t = b.threshold, cx = c => m.left + (c + 0.5) * cw, cy = r => m.top + (r + 0.5) * ch;
        let d = '';
        for (let r = 0; r + 1 < b.ny; r++)
          for (let c = 0; c + 1 < b.nx; c++) {
            // corners clockwise from the top left; a side k joins corner k and corner k + 1
            const at = [[r, c], [r, c + 1], [r + 1, c + 1], [r + 1, c]], idx = at.map(([i, j]) => i * b.nx + j);
            const k = idx.map(i => cls[i]);
            if (k[0] === k[1] && k[1] === k[2] && k[2] === k[3]) continue;
            const cross = side => {
              const a = side, z = (side + 1) % 4, va = grid[idx[a]], vz = grid[idx[z]];
              const f = vz !== va ? Math.min(1, Math.max(0, (t - va) / (vz - va))) : 0.5;
              return [cx(at[a][1] + f * (at[z][1] - at[a][1])), cy(at[a][0] + f * (at[z][0] - at[a][0]))];
            };
            const crossed = [0, 1, 2, 3].filter(s => k[s] !== k[(s + 1) % 4]);
            let pairs = [crossed];
            if (crossed.length === 4) {        // a saddle: the centre's class says which corners to cut off
              const centre = cellClass(b, (grid[idx[0]] + grid[idx[1]] + grid[idx[2]] + grid[idx[3]]) / 4)[0];
              pairs = centre === k[0] ? [[0, 1], [2, 3]] : [[3, 0], [1, 2]];
            }
            for (const [s1, s2] of pairs) {
              const p = cross(s1), q = cross(s2);
              d += 'M' + p[0].toFixed(1) + ' ' + p[1].toFixed(1) + 'L' + q[0].toFixed(1) + ' ' + q[1].toFixed(1);
            }
          }
        return d;
      }

      function update(e) {
        const grid = b.grids[e], cls = new Array(grid.length);
        title.textContent = e === 0 ? 'Decision boundary before training' : 'Decision boundary after epoch ' + e;
        for (let i = 0; i < grid.length; i++) {
          const [k, sure] = cellClass(b, grid[i]);
          cls[i] = k;
          rects[i].setAttribute('fill', tint(classColour(b, k), 0.1 + 0.45 * sure));
          rects[i].setAttribute('data-class', k);
        }
        edge.setAttribute('d', b.outputs > 1 ? steps(cls) : contour(grid, cls));
        cells.setAttribute('data-epoch', e);
      }
      return {svg: svg, update: update};
    }

    // ------------------------------------------------------------ layout and state
    function layout() {
      const width = Math.max(320, container.clientWidth || 640);
      const side = data.boundary && width >= 760;      // side by side where both fit, else one above the other
      const chartW = side ? Math.floor(width * 0.5) : width;
      chart = drawCharts(Math.min(chartW, 720));
      plane = data.boundary ? drawPlane(side ? width - chartW - 12 : Math.min(width, 560)) : null;
      show(epoch);
    }

    function show(e) {
      label.textContent = e === 0 ? 'before training (epoch 0 of ' + E + ')' : 'after epoch ' + e + ' of ' + E;
      slider.value = e;
      slider.setAttribute('aria-valuetext', label.textContent);
      back.disabled = E === 0 || e === 0;
      next.disabled = E === 0 || e === E;
      let text = e === 0 ? 'the starting weights' : 'epoch ' + e + ': mean loss ' + fmt(data.loss[e - 1]);
      if (e >= 1 && data.accuracy) text += ' · accuracy ' + (100 * data.accuracy[e - 1]).toFixed(1) + '%';
      status.textContent = text + ' · ' + data.mode + ' mode' + (data.optimizer ? ', ' + data.optimizer : '');
      chart.update(e);
      if (plane) plane.update(e);
    }

    function setEpoch(e) {
      e = Math.max(0, Math.min(E, Math.round(+e)));
      if (e === epoch || isNaN(e)) return;
      epoch = e;
      show(e);
      if (onEpoch) onEpoch(e, data.params[e]);
    }

    slider.addEventListener('input', () => setEpoch(+slider.value));
    back.addEventListener('click', () => setEpoch(epoch - 1));
    next.addEventListener('click', () => setEpoch(epoch + 1));
    layout();
    let observer = null;
    if (window.ResizeObserver) {
      let lastWidth = container.clientWidth;
      observer = new ResizeObserver(() => {
        if (container.clientWidth !== lastWidth) { lastWidth = container.clientWidth; layout(); }
      });
      observer.observe(container);
    }
    return {
      setEpoch: setEpoch,
      epoch: () => epoch,
      destroy: () => { if (observer) observer.disconnect(); root.remove(); }
    };
  }

  window.Timeline = {mount: mount};
})();
