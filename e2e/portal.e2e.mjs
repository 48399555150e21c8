// Browser test of the running portal: signs in as guest, opens the home page and the five area
// pages in headless Chromium and checks that each shows content that came from its backend.
//
//   node --test-reporter=spec e2e/portal.e2e.mjs      (scripts/e2e.sh starts a stack and runs it)
//
// Environment:
//   MLOPS_PORTAL_URL       the portal (default http://localhost:3000)
//   MLOPS_CHROMIUM         the browser (default /usr/bin/chromium: Debian's `chromium` package;
//                          Playwright never downloads one)
//   MLOPS_E2E_SCREENSHOTS  folder for one full-page screenshot per page
//                          (default $MLOPS_DATA/e2e, else .data/e2e)
//   MLOPS_DATA             when set, the object store row must point into it
//   MLOPS_E2E_TIMEOUT_MS   how long to wait for any one thing to appear (default 120000)
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const portalUrl = (
  process.env.MLOPS_PORTAL_URL ?? 'http://localhost:3000'
).replace(/\/$/, '');
const executablePath = process.env.MLOPS_CHROMIUM ?? '/usr/bin/chromium';
const dataDir = process.env.MLOPS_DATA;
const screenshotDir =
  process.env.MLOPS_E2E_SCREENSHOTS ??
  path.join(dataDir ?? path.join(root, '.data'), 'e2e');
const TIMEOUT = Number(process.env.MLOPS_E2E_TIMEOUT_MS ?? 120_000);
// The first page load waits for the dev server's first compile.
const FIRST_LOAD_TIMEOUT = Math.max(TIMEOUT, 300_000);
// Ray Serve starts the replicas and loads the model from MLflow.
const SERVE_TIMEOUT = Math.max(TIMEOUT, 480_000);

const RAY_CLUSTER = 'Local Ray (this machine)';
const VERSION = /^\d+\.\d+(\.\d+)?/;
const CUSTOM_MODEL = 'e2e-tiny-mlp';
const CUSTOM_MODEL_SOURCE = `from torch import nn

HYPERPARAMETER_SCHEMA = {
    "type": "object",
    "properties": {
        "hidden": {"type": "integer", "minimum": 8, "maximum": 256, "default": 16,
                   "title": "Hidden units", "description": "Width of the hidden layer."},
    },
}


class TinyMlp(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.layers = nn.Sequential(nn.Flatten(), nn.Linear(784, hidden), nn.ReLU(),
                                    nn.Linear(hidden, 10))

    def forward(self, x):
        return self.layers(x)


def build_model(config):
    return TinyMlp(config["hidden"])
`;

/** @type {import('playwright-core').Browser} */
let browser;
/** @type {import('playwright-core').Page} */
let page;
const pageErrors = [];
const failedApiCalls = [];

// ---------------------------------------------------------------- helpers

function log(message) {
  process.stdout.write(`# ${message}\n`);
}

/**
 * Saves a screenshot of the whole page. Backstage scrolls inside its page element, not the
 * document, so `fullPage` alone stops at the window: grow the window to the content first.
 */
async function screenshot(name) {
  const file = path.join(screenshotDir, `${name}.png`);
  const viewport = page.viewportSize();
  const height = await page.evaluate(() => {
    let bottom = document.documentElement.scrollHeight;
    for (const el of document.querySelectorAll('body *')) {
      if (
        el.scrollHeight > el.clientHeight &&
        /auto|scroll/.test(getComputedStyle(el).overflowY)
      ) {
        bottom = Math.max(
          bottom,
          el.getBoundingClientRect().top + el.scrollHeight,
        );
      }
    }
    return Math.ceil(bottom);
  });
  try {
    if (height > viewport.height) {
      await page.setViewportSize({
        width: viewport.width,
        height: Math.min(height, 10_000),
      });
    }
    await page.screenshot({ path: file, fullPage: true });
  } finally {
    await page.setViewportSize(viewport);
  }
  log(`screenshot ${file}`);
}

/** Waits until `fn` returns a truthy value (retrying on exceptions), and returns it. */
async function eventually(what, fn, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout;
  let lastError;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const why = lastError ? `: ${lastError.message}` : '';
      throw new Error(
        `timed out after ${timeout / 1000}s waiting for ${what}${why}`,
      );
    }
    await new Promise(resolve => setTimeout(resolve, 500));
  }
}

/**
 * Every data table on the page with the heading of the section it is in (a card's or a status
 * table's title), its column headers and its rows (cell texts, keyed by column header).
 */
async function readTables() {
  return page.evaluate(() => {
    const text = el => (el?.innerText ?? '').replace(/\s+/g, ' ').trim();
    const headingOf = table => {
      // The nearest ancestor with a heading outside the table: the card or table toolbar title.
      for (
        let el = table.parentElement;
        el && el !== document.body;
        el = el.parentElement
      ) {
        const heading = [
          // Material-UI class names carry a suffix in development builds (MuiCard-root-123).
          ...el.querySelectorAll(
            'h1, h2, h3, h4, h5, h6, [class*="MuiCardHeader-title"]',
          ),
        ].find(h => !table.contains(h));
        if (heading) return text(heading);
      }
      return '';
    };
    return [...document.querySelectorAll('table')].map(table => {
      // textContent: the headers' CSS upper-cases what innerText returns.
      const headers = [...table.querySelectorAll('thead th')].map(th =>
        th.textContent.replace(/\s+/g, ' ').trim(),
      );
      const rows = [...table.querySelectorAll('tbody tr')].map(tr => {
        const cells = [...tr.querySelectorAll('td')].map(text);
        const byColumn = Object.fromEntries(
          headers.map((h, i) => [h, cells[i] ?? '']),
        );
        return { cells, byColumn, text: cells.join(' | ') };
      });
      return { heading: headingOf(table), headers, rows };
    });
  });
}

/** The table under the heading `heading` once it has at least one row (loaded). */
async function tableUnder(heading, timeout = TIMEOUT) {
  let seen = [];
  try {
    return await eventually(
      `a table under "${heading}"`,
      async () => {
        seen = await readTables();
        return seen.find(t => t.heading === heading && t.rows.length > 0);
      },
      timeout,
    );
  } catch (error) {
    const found = seen.map(
      t => `"${t.heading}" (${t.headers.join(', ')}; ${t.rows.length} rows)`,
    );
    error.message += `; tables on ${page.url()}: ${found.join('; ') || 'none'}`;
    throw error;
  }
}

function describeTable(table) {
  return [table.headers.join(' | '), ...table.rows.map(r => r.text)].join(
    '\n    ',
  );
}

/** The row whose column `column` (or whose text, without a column) matches `name`. */
function rowNamed(table, name, column) {
  const matches = r =>
    column
      ? r.byColumn[column] === name || r.byColumn[column]?.endsWith(name)
      : r.text.includes(name);
  const row = table.rows.find(matches);
  assert.ok(
    row,
    `no row "${name}" under "${table.heading}":\n    ${describeTable(table)}`,
  );
  return row;
}

/** Checks a dependency status table: every dependency is up; returns rows by dependency name. */
function assertAllUp(table) {
  assert.deepEqual(table.headers.slice(0, 4), [
    'Status',
    'Dependency',
    'Version',
    'Details',
  ]);
  const down = table.rows.filter(r => r.byColumn.Status !== 'up');
  assert.equal(
    down.length,
    0,
    `dependencies down under "${table.heading}":\n    ${down
      .map(r => r.text)
      .join('\n    ')}`,
  );
  return Object.fromEntries(
    table.rows.map(r => [r.byColumn.Dependency, r.byColumn]),
  );
}

/**
 * Either the table's empty-state text (which may go on with a hint on what to do), or rows
 * whose `column` is filled in.
 */
function assertRowsOrEmptyState(table, emptyText, column) {
  if (table.rows.length === 1 && table.rows[0].text.startsWith(emptyText)) {
    return;
  }
  assert.ok(
    table.rows.every(r => r.byColumn[column]),
    `rows under "${table.heading}" without a ${column}:\n    ${describeTable(
      table,
    )}`,
  );
}

/** Error panels (Backstage's WarningPanel has role=alert) shown on the page. */
async function visibleAlerts() {
  return page
    .locator('[role="alert"]')
    .evaluateAll(els =>
      els
        .filter(el => el.offsetParent !== null)
        .map(el => el.innerText.replace(/\s+/g, ' ').trim()),
    );
}

async function assertNoErrorPanel() {
  const alerts = await visibleAlerts();
  assert.deepEqual(alerts, [], `error panels on ${page.url()}`);
}

/** Clicks the sidebar item `title` and waits for `pathname`. */
/** A LinkButton: an anchor that Material-UI gives the button role. */
function linkButton(name) {
  return page
    .getByRole('button', { name })
    .or(page.getByRole('link', { name }))
    .first();
}

/** Waits on a job page until the run ends; fails unless it SUCCEEDED with a registered model. */
async function runSucceeds() {
  const ended = await eventually(
    'the run to end',
    async () => {
      for (const state of ['SUCCEEDED', 'FAILED', 'CANCELLED']) {
        if (await page.getByText(state, { exact: true }).count()) return state;
      }
      return undefined;
    },
    6 * TIMEOUT,
  );
  const banner = await page.locator('[role="alert"]').allInnerTexts();
  assert.equal(ended, 'SUCCEEDED', `the run ended ${ended}: ${banner}`);
  await page
    .getByText(/Registered as model \S+ version \d+\./)
    .waitFor({ timeout: TIMEOUT });
}

/**
 * Waits until the chart (a figure named `title`) draws a line, and returns its legend's names:
 * the portal's charts come from Prometheus, which needs a few scrapes after the event.
 */
async function chartLines(title, timeout = TIMEOUT) {
  const chart = page.locator(`figure[aria-label="${title}"]`).first();
  return eventually(
    `the "${title}" chart to draw a line`,
    async () => {
      if (!(await chart.locator('.recharts-line-curve').count()))
        return undefined;
      return (
        await chart.locator('.recharts-legend-item-text').allTextContents()
      ).map(t => t.trim());
    },
    timeout,
  );
}

async function openFromSidebar(title, pathname) {
  const nav = page.getByRole('navigation', { name: 'sidebar nav' });
  const link = nav.getByRole('link', { name: title, exact: true });
  await link.click({ timeout: TIMEOUT });
  await page.waitForURL(url => new URL(url).pathname === pathname, {
    timeout: TIMEOUT,
  });
}

// ---------------------------------------------------------------- the test

describe('MLOps portal in a browser', { timeout: 30 * 60_000 }, () => {
  before(async () => {
    await mkdir(screenshotDir, { recursive: true });
    browser = await chromium.launch({
      executablePath,
      headless: true,
      // The network is closed: without these, Chromium keeps trying to reach Google services.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
    });
    page = await context.newPage();
    page.on('pageerror', error => {
      pageErrors.push(`${page.url()}: ${error.message}`);
      log(`page error on ${page.url()}: ${error.message}`);
    });
    page.on('console', message => {
      // React's development warnings (deprecations in dependencies) are not the portal's errors.
      const text = message.text();
      if (message.type() === 'error' && !text.startsWith('Warning: ')) {
        log(
          `console error on ${page.url()}: ${text
            .split('\n')[0]
            .slice(0, 500)}`,
        );
      }
    });
    page.on('response', response => {
      const url = response.url();
      if (url.includes('/api/') && response.status() >= 400) {
        const call = `${response.status()} ${response
          .request()
          .method()} ${url}`;
        failedApiCalls.push(call);
        log(`backend answered ${call}`);
      }
    });
    log(`portal ${portalUrl}, browser ${executablePath} ${browser.version()}`);
  });

  after(async () => {
    await browser?.close();
  });

  test(
    'signs in as guest',
    { timeout: FIRST_LOAD_TIMEOUT + TIMEOUT },
    async () => {
      await page.goto(portalUrl, {
        timeout: FIRST_LOAD_TIMEOUT,
        waitUntil: 'domcontentloaded',
      });
      const enter = page.getByRole('button', { name: 'Enter' });
      await enter.waitFor({ timeout: FIRST_LOAD_TIMEOUT });
      await screenshot('00-sign-in');
      await enter.click();
      // The nav element itself has no size (its drawer is fixed-positioned): wait for it to exist.
      await page
        .getByRole('navigation', { name: 'sidebar nav' })
        .waitFor({ state: 'attached', timeout: TIMEOUT });
      await page
        .getByText('MLOps portal', { exact: true })
        .first()
        .waitFor({ timeout: TIMEOUT });
    },
  );

  test(
    'home page: platform status and widgets with data from the backend',
    { timeout: 3 * TIMEOUT },
    async () => {
      assert.equal(new URL(page.url()).pathname, '/');

      const status = await tableUnder('Platform status');
      const deps = assertAllUp(status);
      const ray = deps[`Ray cluster ${RAY_CLUSTER}`];
      assert.ok(ray, `no Ray cluster row:\n    ${describeTable(status)}`);
      assert.match(ray.Version, /^2\.\d+/, 'Ray version');
      assert.match(ray.Details, /node\(s\), \d+ CPU/);
      const mlflow = deps['MLflow tracking server'];
      assert.ok(mlflow, `no MLflow row:\n    ${describeTable(status)}`);
      assert.match(mlflow.Version, /^3\.\d+/, 'MLflow version');
      assert.ok(deps['Object store writable'], 'object store row');
      log(
        `platform status: Ray ${ray.Version}, MLflow ${mlflow.Version}, ${status.rows.length} dependencies up`,
      );

      // My projects: the catalog's answer (no ML project in the embedded default, or a list).
      const projects = page.locator('[class*="MuiCard-root"]', {
        has: page.getByText('My projects', { exact: true }),
      });
      const projectsText = await eventually(
        'the "My projects" widget to load',
        async () => {
          const text = await projects.innerText();
          if (text.includes('You have no ML project yet.')) return text;
          return (await projects.locator('li').count()) > 0 ? text : undefined;
        },
      );
      log(`my projects: ${projectsText.replace(/\s+/g, ' ')}`);

      const jobs = await tableUnder('Recent jobs');
      assertRowsOrEmptyState(jobs, 'No training runs yet.', 'State');
      const models = await tableUnder('Deployed models');
      assertRowsOrEmptyState(models, 'No model is deployed yet.', 'State');
      const clusters = await tableUnder('Clusters');
      const local = rowNamed(clusters, RAY_CLUSTER, 'Cluster');
      assert.ok(
        Number(local.byColumn.CPUs) > 0,
        `CPUs of ${RAY_CLUSTER}: ${local.byColumn.CPUs}`,
      );

      // Platform health, from Prometheus: the stack's Ray node answers its scrapes.
      const nodes = await chartLines('Ray nodes answering');
      assert.ok(nodes.includes('up'), `Ray nodes chart: ${nodes}`);

      await assertNoErrorPanel();
      await screenshot('01-home');
    },
  );

  test(
    'Datasets page: datasets table and object store status',
    { timeout: 2 * TIMEOUT },
    async () => {
      await openFromSidebar('Datasets', '/datasets');
      const datasets = await tableUnder('Datasets');
      assertRowsOrEmptyState(datasets, 'No dataset yet.', 'Dataset');
      const deps = assertAllUp(await tableUnder('Datasets status'));
      assert.ok(deps['Datasets database'], 'Datasets database row');
      const store = deps['Object store writable'];
      assert.ok(store, 'Object store row');
      assert.match(
        store.Details,
        /Wrote, read back and deleted a probe object in /,
      );
      if (dataDir)
        assert.ok(
          store.Details.includes(dataDir),
          `object store outside ${dataDir}: ${store.Details}`,
        );
      await assertNoErrorPanel();
      await screenshot('02-datasets');
    },
  );

  test(
    'Experiments page: training runs and MLflow status',
    { timeout: 2 * TIMEOUT },
    async () => {
      await openFromSidebar('Experiments', '/experiments');
      const runs = await tableUnder('Training runs');
      assertRowsOrEmptyState(runs, 'No training runs yet.', 'State');
      const deps = assertAllUp(await tableUnder('MLflow and database'));
      const mlflow = deps['MLflow tracking server'];
      assert.ok(mlflow, 'MLflow row');
      assert.match(mlflow.Version, /^3\.\d+/);
      assert.ok(mlflow.Details.includes(mlflow.Version), mlflow.Details);
      assert.ok(
        Object.keys(deps).some(name => /database/i.test(name)),
        `no database row: ${Object.keys(deps)}`,
      );
      await assertNoErrorPanel();
      await screenshot('03-experiments');
    },
  );

  test(
    'New training run: the form refuses a bad value, then a small MNIST run trains on Ray and is registered',
    { timeout: 8 * TIMEOUT },
    async () => {
      await linkButton('New training run').click();
      await page.waitForURL(url => url.pathname === '/experiments/new', {
        timeout: TIMEOUT,
      });
      const epochs = page.getByLabel('Epochs', { exact: false }).first();
      await epochs.waitFor({ timeout: TIMEOUT });
      await epochs.fill('500');
      await page
        .getByText('must be at most 50')
        .first()
        .waitFor({ timeout: TIMEOUT });
      await page.getByRole('button', { name: 'Start training' }).click();
      await page
        .getByText('Some values are not valid', { exact: false })
        .waitFor({ timeout: TIMEOUT });
      assert.equal(new URL(page.url()).pathname, '/experiments/new');
      await screenshot('03a-new-training-run-invalid');

      await epochs.fill('1');
      await page
        .getByLabel('Training images used', { exact: false })
        .first()
        .fill('1000');
      await page.getByRole('button', { name: 'Start training' }).click();
      await page.waitForURL(
        url => /^\/experiments\/jobs\/.+/.test(url.pathname),
        {
          timeout: TIMEOUT,
        },
      );
      log(`job page ${page.url()}`);

      // Training 1,000 images for one epoch, then logging and registering the model in MLflow.
      await runSucceeds();
      for (const link of ['MLflow run', 'Ray Dashboard']) {
        assert.ok(await linkButton(link).count(), `no "${link}" link`);
      }
      assert.ok(
        await page.getByRole('button', { name: 'Cancel run' }).isDisabled(),
        'Cancel run is enabled on a finished run',
      );
      await page
        .getByText('Resolved configuration', { exact: true })
        .waitFor({ timeout: TIMEOUT });
      // The cluster's CPU and memory over the run, from Prometheus.
      await page
        .getByText('Cluster resources during this run', { exact: true })
        .waitFor({ timeout: TIMEOUT });
      await chartLines('CPU use');
      const memory = await chartLines('Memory');
      assert.deepEqual(memory.sort(), ['total', 'used'], 'memory chart lines');
      await screenshot('03b-training-run');
    },
  );

  test(
    'Deploy from the run page: the model becomes HEALTHY on Ray Serve, a key is created, Try it predicts a drawn digit, and a drift monitor checks the logged request',
    { timeout: 4 * TIMEOUT + SERVE_TIMEOUT },
    async () => {
      // Still on the finished job's page of the previous step.
      const registered = await page
        .getByText(/Registered as model \S+ version \d+\./)
        .first()
        .innerText({ timeout: TIMEOUT });
      const [, modelName, modelVersion] = registered.match(
        /Registered as model (\S+) version (\d+)\./,
      );
      await page
        .getByRole('button', { name: 'Deploy', exact: true })
        .or(page.getByRole('link', { name: 'Deploy', exact: true }))
        .first()
        .click({ timeout: TIMEOUT });
      await page.waitForURL(url => url.pathname === '/serving', {
        timeout: TIMEOUT,
      });

      const dialog = page.getByRole('dialog');
      await dialog
        .getByText('Deploy a model', { exact: true })
        .waitFor({ timeout: TIMEOUT });
      assert.equal(
        await dialog.locator('#deploy-modelName').inputValue(),
        modelName,
        'the dialog is not prefilled with the registered model',
      );
      assert.equal(
        await dialog.locator('#deploy-modelVersion').inputValue(),
        modelVersion,
        'the dialog is not prefilled with the registered version',
      );
      const deploymentName = await dialog.locator('#deploy-name').inputValue();
      assert.match(deploymentName, /^[a-z0-9][a-z0-9-]*$/, 'deployment name');
      await dialog.locator('#deploy-cluster').click({ timeout: TIMEOUT });
      await page
        .getByRole('option')
        .filter({ hasText: RAY_CLUSTER })
        .first()
        .click({ timeout: TIMEOUT });
      await page.getByRole('listbox').waitFor({ state: 'detached' });
      await screenshot('03b1-deploy-dialog');
      await dialog.getByRole('button', { name: 'Deploy', exact: true }).click();
      await page.waitForURL(
        url => /^\/serving\/deployments\/[^/]+$/.test(url.pathname),
        { timeout: TIMEOUT },
      );
      log(`deployment page ${page.url()} (${deploymentName})`);

      // Ray Serve starts the ingress and the model replica and loads the model from MLflow.
      const summary = page.locator('[class*="MuiCard-root"]', {
        has: page.getByText('Deployment', { exact: true }),
      });
      const state = summary.getByText(
        /^(DEPLOYING|HEALTHY|UNHEALTHY|DELETING)$/,
      );
      let said = '';
      const settled = await eventually(
        'the deployment to become HEALTHY',
        async () => {
          const rows = await summary.locator('tr').allInnerTexts();
          const message = rows
            .find(r => /^Ray Serve says/i.test(r.trim()))
            ?.replace(/^Ray Serve says\s*/i, '')
            .replace(/\s+/g, ' ')
            .trim();
          const now = `${await state.first().innerText()}: ${message ?? ''}`;
          if (now !== said) {
            said = now;
            log(`deployment ${now}`);
          }
          return /^(HEALTHY|UNHEALTHY)/.test(now) ? now : undefined;
        },
        SERVE_TIMEOUT,
      );
      assert.match(settled, /^HEALTHY/, `the deployment is ${settled}`);
      const endpoint = (await summary.locator('tr').allInnerTexts())
        .find(r => /^endpoint/i.test(r.trim()))
        ?.replace(/^endpoint\s*/i, '')
        .trim();
      assert.match(endpoint ?? '', /^https?:\/\//, 'endpoint');
      log(`endpoint ${endpoint}`);

      // An API key, shown once.
      const keysCard = page.locator('[class*="MuiCard-root"]', {
        has: page.getByText('API keys', { exact: true }),
      });
      await keysCard.getByRole('button', { name: 'Create key' }).click();
      const createDialog = page.getByRole('dialog');
      await createDialog.locator('#key-name').fill('e2e-try-it');
      await createDialog
        .getByRole('button', { name: 'Create', exact: true })
        .click();
      const keyField = page.getByRole('dialog').locator('#new-api-key');
      await keyField.waitFor({ timeout: TIMEOUT });
      const apiKey = await keyField.inputValue();
      assert.ok(apiKey.length >= 20, 'the new key is not shown');
      await page
        .getByRole('dialog')
        .getByRole('button', { name: 'I have copied it' })
        .click();
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      await keysCard
        .getByText('e2e-try-it', { exact: true })
        .waitFor({ timeout: TIMEOUT });
      assert.equal(
        await page.getByText(apiKey).count(),
        0,
        'the key is still shown after its dialog closed',
      );

      // Try it: the browser calls the inference API with the key.
      const tryIt = page.locator('[class*="MuiCard-root"]', {
        has: page.getByText('Try it', { exact: true }),
      });
      await tryIt.locator('#try-it-key').fill(apiKey);
      await tryIt.getByRole('button', { name: 'Load model' }).click();
      const canvas = tryIt.locator('canvas[aria-label="Draw a digit here"]');
      await eventually(
        'the drawing canvas (model metadata loaded)',
        async () => {
          if (await canvas.isVisible()) return true;
          const alert = tryIt.locator('[role="alert"]');
          if (await alert.count()) {
            throw new Error(`Try it says: ${await alert.first().innerText()}`);
          }
          return false;
        },
      );
      log(
        `model inputs: ${await tryIt
          .getByText(/^Inputs: /)
          .first()
          .innerText()}`,
      );
      await canvas.scrollIntoViewIfNeeded();
      const box = await canvas.boundingBox();
      // A "1": one vertical stroke down the middle.
      const x = box.x + box.width / 2;
      await page.mouse.move(x, box.y + box.height * 0.2);
      await page.mouse.down();
      await page.mouse.move(x, box.y + box.height * 0.8, { steps: 12 });
      await page.mouse.up();
      await tryIt.getByRole('button', { name: 'Predict', exact: true }).click();
      const predicted = await eventually('a prediction', async () => {
        const alert = tryIt.locator('[role="alert"]');
        if (await alert.count()) {
          throw new Error(`Try it says: ${await alert.first().innerText()}`);
        }
        const heading = tryIt.getByText(/^Predicted: /);
        return (await heading.count())
          ? heading.first().innerText()
          : undefined;
      });
      const [, digit, percent] =
        predicted.match(/^Predicted: (\d) \((\d+(?:\.\d)?)%\)$/) ?? [];
      assert.ok(digit, `not a class 0–9: "${predicted}"`);
      assert.ok(Number(percent) > 0 && Number(percent) <= 100, predicted);
      const chart = tryIt.locator('figure[aria-label="Class probabilities"]');
      await chart.waitFor({ timeout: TIMEOUT });
      const ticks = await chart
        .locator('.recharts-xAxis .recharts-cartesian-axis-tick-value')
        .allTextContents();
      assert.deepEqual(
        ticks.map(t => t.trim()),
        ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
        'class labels of the probability chart',
      );
      assert.ok(
        (await chart.locator('.recharts-bar-rectangle').count()) > 0,
        'no probability bar drawn',
      );
      const answeredBy = await tryIt
        .getByText(/^Answered by version \d+$/)
        .first()
        .innerText({ timeout: TIMEOUT });
      log(`drew a "1"; ${predicted}; ${answeredBy}`);
      assert.equal(answeredBy, `Answered by version ${modelVersion}`);
      // Try it's request in the live charts: the ingress counts it, Prometheus scrapes it, the
      // card refreshes every 15 s.
      const requests = await chartLines('Requests per second', 3 * TIMEOUT);
      assert.ok(
        requests.includes(`v${modelVersion} 2xx`),
        `request rate lines: ${requests}`,
      );
      await chartLines('Latency p50');
      await screenshot('03b2-deployment-try-it');

      // A drift monitor of the deployment; its first check reads the inference log, where Try
      // it's request is (flushed within 5 s), and compares it with the version's reference.
      const deploymentUrl = page.url();
      await openFromSidebar('Drift', '/drift');
      await page
        .getByRole('button', { name: 'New monitor', exact: true })
        .click({ timeout: TIMEOUT });
      const monitorDialog = page.getByRole('dialog');
      await monitorDialog
        .locator('#monitor-deployment')
        .click({ timeout: TIMEOUT });
      await page
        .getByRole('option')
        .filter({ hasText: deploymentName })
        .first()
        .click({ timeout: TIMEOUT });
      await page.getByRole('listbox').waitFor({ state: 'detached' });
      await monitorDialog
        .getByRole('button', { name: 'Create', exact: true })
        .click();
      await page.waitForURL(
        url => /^\/drift\/monitors\/[^/]+$/.test(url.pathname),
        { timeout: TIMEOUT },
      );
      await page
        .getByRole('button', { name: 'Run check now', exact: true })
        .click({ timeout: TIMEOUT });
      const verdict = await page
        .getByText(/^(Not enough data|No drift|Drift detected)/)
        .first()
        .innerText({ timeout: 3 * TIMEOUT });
      log(`drift check: ${verdict}`);
      // One drawn digit is far fewer inputs than a check tests.
      assert.match(verdict, /^Not enough data: /);
      await screenshot('03b3-drift-monitor');
      await page.goto(deploymentUrl);

      // Undeploy, so that Ray Serve is left as it was.
      await page.getByRole('button', { name: 'Undeploy', exact: true }).click();
      const confirm = page.getByRole('dialog');
      await confirm.locator('#undeploy-reason').fill('end of the browser test');
      await confirm.getByRole('button', { name: 'Yes, undeploy' }).click();
      await page.waitForURL(url => url.pathname === '/serving', {
        timeout: TIMEOUT,
      });
      const deployments = await tableUnder('Deployments');
      assert.ok(
        !deployments.rows.some(r => r.byColumn.Name === deploymentName),
        `${deploymentName} is still listed:\n    ${describeTable(deployments)}`,
      );
    },
  );

  test(
    'Custom models: a module uploaded from the page is checked in Ray, then trains from "Train this model"',
    { timeout: 10 * TIMEOUT },
    async () => {
      await openFromSidebar('Experiments', '/experiments');
      await linkButton('Custom models').click();
      await page.waitForURL(
        url => url.pathname === '/experiments/custom-models',
        { timeout: TIMEOUT },
      );
      await page
        .getByLabel('Name', { exact: false })
        .first()
        .fill(CUSTOM_MODEL);
      await page
        .getByLabel('Python source', { exact: false })
        .first()
        .fill(CUSTOM_MODEL_SOURCE);
      await page.getByRole('button', { name: 'Check and upload' }).click();
      await page
        .getByText(new RegExp(`${CUSTOM_MODEL} version \\d+ is ready to train`))
        .waitFor({ timeout: 4 * TIMEOUT });
      await screenshot('03c-custom-model-uploaded');

      await linkButton('Train this model').click();
      await page.waitForURL(url => url.pathname === '/experiments/new', {
        timeout: TIMEOUT,
      });
      await page
        .getByLabel('Hidden units', { exact: false })
        .first()
        .fill('24');
      await page.getByLabel('Epochs', { exact: false }).first().fill('1');
      await page
        .getByLabel('Training images used', { exact: false })
        .first()
        .fill('1000');
      await page.getByRole('button', { name: 'Start training' }).click();
      await page.waitForURL(
        url => /^\/experiments\/jobs\/.+/.test(url.pathname),
        {
          timeout: TIMEOUT,
        },
      );
      log(`custom model job page ${page.url()}`);
      await runSucceeds();
      await page
        .getByText(new RegExp(`^${CUSTOM_MODEL} version \\d+ \\(source sha256`))
        .waitFor({ timeout: TIMEOUT });
      await screenshot('03d-custom-model-run');
    },
  );

  test(
    'Ray clusters page: the local cluster with its resources',
    { timeout: 2 * TIMEOUT },
    async () => {
      await openFromSidebar('Ray clusters', '/ray-clusters');
      const clusters = await tableUnder('Clusters');
      const local = rowNamed(clusters, RAY_CLUSTER, 'Cluster');
      assert.match(local.byColumn.Ray, /^2\.\d+/, 'Ray version');
      assert.ok(
        Number(local.byColumn.CPUs) > 0,
        `CPUs: ${local.byColumn.CPUs}`,
      );
      assert.ok(
        Number(local.byColumn.Nodes) >= 1,
        `Nodes: ${local.byColumn.Nodes}`,
      );
      assert.match(local.byColumn.Memory, /\d/, 'Memory');
      assert.match(
        local.byColumn.State,
        /^Ray 2\.\d+.*: \d+ node\(s\), \d+ CPU/,
      );
      const deps = assertAllUp(await tableUnder('Ray connectivity'));
      const ray = deps[`Ray cluster ${RAY_CLUSTER}`];
      assert.ok(ray, 'Ray cluster status row');
      assert.equal(ray.Version, local.byColumn.Ray);
      await assertNoErrorPanel();
      await screenshot('04-ray-clusters');

      // The cluster's own page: its utilisation over time, from Prometheus.
      await page
        .getByRole('link', { name: RAY_CLUSTER, exact: true })
        .first()
        .click();
      await page
        .getByText('Utilisation', { exact: true })
        .waitFor({ timeout: TIMEOUT });
      await chartLines('CPU use');
      await assertNoErrorPanel();
      await screenshot('04a-ray-cluster');
    },
  );

  test(
    'Serving page: deployments and Ray Serve status',
    { timeout: 2 * TIMEOUT },
    async () => {
      await openFromSidebar('Serving', '/serving');
      const deployments = await tableUnder('Deployments');
      assertRowsOrEmptyState(deployments, 'No model is deployed yet.', 'State');
      const deps = assertAllUp(await tableUnder('Ray Serve and database'));
      const serve = deps[`Ray Serve on ${RAY_CLUSTER}`];
      assert.ok(serve, `no Ray Serve row: ${Object.keys(deps)}`);
      assert.match(serve.Details, /\d+ of \d+ application/);
      assert.ok(
        Object.keys(deps).some(name => /database/i.test(name)),
        `no database row: ${Object.keys(deps)}`,
      );
      await assertNoErrorPanel();
      await screenshot('05-serving');
    },
  );

  test(
    'Drift page: monitors and their status',
    { timeout: 2 * TIMEOUT },
    async () => {
      await openFromSidebar('Drift', '/drift');
      const monitors = await tableUnder('Drift monitors');
      assertRowsOrEmptyState(monitors, 'No drift monitor yet.', 'Monitor');
      const deps = assertAllUp(await tableUnder('Drift status'));
      assert.ok(
        deps['Drift database'],
        `no Drift database row: ${Object.keys(deps)}`,
      );
      await assertNoErrorPanel();
      await screenshot('06-drift');
    },
  );

  test('no uncaught error in the page and no failed backend call', () => {
    assert.deepEqual(pageErrors, [], 'uncaught errors in the page');
    assert.deepEqual(failedApiCalls, [], 'backend calls that failed');
  });
});
