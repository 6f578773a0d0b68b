// Formatting helpers and a tiny DOM builder. No framework: every text goes through
// textContent, never innerHTML, so names and messages from the cluster cannot inject markup.

// el('td', {class: 'x', title: 't', dataset: {field: 'f'}}, child, 'text', ...)
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k === 'class') node.className = v;
    else if (k === 'onclick') node.addEventListener('click', v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

// 93784 → "1d 2h", 125 → "2m 5s", 0 → "0s".
export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  let s = Math.max(0, Math.round(seconds));
  const parts = [];
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]]) {
    if (s >= size || (unit === 's' && parts.length === 0)) {
      parts.push(Math.floor(s / size) + unit);
      s %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

// Seconds between an RFC 3339 time and `now` (ms), or null.
export function ageSeconds(time, nowMs) {
  if (!time) return null;
  const t = Date.parse(time);
  return Number.isNaN(t) ? null : Math.max(0, (nowMs - t) / 1000);
}

export function ago(time, nowMs) {
  const a = ageSeconds(time, nowMs);
  return a === null ? '—' : duration(a) + ' ago';
}

export function percent(fraction) {
  if (fraction === null || fraction === undefined) return '—';
  return (Math.floor(fraction * 1000) / 10).toFixed(1) + '%';
}

// A coloured pill. kind: ok | warn | bad | info | muted.
export function badge(text, kind, title) {
  return el('span', {class: `badge ${kind}`, title}, text);
}

const CONDITION_KIND = {True: 'ok', False: 'bad', Unknown: 'muted'};
export function conditionBadge(cond, labels = {}) {
  const status = cond ? cond.status : 'Unknown';
  const text = labels[status] || status;
  const title = cond && (cond.reason || cond.message) ? `${cond.reason}: ${cond.message}` : '';
  return badge(text, CONDITION_KIND[status] || 'muted', title);
}

export const STATE_KIND = {
  Sustained: 'ok', ThresholdsMet: 'info', NotMet: 'bad', Unknown: 'muted',
  Healthy: 'ok', Degraded: 'bad', Stale: 'warn',
};
export const STATE_LABEL = {ThresholdsMet: 'Thresholds met', NotMet: 'Not met'};

// A progress bar; `fraction` in [0, 1] or null (no window applies).
export function progressBar(fraction, label, title) {
  const bar = el('div', {class: 'bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100,
    'aria-valuenow': fraction === null ? undefined : Math.round(fraction * 100), title});
  const fill = el('div', {class: 'fill' + (fraction >= 1 ? ' done' : '')});
  fill.style.width = `${Math.round((fraction || 0) * 1000) / 10}%`;
  bar.append(fill);
  return el('div', {class: 'progress', dataset: {progress: fraction === null ? '' : String(fraction)}},
    bar, el('span', {class: 'progress-label'}, label));
}
