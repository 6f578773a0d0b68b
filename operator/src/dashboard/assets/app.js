// The dashboard's controller: polls api/v1/summary every 2 s (relative URL), keeps the
// sort and filter state, and re-renders the tables in place — the page never reloads.
// Read-only: the page only ever sends GETs.
import {el, badge, STATE_KIND, STATE_LABEL} from './format.js';
import {
  renderTable, WORKLOAD_COLUMNS, POLICY_COLUMNS, NODE_COLUMNS, FILTER_COLUMNS,
} from './render.js';

const POLL_MS = 2000;
const $ = (id) => document.getElementById(id);

const state = {
  data: null,
  paused: false,
  fetchedAt: 0,
  polls: 0,
  sort: {
    workloads: {key: 'namespace', dir: 1}, policies: {key: 'namespace', dir: 1},
    nodes: {key: 'name', dir: 1}, filters: {key: 'namespace', dir: 1},
  },
  filter: {namespace: '', state: '', text: ''},
};
// Exposed for tests and for a curious user's console.
window.limenDashboard = state;

function matchesText(row, ...fields) {
  const q = state.filter.text.trim().toLowerCase();
  return !q || fields.some((f) => String(f ?? '').toLowerCase().includes(q));
}
const inNamespace = (row) => !state.filter.namespace || row.namespace === state.filter.namespace;

function applyTheme(theme) {
  if (theme) document.documentElement.dataset.theme = theme;
}

function renderHeader(d) {
  const op = d.operator;
  $('operator').replaceChildren(
    el('span', {class: 'mono'}, op.identity),
    ' ', badge(op.leader ? 'leader' : 'follower', op.leader ? 'info' : 'muted',
      op.leader ? 'this replica writes status' : 'another replica writes status; this one serves its caches'),
    ' ', op.cachesSynced ? '' : badge('caches syncing', 'warn'),
    op.watchNamespace ? el('span', {class: 'muted'}, ` watching ${op.watchNamespace}`) : '');
}

function card(title, total, parts, id) {
  return el('div', {class: 'card', id},
    el('div', {class: 'card-title'}, title),
    el('div', {class: 'card-total', dataset: {field: 'total'}}, String(total)),
    el('div', {class: 'card-parts'}, parts.filter(([, n]) => n > 0).map(([label, n, kind]) =>
      el('span', {class: `badge ${kind}`}, `${n} ${label}`))));
}

function renderCards(t) {
  const w = t.workloads, n = t.nodes, p = t.policies, f = t.wasmFilters;
  $('cards').replaceChildren(
    card('Workloads', w.total, ['Sustained', 'ThresholdsMet', 'NotMet', 'Unknown'].map((s) =>
      [STATE_LABEL[s] || s, w[s], STATE_KIND[s]]), 'card-workloads'),
    card('Policies', p.total, [['observability', p.observability, 'kind-obs'],
      ['resilience', p.resilience, 'kind-res'], ['not ready', p.total - p.ready, 'bad']], 'card-policies'),
    card('Nodes', n.total, ['Healthy', 'Degraded', 'Stale', 'Unknown'].map((s) =>
      [s.toLowerCase(), n[s], STATE_KIND[s] || 'muted']), 'card-nodes'),
    card('WASM filters', f.total, [['validated', f.validated, 'ok'],
      ['not validated', f.total - f.validated, 'bad']], 'card-filters'));
}

function renderNamespaces(namespaces) {
  const select = $('filter-namespace');
  const want = ['', ...namespaces];
  const have = [...select.options].map((o) => o.value);
  if (want.join('\n') === have.join('\n')) return;
  const current = select.value;
  select.replaceChildren(...want.map((ns) => el('option', {value: ns}, ns || 'All namespaces')));
  // Keep a chosen namespace even while it has nothing left in it.
  if (current && !namespaces.includes(current)) select.append(el('option', {value: current}, current));
  select.value = current;
}

function section(name, table, columns, rows, rowData, empty) {
  const now = Date.now();
  renderTable($(table), columns, rows, {
    sort: state.sort[name], now, rowData, empty,
    onSort: (key) => {
      const s = state.sort[name];
      state.sort[name] = {key, dir: s.key === key ? -s.dir : 1};
      render();
    },
  });
  $(`${name}-count`).textContent = String(rows.length);
}

function render() {
  const d = state.data;
  if (!d) return;
  renderHeader(d);
  renderCards(d.totals);
  renderNamespaces(d.namespaces);
  const f = state.filter;
  const workloads = d.workloads.filter((w) => inNamespace(w) && (!f.state || w.state === f.state) &&
    matchesText(w, w.name, w.workload.name, ...w.policies.map((p) => p.name)));
  section('workloads', 'workloads', WORKLOAD_COLUMNS, workloads,
    (w) => ({namespace: w.namespace, name: w.name, state: w.state}), 'No workloads match.');
  const policies = d.policies.filter((p) => inNamespace(p) && matchesText(p, p.name, p.kind));
  section('policies', 'policies', POLICY_COLUMNS, policies,
    (p) => ({kind: p.kind, namespace: p.namespace, name: p.name}), 'No policies match.');
  const nodes = d.nodes.filter((n) => matchesText(n, n.name, n.kernel.release,
    ...n.failingProbes.map((p) => p.name)));
  section('nodes', 'nodes', NODE_COLUMNS, nodes, (n) => ({name: n.name, state: n.state}),
    'No NodeProbeStates yet: is limen-bpf-loader running?');
  const filters = d.wasmFilters.filter((x) => inNamespace(x) && matchesText(x, x.name));
  section('filters', 'filters', FILTER_COLUMNS, filters,
    (x) => ({namespace: x.namespace, name: x.name}), 'No WASM filters.');
}

function renderFreshness(error) {
  const dot = $('live-dot');
  dot.className = 'dot ' + (error ? 'bad' : state.paused ? 'paused' : 'ok');
  const last = $('last-updated');
  if (state.data) last.dataset.generatedAt = state.data.generatedAt;
  last.textContent = state.fetchedAt
    ? `updated ${new Date(state.fetchedAt).toLocaleTimeString()}` + (state.paused ? ' (paused)' : '')
    : 'connecting…';
  const banner = $('error');
  banner.hidden = !error;
  banner.textContent = error ? `Cannot load api/v1/summary: ${error}. Showing the last data; retrying.` : '';
}

async function poll() {
  let error = null;
  if (!state.paused && !document.hidden) {
    try {
      const res = await fetch('api/v1/summary', {cache: 'no-store', headers: {Accept: 'application/json'}});
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      state.data = await res.json();
      state.fetchedAt = Date.now();
      state.polls++;
      render();
    } catch (e) {
      error = e.message || String(e);
    }
  }
  renderFreshness(error);
  setTimeout(poll, POLL_MS);
}

function init() {
  applyTheme(localStorage.getItem('limen-theme'));
  $('theme').addEventListener('click', () => {
    const dark = document.documentElement.dataset.theme
      ? document.documentElement.dataset.theme === 'dark'
      : window.matchMedia('(prefers-color-scheme: dark)').matches;
    const next = dark ? 'light' : 'dark';
    localStorage.setItem('limen-theme', next);
    applyTheme(next);
  });
  $('pause').addEventListener('click', (e) => {
    state.paused = !state.paused;
    e.target.textContent = state.paused ? 'Resume' : 'Pause';
    e.target.setAttribute('aria-pressed', String(state.paused));
    renderFreshness(null);
  });
  const bind = (id, key) => $(id).addEventListener('input', (e) => {
    state.filter[key] = e.target.value;
    render();
  });
  bind('filter-namespace', 'namespace');
  bind('filter-state', 'state');
  bind('filter-text', 'text');
  poll();
}

init();
