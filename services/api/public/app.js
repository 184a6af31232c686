// The leaderboard page: plain DOM + uPlot, everything read from the API. Text from the
// database (strategy names are user input) only ever goes into textContent, never innerHTML.
/* global uPlot */
(() => {
  'use strict';

  const $ = (sel) => document.querySelector(sel);
  const KEY_STORE = 'mastertrade.apiKey';
  const charts = {};
  window.__charts = charts; // for tests and the curious

  // ------------------------------------------------------------------------------------ fetching

  async function api(path) {
    const headers = { accept: 'application/json' };
    const key = localStorage.getItem(KEY_STORE);
    if (key) headers['x-api-key'] = key;
    const res = await fetch(path, { headers });
    if (res.status === 401) {
      $('#key-box').hidden = false;
      throw new Error('unauthorized');
    }
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    return res.json();
  }

  $('#key-save').addEventListener('click', () => {
    localStorage.setItem(KEY_STORE, $('#key-input').value);
    location.reload();
  });

  // ----------------------------------------------------------------------------------- formatting

  const pct = (x, digits = 1) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(digits)}%`);
  const num = (x, digits = 2) => (x === null || x === undefined ? '—' : Number(x).toFixed(digits));
  const when = (iso) => (iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : '—');
  const signClass = (x) => (x > 0 ? 'pos' : x < 0 ? 'neg' : '');

  function cell(text, cls) {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    return td;
  }

  function clear(el) {
    while (el.firstChild) el.removeChild(el.firstChild);
  }

  // ------------------------------------------------------------------------------------- charts

  function chartWidth(el) {
    return Math.max(320, Math.floor(el.getBoundingClientRect().width) || 420);
  }

  function replaceChart(name, el, opts, data) {
    if (charts[name]) charts[name].destroy();
    clear(el);
    charts[name] = new uPlot(opts, data, el);
    el.dataset.points = String(data[0].length);
    return charts[name];
  }

  /** Categorical bars: x = 0..n-1, labels on the axis. */
  function barChart(name, el, title, labels, series) {
    const x = labels.map((_, i) => i);
    const colors = ['rgba(47,111,222,0.8)', 'rgba(22,138,83,0.75)', 'rgba(196,55,43,0.75)'];
    const opts = {
      title,
      width: chartWidth(el),
      height: 240,
      legend: { show: false },
      scales: { x: { time: false, range: [-0.6, labels.length - 0.4] } },
      axes: [
        { splits: () => x, values: (_u, splits) => splits.map((i) => labels[i] ?? ''), rotate: labels.length > 6 ? -30 : 0, size: labels.length > 6 ? 60 : 40, grid: { show: false } },
        { size: 60, values: (_u, splits) => splits.map((v) => (Math.abs(v) >= 1000 ? v.toExponential(0) : String(+v.toFixed(2)))) },
      ],
      series: [
        {},
        ...series.map((s, k) => ({
          label: s.label,
          fill: colors[k % colors.length],
          stroke: colors[k % colors.length],
          width: 0,
          paths: uPlot.paths.bars({ size: [0.7 / series.length, 60], align: series.length > 1 ? (k === 0 ? -1 : 1) : 0 }),
          points: { show: false },
        })),
      ],
    };
    return replaceChart(name, el, opts, [x, ...series.map((s) => s.values)]);
  }

  function equityChart(curve) {
    const el = $('#equity');
    const ts = curve.tsMs.map((t) => t / 1000);
    const opts = {
      width: chartWidth(el),
      height: 300,
      scales: { x: { time: true } },
      legend: { show: false },
      series: [{}, { label: 'equity', stroke: '#2f6fde', width: 1.5, fill: 'rgba(47,111,222,0.08)', points: { show: false } }],
      axes: [{}, { size: 70 }],
    };
    replaceChart('equity', el, opts, [ts, curve.equity]);
  }

  // --------------------------------------------------------------------------------- pipeline

  async function refreshStatus() {
    try {
      const s = await api('/api/strategies/pipeline/status');
      const c = s.currentCycle;
      $('#pipeline-next').textContent = `next scheduled cycle ${when(s.nextGenerationTime)} (${s.schedule.cron} UTC, ${s.strategiesPerGeneration} strategies)`;
      if (c) {
        $('#pipeline-state').textContent = `Cycle ${c.id} running: ${c.state}`;
        $('#progress').hidden = false;
        $('#progress-fill').style.width = `${c.progress.percent}%`;
        const eta = c.etaSeconds === null ? '' : `, ETA ${Math.ceil(c.etaSeconds / 60)} min`;
        $('#progress-text').textContent = `${c.progress.done}/${c.progress.total} backtested, ${c.progress.passed} passed${eta}`;
      } else {
        $('#progress').hidden = true;
        const last = s.lastCycle;
        $('#pipeline-state').textContent = last ? `Idle. Last cycle ${last.id}: ${last.state}, ${last.passed}/${last.backtested} passed` : 'Idle. No cycle has run yet.';
      }
    } catch (err) {
      $('#pipeline-state').textContent = `Status unavailable (${err.message})`;
    }
  }

  // ------------------------------------------------------------------------------ leaderboard

  let selectedCycle = null;

  async function loadCycles() {
    const { items } = await api('/api/cycles?limit=30');
    const sel = $('#cycle-select');
    clear(sel);
    const all = document.createElement('option');
    all.value = '';
    all.textContent = 'all cycles';
    sel.appendChild(all);
    for (const c of items) {
      const o = document.createElement('option');
      o.value = c.id;
      o.textContent = `${c.id} (${c.state}, ${c.passed}/${c.backtested} passed)`;
      sel.appendChild(o);
    }
    const wanted = new URLSearchParams(location.search).get('cycle');
    const finished = items.find((c) => (c.state === 'completed' || c.state === 'partial') && c.passed > 0) ?? items.find((c) => c.state === 'completed' || c.state === 'partial') ?? items[0];
    selectedCycle = wanted !== null ? wanted : finished ? finished.id : '';
    sel.value = selectedCycle;
    const summary = items.find((c) => c.id === selectedCycle);
    $('#cycle-summary').textContent = summary
      ? `${summary.trigger} cycle, ${summary.state}; ${summary.generated} generated, ${summary.backtested} backtested, ${summary.passed} passed (${pct(summary.passRate)}), ${summary.promoted} promoted; finished ${when(summary.finishedAt)}`
      : '';
    if (summary) {
      api(`/api/cycles/${encodeURIComponent(summary.id)}`)
        .then((c) => {
          const p = c.selection && c.selection.pbo;
          if (p) $('#cycle-summary').textContent += ` · PBO ${num(p.pbo, 2)} over ${p.splits} splits${p.overfit ? ' — likely overfit: in-sample winners mostly lose out of sample' : ''}`;
        })
        .catch(() => undefined);
    }
  }

  async function loadStrategies() {
    const q = new URLSearchParams({ sort: 'sharpe', limit: '25' });
    if (selectedCycle) q.set('cycle', selectedCycle);
    const { items } = await api(`/api/strategies?${q}`);
    const body = $('#strategies tbody');
    clear(body);
    $('#strategies-empty').hidden = items.length > 0;
    items.forEach((s, i) => {
      const tr = document.createElement('tr');
      tr.dataset.id = s.id;
      tr.append(
        cell(String(i + 1)),
        cell(s.name),
        cell(s.type),
        cell(s.timeframe),
        cell(s.symbols.join(', ')),
        cell(s.status),
        cell(num(s.sharpe), 'num'),
        cell(pct(s.totalReturn), `num ${signClass(s.totalReturn)}`),
        cell(pct(s.maxDrawdown), 'num'),
        cell(pct(s.winRate, 0), 'num'),
        cell(s.trades === null ? '—' : String(s.trades), 'num'),
      );
      tr.addEventListener('click', () => openStrategy(s.id, tr));
      body.appendChild(tr);
    });
    document.body.dataset.strategies = String(items.length);
  }

  $('#cycle-select').addEventListener('change', (e) => {
    selectedCycle = e.target.value;
    const q = new URLSearchParams(location.search);
    if (selectedCycle) q.set('cycle', selectedCycle);
    else q.delete('cycle');
    history.replaceState(null, '', `${location.pathname}?${q}`);
    loadCycles().then(loadStrategies).catch(showError);
  });

  // ----------------------------------------------------------------------------------- detail

  /** In-sample vs out-of-sample vs paper, side by side, with the deflated Sharpe ratio. */
  function renderComparison(c) {
    const table = $('#comparison');
    const tb = table.querySelector('tbody');
    clear(tb);
    const cols = [c && c.inSample, c && c.outOfSample, c && c.paper];
    const rows = [
      ['Sharpe', (m) => num(m.sharpe)],
      ['Return', (m) => pct(m.totalReturn)],
      ['Max drawdown', (m) => pct(m.maxDrawdown)],
      ['Win rate', (m) => pct(m.winRate, 0)],
      ['Trades', (m) => String(m.trades ?? '—')],
    ];
    for (const [label, f] of rows) {
      const tr = document.createElement('tr');
      tr.append(cell(label), ...cols.map((m) => cell(m ? f(m) : '—', 'num')));
      tb.appendChild(tr);
    }
    const dsr = c && c.deflatedSharpe;
    const bias = c && c.bias;
    $('#dsr').textContent = `Deflated Sharpe ratio: ${dsr === null || dsr === undefined ? '—' : num(dsr, 3)} (promotion needs ≥ 0.95)` +
      (bias ? ` · bias gate: look-ahead ${bias.lookaheadOk ? 'ok' : 'FAILED'}, one-bar delay Sharpe ${num(bias.delayed && bias.delayed.sharpe)}${bias.edgeVanishes ? ' (edge vanishes)' : ''}` : '');
  }

  async function openStrategy(id, row) {
    document.querySelectorAll('#strategies tr.selected').forEach((r) => r.classList.remove('selected'));
    row?.classList.add('selected');
    const d = await api(`/api/strategies/${id}?trades=200`);
    $('#detail').hidden = false;
    $('#detail-name').textContent = d.strategy.name;
    $('#detail-meta').textContent = `${d.strategy.type} · ${d.strategy.timeframe} · ${d.strategy.symbols.join(', ')} · ${d.strategy.origin} · status ${d.strategy.status}${d.strategy.statusReason ? ` (${d.strategy.statusReason})` : ''} · id ${d.strategy.id.slice(0, 12)}…`;
    const shown = d.results.find((r) => r.id === d.shownResultId);
    const dl = $('#detail-metrics');
    clear(dl);
    if (shown) {
      const m = shown.metrics;
      const items = [
        ['Sharpe', num(m.sharpe)],
        ['Sortino', num(m.sortino)],
        ['Return', pct(m.totalReturn)],
        ['Max drawdown', pct(m.maxDrawdown)],
        ['Win rate', pct(m.winRate, 0)],
        ['Profit factor', num(m.profitFactor)],
        ['Trades', String(m.trades)],
        ['Exposure', pct(m.exposure, 0)],
        ['Passed filters', shown.passed === null ? '—' : shown.passed ? 'yes' : 'no'],
        ['Period', `${shown.from.slice(0, 10)} → ${shown.to.slice(0, 10)}`],
      ];
      for (const [k, v] of items) {
        const div = document.createElement('div');
        const dt = document.createElement('dt');
        const dd = document.createElement('dd');
        dt.textContent = k;
        dd.textContent = v;
        div.append(dt, dd);
        dl.appendChild(div);
      }
    }
    renderComparison(d.comparison);
    if (d.equityCurve && d.equityCurve.points > 1) {
      $('#equity-empty').hidden = true;
      equityChart(d.equityCurve);
    } else {
      if (charts.equity) charts.equity.destroy();
      delete charts.equity;
      clear($('#equity'));
      $('#equity').dataset.points = '0';
      $('#equity-empty').hidden = false;
    }
    const tb = $('#trades tbody');
    clear(tb);
    for (const t of d.trades.items) {
      const tr = document.createElement('tr');
      tr.append(
        cell(String(t.seq + 1)),
        cell(t.symbol),
        cell(t.side),
        cell(when(t.entryTs)),
        cell(num(t.entryPrice, 4), 'num'),
        cell(when(t.exitTs)),
        cell(num(t.exitPrice, 4), 'num'),
        cell(num(t.pnl), `num ${signClass(t.pnl)}`),
        cell(t.reason),
      );
      tb.appendChild(tr);
    }
    $('#trades-count').textContent = d.trades.total > d.trades.items.length ? `(first ${d.trades.items.length} of ${d.trades.total})` : `(${d.trades.total})`;
    $('#document').textContent = JSON.stringify(d.document, null, 2);
    document.body.dataset.detail = id;
    $('#detail').scrollIntoView({ behavior: 'instant', block: 'start' });
  }

  $('#detail-close').addEventListener('click', () => {
    $('#detail').hidden = true;
  });

  // --------------------------------------------------------------------------------- insights

  async function loadInsights() {
    const s = await api('/api/strategies/learning/stats?history=30');
    const latest = s.latest;
    $('#insights-empty').hidden = Boolean(latest);
    if (!latest) return;
    $('#insights-cycle').textContent = `(cycle ${latest.cycleId}: ${latest.analysed} backtests analysed, ${pct(latest.passRate)} passed)`;
    // Shares (0..1) chart well side by side; mean fitness is dominated by penalties for strategies that never trade.
    const ind = (latest.indicatorRanking ?? []).slice(0, 12);
    if (ind.length) {
      barChart('indicators', $('#chart-indicators'), 'Indicators: pass rate (blue) and share in the top quartile (green)', ind.map((r) => r.key), [
        { label: 'pass rate', values: ind.map((r) => r.passRate) },
        { label: 'top-quartile share', values: ind.map((r) => r.topShare) },
      ]);
    }
    const tf = latest.timeframeRanking ?? [];
    if (tf.length) {
      barChart('timeframes', $('#chart-timeframes'), 'Timeframes: pass rate (blue) and share in the top quartile (green)', tf.map((r) => r.key), [
        { label: 'pass rate', values: tf.map((r) => r.passRate) },
        { label: 'top-quartile share', values: tf.map((r) => r.topShare) },
      ]);
    }
    const q = latest.quantiles ?? [];
    if (q.length) {
      barChart('quantiles', $('#chart-quantiles'), 'Fitness quartiles: mean Sharpe', q.map((r) => `${r.segment} (n=${r.n})`), [{ label: 'mean Sharpe', values: q.map((r) => r.meanSharpe) }]);
    }
    const corr = (latest.correlations ?? []).slice(0, 12);
    if (corr.length) {
      barChart('correlations', $('#chart-correlations'), 'Strongest correlations with fitness (r)', corr.map((r) => r.feature), [{ label: 'r', values: corr.map((r) => r.r) }]);
    }
    const hist = [...(s.history ?? [])].reverse();
    if (hist.length) {
      barChart('history', $('#chart-history'), 'Pass rate by cycle (oldest → newest)', hist.map((h) => h.cycleId.slice(0, 14)), [{ label: 'pass rate', values: hist.map((h) => h.passRate) }]);
    }
  }

  // ------------------------------------------------------------------------------------- start

  function showError(err) {
    if (err && err.message === 'unauthorized') return;
    const p = $('#cycle-summary');
    p.textContent = `Could not load: ${err && err.message ? err.message : err}`;
  }

  async function start() {
    refreshStatus();
    setInterval(refreshStatus, 5000);
    try {
      await loadCycles();
      await loadStrategies();
    } catch (err) {
      showError(err);
    }
    try {
      await loadInsights();
    } catch (err) {
      showError(err);
    }
    document.body.dataset.ready = 'true';
  }

  start();
})();
