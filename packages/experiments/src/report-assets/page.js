/* report.html page script: builds the tables, charts (Vega-Lite through vega-embed) and the
   sample browser from the JSON embedded in the page. No network: every library is inlined. */
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const views = {};
  const pending = [];
  const report = (window.__report = { data: data, views: views, ready: null });

  function el(tag, attrs, children) {
    const e = document.createElement(tag);
    for (const k in attrs || {}) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'className') e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    (children || []).forEach(function (c) { e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  function fmt(v) { return v === null || v === undefined ? '—' : Number(v).toFixed(4); }
  function cellText(c) {
    if (!c || c.mean === null) return '—';
    if (c.std !== null) return fmt(c.mean) + ' ± ' + fmt(c.std);
    if (c.stderr !== null) return fmt(c.mean) + ' ± ' + fmt(c.stderr);
    return fmt(c.mean);
  }
  function errOf(c) { return c ? (c.std !== null ? c.std : c.stderr !== null ? c.stderr : 0) : 0; }
  function colById(id) { return data.columns.filter(function (c) { return c.id === id; })[0]; }
  function embed(id, spec) {
    const target = document.getElementById(id);
    const p = vegaEmbed(target, spec, { renderer: 'svg', actions: false }).then(function (res) { views[id] = res.view; });
    pending.push(p);
    return p;
  }

  document.getElementById('title').textContent = data.title;
  document.getElementById('generated').textContent = 'generated ' + data.generated + ' · ' + data.rows.length + ' experiment(s), ' + data.runs.length + ' run(s)';

  // ---- leaderboard (click a header to sort)
  let sortCol = data.main, sortDir = -1;
  const mainCol = colById(data.main);
  if (mainCol && mainCol.higherIsBetter === false) sortDir = 1;
  function renderTable() {
    const table = document.getElementById('leaderboard');
    table.innerHTML = '';
    const head = el('tr', {}, [el('th', { className: 'name', text: '#' }), el('th', { className: 'name', 'data-col': 'name', text: 'experiment' }), el('th', { className: 'name', 'data-col': 'model', text: 'model' }), el('th', { 'data-col': 'runs', text: 'runs' })]);
    data.columns.forEach(function (c) {
      head.appendChild(el('th', { 'data-col': c.id, title: c.higherIsBetter === false ? 'lower is better' : 'higher is better', text: c.label + (c.higherIsBetter === true ? ' ↑' : c.higherIsBetter === false ? ' ↓' : '') }));
    });
    const rows = data.rows.slice();
    rows.sort(function (a, b) {
      let x, y;
      if (sortCol === 'name' || sortCol === 'model') { x = a[sortCol]; y = b[sortCol]; return sortDir * (x < y ? -1 : x > y ? 1 : 0); }
      if (sortCol === 'runs') { x = a.runs.length; y = b.runs.length; }
      else { x = a.cells[sortCol] ? a.cells[sortCol].mean : null; y = b.cells[sortCol] ? b.cells[sortCol].mean : null; }
      if (x === null && y === null) return 0;
      if (x === null) return 1;
      if (y === null) return -1;
      return sortDir * (x - y);
    });
    Array.prototype.forEach.call(head.children, function (th) {
      if (th.getAttribute('data-col') === sortCol) th.className += sortDir < 0 ? ' sorted-desc' : ' sorted-asc';
      th.addEventListener('click', function () {
        const c = th.getAttribute('data-col');
        if (!c) return;
        if (c === sortCol) sortDir = -sortDir; else { sortCol = c; const col = colById(c); sortDir = col && col.higherIsBetter === false ? 1 : c === 'name' || c === 'model' ? 1 : -1; }
        renderTable();
      });
    });
    table.appendChild(el('thead', {}, [head]));
    const body = el('tbody');
    rows.forEach(function (r, i) {
      const tr = el('tr', { className: i === 0 ? 'best' : '' }, [el('td', { className: 'name', text: String(i + 1) }), el('td', { className: 'name', text: r.name }), el('td', { className: 'name', text: r.model }), el('td', { text: String(r.runs.length) })]);
      data.columns.forEach(function (c) { tr.appendChild(el('td', { text: cellText(r.cells[c.id]) })); });
      body.appendChild(tr);
    });
    table.appendChild(body);
  }
  renderTable();

  // ---- bar charts with error bars: the first metric of each task
  const seenTasks = {};
  const barsBox = document.getElementById('bars');
  data.columns.forEach(function (c) {
    if (seenTasks[c.task]) return;
    seenTasks[c.task] = true;
    const id = 'bar-' + Object.keys(seenTasks).length;
    barsBox.appendChild(el('div', { id: id, className: 'chart' }));
    const values = data.rows.filter(function (r) { return r.cells[c.id] && r.cells[c.id].mean !== null; }).map(function (r) {
      const cell = r.cells[c.id], e = errOf(cell);
      return { experiment: r.name, model: r.model, value: cell.mean, low: cell.mean - e, high: cell.mean + e, error: e, runs: r.runs.length };
    });
    // best first (data order is the axis order: a sort on the layered x would be dropped by the error bars)
    values.sort(function (x, y) { return c.higherIsBetter === false ? x.value - y.value : y.value - x.value; });
    embed(id, {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      title: c.label, width: Math.max(160, 36 * values.length), height: 200,
      data: { name: 'bars', values: values },
      encoding: { x: { field: 'experiment', type: 'nominal', sort: null, axis: { labelAngle: -35, title: null } } },
      layer: [
        { mark: 'bar', encoding: { y: { field: 'value', type: 'quantitative', title: c.metric }, color: { field: 'model', type: 'nominal' }, tooltip: [{ field: 'experiment' }, { field: 'value', format: '.4f' }, { field: 'error', format: '.4f', title: '± (std over repeats, or stderr)' }, { field: 'runs' }] } },
        { mark: { type: 'errorbar', ticks: true }, encoding: { y: { field: 'low', type: 'quantitative', title: c.metric }, y2: { field: 'high' } } },
      ],
    });
  });

  // ---- heatmap: experiments × task/metric, colour = value scaled per column (best = 1)
  const heat = [];
  data.columns.forEach(function (c) {
    const vals = data.rows.map(function (r) { return r.cells[c.id] ? r.cells[c.id].mean : null; }).filter(function (v) { return v !== null; });
    const lo = Math.min.apply(null, vals), hi = Math.max.apply(null, vals);
    data.rows.forEach(function (r) {
      const cell = r.cells[c.id];
      if (!cell || cell.mean === null) return;
      let n = hi > lo ? (cell.mean - lo) / (hi - lo) : 0.5;
      if (c.higherIsBetter === false) n = 1 - n;
      heat.push({ experiment: r.name, column: c.label, value: cell.mean, scaled: n });
    });
  });
  embed('heatmap', {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: { name: 'heat', values: heat },
    width: Math.max(200, 90 * data.columns.length), height: Math.max(60, 24 * data.rows.length),
    encoding: { x: { field: 'column', type: 'nominal', axis: { labelAngle: -30, title: null } }, y: { field: 'experiment', type: 'nominal', title: null } },
    layer: [
      { mark: 'rect', encoding: { color: { field: 'scaled', type: 'quantitative', scale: { scheme: 'blues', domain: [0, 1] }, legend: { title: 'relative (best = 1)' } }, tooltip: [{ field: 'experiment' }, { field: 'column' }, { field: 'value', format: '.4f' }] } },
      { mark: { type: 'text', fontSize: 11 }, encoding: { text: { field: 'value', format: '.3f' }, color: { condition: { test: 'datum.scaled > 0.6', value: 'white' }, value: 'black' } } },
    ],
  });

  // ---- spread across repeats (one column at a time)
  const spreadSel = document.getElementById('spread-col');
  data.columns.forEach(function (c) { spreadSel.appendChild(el('option', { value: c.id, text: c.label })); });
  if (data.main) spreadSel.value = data.main;
  function renderSpread() {
    const c = colById(spreadSel.value);
    const values = [];
    data.rows.forEach(function (r) {
      const cell = r.cells[c.id];
      if (!cell) return;
      cell.values.forEach(function (v, i) { if (v !== null) values.push({ experiment: r.name, repeat: i + 1, value: v }); });
    });
    return embed('spread', {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      data: { name: 'spread', values: values },
      width: 420, height: Math.max(60, 24 * data.rows.length),
      encoding: { y: { field: 'experiment', type: 'nominal', title: null } },
      layer: [
        { mark: { type: 'rule', color: '#9aa3af' }, encoding: { x: { aggregate: 'min', field: 'value', type: 'quantitative', title: c.label }, x2: { aggregate: 'max', field: 'value' } } },
        { mark: { type: 'point', filled: true, size: 60 }, encoding: { x: { field: 'value', type: 'quantitative' }, color: { field: 'repeat', type: 'ordinal' }, tooltip: [{ field: 'experiment' }, { field: 'repeat' }, { field: 'value', format: '.4f' }] } },
      ],
    });
  }
  spreadSel.addEventListener('change', renderSpread);
  renderSpread();

  // ---- per-run details
  const det = document.getElementById('details');
  data.runs.forEach(function (r) {
    const d = r.details;
    const summary = r.id + ' — ' + r.model + (d.config && d.config.limit !== null && d.config.limit !== undefined ? ', limit ' + d.config.limit : '') + (d.chat_template_sha ? ', chat template ' + String(d.chat_template_sha).slice(0, 12) : '');
    det.appendChild(el('details', {}, [el('summary', { text: summary }), el('pre', { text: JSON.stringify(d, null, 2) })]));
  });

  // ---- sample browser with a diff between two runs on the same document
  const tasks = Object.keys(data.samples).sort();
  const taskSel = document.getElementById('s-task'), aSel = document.getElementById('s-a'), bSel = document.getElementById('s-b'), flipOnly = document.getElementById('s-flips');
  const list = document.getElementById('s-docs'), view = document.getElementById('s-view'), note = document.getElementById('s-note');
  tasks.forEach(function (t) { taskSel.appendChild(el('option', { value: t, text: t })); });
  let current = null;
  function runsOf(task) { return Object.keys(data.samples[task] || {}); }
  function fillRuns() {
    const rs = runsOf(taskSel.value);
    [aSel, bSel].forEach(function (s, i) { s.innerHTML = ''; rs.forEach(function (r) { s.appendChild(el('option', { value: r, text: r })); }); s.value = rs[Math.min(i, rs.length - 1)] || ''; });
  }
  function key(s) { return s.doc_id + '|' + s.filter; }
  function firstMetric(s) { const k = Object.keys(s.metrics)[0]; return k === undefined ? undefined : JSON.stringify(s.metrics[k]); }
  function renderDocs() {
    const A = data.samples[taskSel.value][aSel.value] || [], B = data.samples[taskSel.value][bSel.value] || [];
    const byB = {};
    B.forEach(function (s) { byB[key(s)] = s; });
    list.innerHTML = '';
    let shown = 0;
    A.forEach(function (s) {
      const o = byB[key(s)];
      const flipped = o !== undefined && firstMetric(o) !== firstMetric(s);
      if (flipOnly.checked && !flipped) return;
      shown++;
      const row = el('div', { className: flipped ? 'flip' : '', 'data-key': key(s), text: 'doc ' + s.doc_id + (s.filter !== 'none' ? ' [' + s.filter + ']' : '') + (flipped ? '  ≠' : '') });
      row.addEventListener('click', function () { current = key(s); renderDoc(); });
      list.appendChild(row);
    });
    note.textContent = shown + ' document(s)' + (data.truncated[taskSel.value] ? '; ' + data.truncated[taskSel.value] + ' more per run not embedded' : '');
    if (!current || !list.querySelector('[data-key="' + current + '"]')) current = list.firstChild ? list.firstChild.getAttribute('data-key') : null;
    renderDoc();
  }
  function diffHtml(a, b) {
    const box = el('div', { className: 'diff' });
    Diff.diffWordsWithSpace(a, b).forEach(function (part) {
      box.appendChild(el(part.added ? 'ins' : part.removed ? 'del' : 'span', { text: part.value }));
    });
    return box;
  }
  function side(label, s) {
    if (!s) return el('div', {}, [el('h3', { text: label }), el('p', { className: 'muted', text: 'not in this run' })]);
    return el('div', {}, [
      el('h3', { text: label }),
      el('div', { className: 'muted', text: 'prompt' }), el('pre', { text: s.prompt }),
      el('div', { className: 'muted', text: 'response' }), el('pre', { className: 'resp', text: s.response }),
      el('div', { className: 'muted', text: 'filtered answer' }), el('pre', { text: s.filtered }),
      el('div', { className: 'muted', text: 'target' }), el('pre', { text: s.target }),
      el('div', { className: 'muted', text: 'metrics' }), el('pre', { className: 'metrics', text: JSON.stringify(s.metrics) }),
    ]);
  }
  function renderDoc() {
    view.innerHTML = '';
    list.querySelectorAll('div').forEach(function (d) { d.className = d.className.replace(' sel', '') + (d.getAttribute('data-key') === current ? ' sel' : ''); });
    if (!current) return;
    const find = function (run) { return (data.samples[taskSel.value][run] || []).filter(function (s) { return key(s) === current; })[0]; };
    const a = find(aSel.value), b = find(bSel.value);
    view.appendChild(el('div', { className: 'pair' }, [side('A: ' + aSel.value, a), side('B: ' + bSel.value, b)]));
    if (a && b) view.appendChild(el('div', {}, [el('h3', { text: 'response diff (A → B)' }), diffHtml(a.response, b.response)]));
  }
  if (tasks.length) {
    taskSel.addEventListener('change', function () { fillRuns(); renderDocs(); });
    [aSel, bSel, flipOnly].forEach(function (s) { s.addEventListener('change', renderDocs); });
    fillRuns();
    renderDocs();
  } else document.getElementById('samples').appendChild(el('p', { className: 'muted', text: 'No samples files were found (run with --log_samples).' }));

  report.ready = Promise.all(pending).then(function () { document.body.setAttribute('data-ready', 'true'); return views; });
})();
