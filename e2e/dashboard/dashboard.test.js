// The browser half of dashboard_test.sh (read its header first): headless Debian chromium
// driven by playwright-core against the real limen-operator, every expectation read from
// the CRs with kubectl. CommonJS so that NODE_PATH (the npm cache of scripts/setup) resolves.
'use strict';
const assert = require('node:assert/strict');
const {execFileSync} = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const {chromium} = require('playwright-core');
const Ajv2020 = require('ajv/dist/2020').default;

function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (run through dashboard_test.sh)`);
  return v;
}
const LEADER = env('LEADER_URL'), FOLLOWER = env('FOLLOWER_URL');
const NS_A = env('NS_A'), NS_B = env('NS_B'), NODE = env('NODE');
const ARTIFACTS = env('ARTIFACTS'), CHROMIUM = env('LIMEN_CHROMIUM');
const SCHEMA_FILE = path.resolve(__dirname, '../../operator/src/dashboard/summary.schema.json');

const POLICIES = [
  ['ObservabilityPolicy', NS_A, 'web-obs'], ['ResiliencePolicy', NS_A, 'web-res'],
  ['ObservabilityPolicy', NS_B, 'api-obs'], ['ObservabilityPolicy', NS_B, 'batch-obs'],
];
const WORKLOADS = [[NS_A, 'pod-web', 'Sustained'], [NS_A, 'pod-cache', 'Unknown'],
  [NS_B, 'pod-api', 'ThresholdsMet'], [NS_B, 'pod-batch', 'NotMet']];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const step = (s) => console.log(`-- ${s}`);
const kubectl = (...args) => JSON.parse(execFileSync('kubectl', [...args, '-o', 'json'], {encoding: 'utf8'}));

// Retries `fn` until it stops throwing (status and page both settle), then returns its value.
async function eventually(what, fn, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`${what}: ${e.message}`);
    }
    await sleep(500);
  }
}

const condition = (obj, type) => (obj.status?.conditions || []).find((c) => c.type === type)?.status || 'Unknown';
function stateOf(iwl) {
  if (condition(iwl, 'Ready') === 'True') return 'Sustained';
  const tm = condition(iwl, 'ThresholdsMet');
  return tm === 'True' ? 'ThresholdsMet' : tm === 'False' ? 'NotMet' : 'Unknown';
}

async function checkSchema() {
  step('schema: /api/v1/summary of leader and follower against summary.schema.json (ajv)');
  const schemaText = fs.readFileSync(SCHEMA_FILE, 'utf8');
  const validate = new Ajv2020({strict: true, allErrors: true}).compile(JSON.parse(schemaText));
  const served = await (await fetch(`${LEADER}/api/v1/summary/schema`)).text();
  assert.equal(served, schemaText, 'the served schema is the source file');
  for (const [who, url] of [['leader', LEADER], ['follower', FOLLOWER]]) {
    const res = await fetch(`${url}/api/v1/summary`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    const summary = await res.json();
    assert.ok(validate(summary), `${who}: ${JSON.stringify(validate.errors, null, 1)}`);
    assert.equal(summary.operator.leader, who === 'leader', `${who}: operator.leader`);
    for (const [kind, ns, name] of POLICIES) {
      assert.ok(summary.policies.some((p) => p.kind === kind && p.namespace === ns && p.name === name),
        `${who} lists ${kind} ${ns}/${name}`);
    }
  }
  // A negative control: the validator does reject a document that breaks the schema.
  const broken = await (await fetch(`${LEADER}/api/v1/summary`)).json();
  broken.workloads.push({name: 'x'});
  assert.equal(validate(broken), false, 'ajv rejects an incomplete workload');
  const post = await fetch(`${LEADER}/api/v1/summary`, {method: 'POST', body: '{}'});
  assert.equal(post.status, 405, 'read-only: POST is refused');
}

// The text of each cell of a table row, by data-field; null when the row is absent.
async function rowCells(page, table, attrs) {
  const sel = `#${table} tbody tr` + Object.entries(attrs).map(([k, v]) => `[data-${k}="${v}"]`).join('');
  return page.evaluate((s) => {
    const tr = document.querySelector(s);
    if (!tr) return null;
    const out = {_state: tr.dataset.state};
    for (const td of tr.querySelectorAll('td[data-field]')) {
      out[td.dataset.field] = td.innerText.trim();
      // The cell's first line: its leading text node or first element (a badge, a value).
      const lead = td.firstElementChild?.firstChild ?? td.firstChild;
      out[`${td.dataset.field}.lead`] = lead ? lead.textContent.trim() : '';
      const crit = td.querySelector('.crit');
      if (crit) {
        out[`${td.dataset.field}.met`] = crit.dataset.met;
        out[`${td.dataset.field}.value`] = crit.querySelector('.value').textContent;
        out[`${td.dataset.field}.threshold`] = crit.querySelector('.threshold').textContent;
        out[`${td.dataset.field}.metSince`] = crit.querySelector('.since')?.dataset.metSince ?? null;
      }
      const progress = td.querySelector(':scope > .progress');
      if (progress) out[`${td.dataset.field}.fraction`] = progress.dataset.progress;
    }
    return out;
  }, sel);
}

async function checkPolicies(page) {
  step('policies: the page equals kubectl get -o json');
  for (const [kind, ns, name] of POLICIES) {
    await eventually(`${kind} ${ns}/${name}`, async () => {
      const st = kubectl('get', kind.toLowerCase(), '-n', ns, name).status || {};
      const cells = await rowCells(page, 'policies', {kind, namespace: ns, name});
      assert.ok(cells, 'row present');
      assert.equal(cells.matchedWorkloads, String(st.matchedWorkloads ?? 0));
      assert.equal(cells.ready, condition({status: st}, 'Ready'));
      if (kind === 'ObservabilityPolicy') {
        assert.equal(cells.workloadsSustained, String(st.workloadsSustained ?? 0));
        // Zero counts may be absent from status (omitempty).
        const n = st.nodes || {};
        assert.equal(cells.nodesLoaded, `${n.loaded ?? 0}/${n.desired ?? 0}`);
        assert.equal(cells['nodesFailed.lead'], String(n.failed ?? 0));
        for (const f of n.failing || []) assert.ok(cells.nodesFailed.includes(`${f.node}: ${f.reason}`));
        assert.equal(cells.coverage, st.coverage ?? '—');
      } else {
        assert.equal(cells.coverage, `${st.injectedPods ?? 0} pods injected`);
      }
    });
  }
  const batch = await rowCells(page, 'policies', {kind: 'ObservabilityPolicy', namespace: NS_B, name: 'batch-obs'});
  assert.equal(batch.ready, 'False', 'batch-obs has a failed probe on its node');
  assert.ok(batch.nodesFailed.includes('tcp.retransmit'), batch.nodesFailed);
}

async function checkWorkloads(page) {
  step('workloads: state, pods, criteria (value, threshold, met, metSince), progress = kubectl');
  for (const [ns, name, wantState] of WORKLOADS) {
    await eventually(`workload ${ns}/${name}`, async () => {
      const iwl = kubectl('get', 'instrumentedworkload', '-n', ns, name);
      const st = iwl.status || {};
      assert.equal(stateOf(iwl), wantState, 'the scenario produced the intended state');
      const cells = await rowCells(page, 'workloads', {namespace: ns, name});
      assert.ok(cells, 'row present');
      assert.equal(cells._state, wantState);
      assert.equal(cells.pods, `${st.pods?.instrumented ?? 0}/${st.pods?.total ?? 0}`);
      for (const c of st.criteria || []) {
        assert.equal(cells[`${c.name}.met`], c.met, `${c.name} met`);
        assert.equal(cells[`${c.name}.value`], c.value || '—', `${c.name} value`);
        assert.ok(cells[`${c.name}.threshold`].endsWith(c.threshold), `${c.name} threshold`);
        assert.equal(cells[`${c.name}.metSince`], c.metSince ?? null, `${c.name} metSince`);
      }
      assert.equal(cells.criteriaMet.split(' ')[0], `${st.criteriaMet ?? 0}/3`);
      const fraction = cells['progress.fraction'];
      if (wantState === 'Sustained') assert.equal(fraction, '1');
      if (wantState === 'NotMet') assert.equal(fraction, '0');
      if (wantState === 'Unknown') assert.equal(cells.progress, 'no thresholds');
      if (wantState === 'ThresholdsMet') {
        // 2 of 3 required, sustainFor 1h: the 2nd-longest window over 3600 s.
        const held = st.criteria.filter((c) => c.met === 'True')
          .map((c) => (Date.now() - Date.parse(c.metSince)) / 1000).sort((a, b) => b - a);
        const want = held[1] / 3600;
        assert.ok(Math.abs(Number(fraction) - want) < 0.01, `progress ${fraction} vs ${want}`);
        assert.ok(Number(fraction) > 0 && Number(fraction) < 1);
      }
    });
  }
}

const visible = (page, table) => page.$$eval(`#${table} tbody tr[data-name]`,
  (trs) => trs.map((tr) => `${tr.dataset.namespace || ''}/${tr.dataset.name}`));
const ours = (rows) => rows.filter((r) => r.startsWith(`${NS_A}/`) || r.startsWith(`${NS_B}/`));

async function checkFiltersAndSorting(page) {
  step('filters: namespace and state; sorting by a criterion');
  await page.selectOption('#filter-namespace', NS_B);
  let rows = await visible(page, 'workloads');
  assert.deepEqual(rows, [`${NS_B}/pod-api`, `${NS_B}/pod-batch`]);
  assert.deepEqual(await visible(page, 'policies'), [`${NS_B}/api-obs`, `${NS_B}/batch-obs`]);
  for (const [ns, state, want] of [[NS_B, 'NotMet', 'pod-batch'], [NS_B, 'ThresholdsMet', 'pod-api'],
    [NS_A, 'Sustained', 'pod-web'], [NS_A, 'Unknown', 'pod-cache']]) {
    await page.selectOption('#filter-namespace', ns);
    await page.selectOption('#filter-state', state);
    assert.deepEqual(await visible(page, 'workloads'), [`${ns}/${want}`], `${ns} + ${state}`);
  }
  await page.selectOption('#filter-state', '');
  await page.selectOption('#filter-namespace', NS_B);
  await page.click('#workloads button[data-sort="Startup"]');  // 8ms before 50ms
  assert.deepEqual(await visible(page, 'workloads'), [`${NS_B}/pod-api`, `${NS_B}/pod-batch`]);
  await page.click('#workloads button[data-sort="Startup"]');
  assert.deepEqual(await visible(page, 'workloads'), [`${NS_B}/pod-batch`, `${NS_B}/pod-api`]);
  assert.equal(await page.getAttribute('#workloads th[aria-sort="descending"] button', 'data-sort'), 'Startup');
  await page.click('#workloads button[data-sort="namespace"]');
  await page.selectOption('#filter-namespace', '');
  rows = ours(await visible(page, 'workloads'));
  assert.deepEqual(rows.sort(), WORKLOADS.map(([ns, n]) => `${ns}/${n}`).sort(), 'all of ours back');
}

async function checkLiveUpdate(page) {
  step('live update: change the NodeProbeState, the page follows without a reload');
  const node = await eventually('node row', async () => {
    const c = await rowCells(page, 'nodes', {name: NODE});
    assert.ok(c);
    return c;
  });
  assert.ok(node.kernel.includes('6.1.0-limen-e2e'), node.kernel);
  assert.ok(node.failing.includes('tcp.retransmit'), node.failing);
  await page.evaluate(() => { window.__sameDocument = true; });
  const pollsBefore = await page.evaluate(() => window.limenDashboard.polls);
  const reason = `uprobe runtime.newproc1: symbol not found (${NODE})`;
  const nps = kubectl('get', 'nodeprobestate', NODE).status;
  nps.kernel.release = '6.1.0-limen-e2e-updated';
  nps.probes.push({name: 'go.goroutine.create', state: 'Failed', error: reason});
  nps.probesSummary = '2/4';
  nps.reportedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  execFileSync('kubectl', ['patch', 'nodeprobestate', NODE, '--subresource=status', '--type=merge',
    '-p', JSON.stringify({status: nps})]);
  const updated = await eventually('the page shows the new state', async () => {
    const c = await rowCells(page, 'nodes', {name: NODE});
    assert.ok(c.kernel.includes('6.1.0-limen-e2e-updated'), c.kernel);
    assert.ok(c.failing.includes(reason), c.failing);
    return c;
  }, 15000);
  assert.ok(updated.probes.startsWith('2/4'), updated.probes);
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'no reload');
  assert.equal(await page.evaluate(() => performance.getEntriesByType('navigation').length), 1);
  assert.ok(await page.evaluate(() => window.limenDashboard.polls) > pollsBefore);
}

async function main() {
  await checkSchema();
  step(`chromium ${CHROMIUM}`);
  const browser = await chromium.launch({executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage']});
  const external = [], errors = [];
  try {
    const context = await browser.newContext({viewport: {width: 1500, height: 1000}, colorScheme: 'light'});
    // Offline: anything but the operator itself is recorded and refused.
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1') return route.continue();
      external.push(url.href);
      return route.abort();
    });
    const page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    const methods = new Set();
    page.on('request', (r) => methods.add(r.method()));
    await page.goto(`${LEADER}/dashboard`);
    await page.waitForSelector(`#workloads tbody tr[data-name="pod-web"][data-namespace="${NS_A}"]`);
    assert.match(await page.textContent('#operator'), /dash-leader/);

    await checkPolicies(page);
    await checkWorkloads(page);
    await checkFiltersAndSorting(page);
    await checkLiveUpdate(page);

    step('screenshots');
    const light = path.join(ARTIFACTS, 'dashboard.png');
    await page.screenshot({path: light, fullPage: true});
    await page.emulateMedia({colorScheme: 'dark'});
    await sleep(300);
    const dark = path.join(ARTIFACTS, 'dashboard-dark.png');
    await page.screenshot({path: dark, fullPage: true});
    console.log(`screenshot: ${light}\nscreenshot: ${dark}`);

    assert.deepEqual(external, [], 'the page loads nothing from outside the operator');
    assert.deepEqual(errors, [], 'no console errors (CSP violations included)');
    assert.deepEqual([...methods], ['GET'], 'the page only sends GETs');
  } finally {
    await browser.close();
  }
  console.log('dashboard: every check passed');
}

main().catch((e) => {
  console.error(`FAIL: ${e.stack || e}`);
  process.exit(1);
});
