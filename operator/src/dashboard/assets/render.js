// The dashboard's tables: column definitions (label, sort key, cell) per section, and one
// generic sortable table renderer. Pure DOM construction from the summary's rows.
import {
  el, duration, ago, percent, badge, conditionBadge, progressBar, STATE_KIND, STATE_LABEL,
} from './format.js';

const STATE_RANK = {Sustained: 0, ThresholdsMet: 1, NotMet: 2, Unknown: 3};
const NODE_RANK = {Degraded: 0, Stale: 1, Unknown: 2, Healthy: 3};
const COMPARATOR = {Startup: '≤', Memory: '≤', Coverage: '≥'};
const MARK = {True: '✓', False: '✗', Unknown: '?'};

const criterion = (w, name) => w.criteria.find((c) => c.name === name) || {};

function stateBadge(state) {
  return badge(STATE_LABEL[state] || state, STATE_KIND[state] || 'muted');
}

function nameCell(name, sub) {
  return el('div', {}, el('div', {class: 'name'}, name), sub ? el('div', {class: 'sub'}, sub) : null);
}

function criterionCell(c, sustainFor, now) {
  const met = c.met || 'Unknown';
  const title = [c.reason, c.metSince ? `met since ${c.metSince}` : ''].filter(Boolean).join(' · ');
  return el('div', {class: `crit met-${met}`, title, dataset: {met}},
    el('div', {class: 'crit-line'},
      el('span', {class: 'mark', 'aria-label': met}, MARK[met] || '?'),
      el('span', {class: 'value'}, c.value ?? '—'),
      el('span', {class: 'threshold muted'}, c.threshold ? ` ${COMPARATOR[c.name]} ${c.threshold}` : '')),
    c.metSince ? el('div', {class: 'sub since', dataset: {metSince: c.metSince}}, 'since ' + ago(c.metSince, now)) : null,
    c.progress !== null && c.progress !== undefined && met === 'True'
      ? progressBar(c.progress, '', `${percent(c.progress)} of ${sustainFor}`) : null);
}

export const WORKLOAD_COLUMNS = [
  {key: 'namespace', label: 'Namespace', sort: (w) => w.namespace, cell: (w) => w.namespace},
  {key: 'name', label: 'Workload', sort: (w) => w.name,
    cell: (w) => nameCell(w.name, w.workload.kind ? `${w.workload.kind}/${w.workload.name}` : '')},
  {key: 'state', label: 'State', sort: (w) => STATE_RANK[w.state],
    cell: (w) => el('div', {}, stateBadge(w.state),
      w.ready.reason && w.state !== 'Sustained' ? el('div', {class: 'sub', title: w.ready.message}, w.ready.reason) : null)},
  {key: 'pods', label: 'Pods', sort: (w) => w.pods.total,
    cell: (w) => el('span', {title: `${w.pods.injected} injected, ${w.pods.instrumented} instrumented of ${w.pods.total}`},
      `${w.pods.instrumented}/${w.pods.total}`)},
  ...['Startup', 'Memory', 'Coverage'].map((name) => ({
    key: name, label: name === 'Startup' ? 'Startup p95' : name,
    sort: (w) => criterion(w, name).valueBase,
    cell: (w, now) => criterionCell(criterion(w, name), w.sustainFor, now),
  })),
  {key: 'criteriaMet', label: 'Met', sort: (w) => w.criteriaMet,
    cell: (w) => el('span', {title: w.requiredCriteria ? `${w.requiredCriteria} required` : ''},
      `${w.criteriaMet}/3`, w.requiredCriteria ? el('span', {class: 'muted'}, ` (need ${w.requiredCriteria})`) : '')},
  {key: 'progress', label: 'Toward sustainFor', sort: (w) => w.sustainProgress,
    cell: (w) => w.sustainProgress === null ? el('span', {class: 'muted'}, 'no thresholds')
      : progressBar(w.sustainProgress,
        `${percent(w.sustainProgress)} of ${w.sustainFor}` +
          (w.sustainRemainingSeconds ? ` · ${duration(w.sustainRemainingSeconds)} left` : ''),
        w.thresholdsFrom ? `thresholds from ObservabilityPolicy ${w.thresholdsFrom}` : '')},
];

export const POLICY_COLUMNS = [
  {key: 'kind', label: 'Kind', sort: (p) => p.kind,
    cell: (p) => badge(p.kind === 'ObservabilityPolicy' ? 'Observability' : 'Resilience',
      p.kind === 'ObservabilityPolicy' ? 'kind-obs' : 'kind-res', p.kind)},
  {key: 'namespace', label: 'Namespace', sort: (p) => p.namespace, cell: (p) => p.namespace},
  {key: 'name', label: 'Name', sort: (p) => p.name,
    cell: (p) => nameCell(p.name, p.decodeError ? `invalid: ${p.decodeError}` : (p.probes || []).join(', '))},
  {key: 'matchedWorkloads', label: 'Workloads', sort: (p) => p.matchedWorkloads, cell: (p) => p.matchedWorkloads ?? '—'},
  {key: 'workloadsSustained', label: 'Sustained', sort: (p) => p.workloadsSustained, cell: (p) => p.workloadsSustained ?? '—'},
  {key: 'nodesLoaded', label: 'Nodes loaded', sort: (p) => p.nodes?.loaded,
    cell: (p) => p.nodes ? `${p.nodes.loaded}/${p.nodes.desired}` : '—'},
  {key: 'nodesFailed', label: 'Nodes failed', sort: (p) => p.nodes?.failed,
    cell: (p) => !p.nodes ? '—' : el('div', {},
      p.nodes.failed ? badge(String(p.nodes.failed), 'bad') : '0',
      ...p.nodes.failing.map((f) => el('div', {class: 'sub'}, `${f.node}: ${f.reason}`)))},
  {key: 'coverage', label: 'Coverage', sort: (p) => (p.coverage ? parseFloat(p.coverage) : null),
    cell: (p) => p.coverage ?? (p.kind === 'ResiliencePolicy' ? `${p.injectedPods} pods injected` : '—')},
  {key: 'ready', label: 'Ready', sort: (p) => p.ready.status, cell: (p) => conditionBadge(p.ready)},
];

const FEATURES = [['btf', 'BTF'], ['ringBuffer', 'ringbuf'], ['tracepoints', 'tracepoints'],
  ['uprobes', 'uprobes'], ['kprobes', 'kprobes'], ['fentry', 'fentry']];
const PROBE_KIND = {Attached: 'ok', Failed: 'bad', Unsupported: 'warn', Pending: 'muted'};

export const NODE_COLUMNS = [
  {key: 'name', label: 'Node', sort: (n) => n.name, cell: (n) => nameCell(n.name, n.decodeError)},
  {key: 'state', label: 'State', sort: (n) => NODE_RANK[n.state],
    cell: (n) => badge(n.state, STATE_KIND[n.state] || 'muted')},
  {key: 'kernel', label: 'Kernel', sort: (n) => n.kernel.release,
    cell: (n) => el('div', {}, el('div', {class: 'mono'}, n.kernel.release || '—'),
      el('div', {class: 'chips'}, FEATURES.map(([k, label]) =>
        el('span', {class: `chip ${n.kernel[k] ? 'on' : 'off'}`, title: `${label}: ${n.kernel[k] ? 'yes' : 'no'}`}, label))))},
  {key: 'probes', label: 'Probes', sort: (n) => n.probeCounts.attached,
    cell: (n) => el('div', {}, el('div', {}, n.probesSummary ?? `${n.probeCounts.attached}/${n.probes.length}`),
      el('div', {class: 'chips'}, n.probes.map((p) =>
        el('span', {class: `chip ${PROBE_KIND[p.state] || 'muted'}`, title: p.error || p.state, dataset: {probe: p.name, state: p.state}}, p.name))))},
  {key: 'failing', label: 'Failing probes', sort: (n) => n.failingProbes.length,
    cell: (n) => n.failingProbes.length === 0 ? el('span', {class: 'muted'}, 'none')
      : el('ul', {class: 'failing'}, n.failingProbes.map((f) =>
        el('li', {}, el('span', {class: 'mono'}, f.name), ' ', badge(f.state, PROBE_KIND[f.state]), ' ', el('span', {class: 'reason'}, f.reason))))},
  {key: 'pods', label: 'Pods', sort: (n) => n.podCount,
    cell: (n) => el('span', {title: `${n.podCount} reported by the node agent, ${n.podsScheduled} scheduled`}, `${n.podCount}/${n.podsScheduled}`)},
  {key: 'reportedAt', label: 'Reported', sort: (n) => n.reportAgeSeconds,
    cell: (n, now) => el('span', {title: n.reportedAt || 'never', class: n.stale ? 'warn-text' : ''}, ago(n.reportedAt, now))},
];

export const FILTER_COLUMNS = [
  {key: 'namespace', label: 'Namespace', sort: (f) => f.namespace, cell: (f) => f.namespace},
  {key: 'name', label: 'Name', sort: (f) => f.name, cell: (f) => nameCell(f.name, f.decodeError)},
  {key: 'abi', label: 'ABI', sort: (f) => f.abi, cell: (f) => f.abi ?? '—'},
  {key: 'phase', label: 'Phase', sort: (f) => f.phase, cell: (f) => f.phase || '—'},
  {key: 'size', label: 'Size', sort: (f) => f.size, cell: (f) => (f.size ? `${(f.size / 1024).toFixed(1)} KiB` : '—')},
  {key: 'validated', label: 'Validated', sort: (f) => f.validated.status, cell: (f) => conditionBadge(f.validated)},
];

// Stable sort with nulls last in either direction.
function sortRows(rows, column, dir) {
  const keyed = rows.map((row, i) => ({row, i, v: column ? column.sort(row) : null}));
  keyed.sort((a, b) => {
    const an = a.v === null || a.v === undefined, bn = b.v === null || b.v === undefined;
    if (an !== bn) return an ? 1 : -1;
    if (!an && a.v !== b.v) return (a.v < b.v ? -1 : 1) * dir;
    return a.i - b.i;
  });
  return keyed.map((k) => k.row);
}

// Renders `rows` into `table`; `sort` = {key, dir} (dir 1 or -1), `onSort(key)` on a header
// click, `rowData(row)` the row's data-* attributes (what tests and users select on).
export function renderTable(table, columns, rows, {sort, onSort, rowData, now, empty}) {
  const column = columns.find((c) => c.key === sort.key);
  const head = el('thead', {}, el('tr', {}, columns.map((c) => el('th', {
    scope: 'col', 'aria-sort': c.key === sort.key ? (sort.dir > 0 ? 'ascending' : 'descending') : 'none',
  }, el('button', {type: 'button', class: 'sort', dataset: {sort: c.key}, onclick: () => onSort(c.key)},
    c.label, el('span', {class: 'arrow', 'aria-hidden': 'true'}, c.key === sort.key ? (sort.dir > 0 ? '▲' : '▼') : ''))))));
  const body = el('tbody', {}, sortRows(rows, column, sort.dir).map((row) =>
    el('tr', {dataset: rowData(row)}, columns.map((c) => el('td', {dataset: {field: c.key}}, c.cell(row, now))))));
  if (rows.length === 0) {
    body.append(el('tr', {class: 'empty'}, el('td', {colspan: columns.length}, empty)));
  }
  table.replaceChildren(head, body);
}
