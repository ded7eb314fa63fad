import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildApp, repoRoot, startAppUnderTest, type AppUnderTest } from '../config/app-under-test';

/**
 * The operators' dashboard in Debian's Chromium (driven by playwright-core, no browser download) against the real
 * app on the local host: streams are driven into their states by signals to the stream entity (as the workers'
 * orchestrations would), semaphores through the configuration API, and the page's buttons act through the API.
 */
const chromiumPath = '/usr/bin/chromium';
const screenshot = path.join(repoRoot, 'test-results', 'dashboard.png');

describe('operators dashboard in Chromium on the local host', () => {
  let app: AppUnderTest;
  let appDir: string;
  let browser: Browser;
  let page: Page;
  const failedWorker = 'stream-worker:UK_Account:w1';
  const queuedWorker = 'stream-worker:FR_Account:w2';

  const signal = async (entity: string, key: string, op: string, input: unknown) => {
    const url = `${app.host.url}/runtime/webhooks/durabletask/entities/${entity}/${encodeURIComponent(key)}?op=${op}`;
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
    expect(response.status).toBe(202);
  };
  const stream = async (id: string) => (await (await app.call('GET', `streams/${id}`)).json()) as Record<string, unknown>;
  const append = (id: string, worker: string, count: number) =>
    signal('stream', id, 'append', { events: Array.from({ length: count }, (_, i) => ({ stream: id, occurredAtMs: 1_000 + i })), candidateWorkerId: worker, leaseInMs: 600_000, nowMs: Date.now() - 5_000 });

  beforeAll(async () => {
    appDir = buildApp();
    app = await startAppUnderTest(appDir, {
      SLUICE_TASK_HUB: 'SluiceDashboardTest',
      SLUICE_CONFIG: JSON.stringify({ semaphores: [{ kind: 'target', name: 'pg', capacity: 3 }] }),
    });
    // UK_Account: its worker takes a window that fails once with suspendAfterFailures 1, so it suspends with that window.
    await append('UK_Account', failedWorker, 3);
    await signal('stream', 'UK_Account', 'take', {
      workerId: failedWorker, leaseInMs: 600_000, nowMs: Date.now(),
      limits: { maxRecordsPerWindow: 100, maxBlobRefsPerWindow: 100, maxEventsPerWindow: 100 }, keys: { keyColumns: ['id'] },
    });
    await app.durableIdle();
    const windowId = (await stream('UK_Account'))['openWindowId'];
    expect(typeof windowId).toBe('string');
    await signal('stream', 'UK_Account', 'fail', { workerId: failedWorker, windowId, error: 'COPY failed: relation "account" does not exist', suspendAfterFailures: 1, nowMs: Date.now() });
    // FR_Account: running, its worker queued on target:pg behind another owner (capacity lowered to 1 by the config API).
    await append('FR_Account', queuedWorker, 1);
    expect((await app.call('PUT', 'config/semaphores/target:pg', { body: { kind: 'target', name: 'pg', capacity: 1 } })).status).toBe(201);
    await signal('semaphore', 'target:pg', 'acquire', { owner: 'someone-else', want: 1, leaseInMs: 600_000, capacityIfNew: 1, nowMs: Date.now() });
    await signal('semaphore', 'target:pg', 'acquire', { owner: queuedWorker, want: 1, leaseInMs: 600_000, capacityIfNew: 1, nowMs: Date.now() });
    await app.durableIdle();

    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const key = app.host.keys.functionKeys['default'] ?? '';
    const response = await page.goto(`${app.host.url}/api/dashboard?code=${encodeURIComponent(key)}`);
    expect(response?.status()).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (appDir !== undefined) rmSync(appDir, { recursive: true, force: true });
  });

  it('is served only with the function key, as a self-contained page', async () => {
    expect((await fetch(`${app.host.url}/api/dashboard`)).status).toBe(401);
    const html = await (await app.call('GET', 'dashboard')).text();
    expect(html).toContain('<title>Sluice dashboard</title>');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
  });

  it('shows the suspended stream highlighted with its reason, and where the running one waits', async () => {
    const uk = page.locator('tr[data-stream="UK_Account"]');
    await uk.waitFor();
    await expect(uk.getAttribute('class')).resolves.toBe('suspended');
    expect(await uk.innerText()).toContain('relation "account" does not exist');
    expect(await uk.locator('td').nth(3).innerText()).toBe('3');
    const fr = page.locator('tr[data-stream="FR_Account"]');
    expect(await fr.innerText()).toContain('target:pg (#1 in target:pg)');
    const pg = page.locator('tr[data-semaphore="target:pg"]');
    expect((await pg.locator('td').allInnerTexts()).slice(0, 4).map((text) => text.trim())).toEqual(['1', '1', '1', '100 %']);
    expect(await pg.getByRole('img').getAttribute('aria-label')).toMatch(/^Saturation of target:pg over the last \d+ refreshes: min \d+ %, max 100 %$/);
    expect(await page.getByRole('status').innerText()).toMatch(/^Updated /);
  });

  it('discards the failed window with the keyboard-usable button; the page and the API agree', async () => {
    await page.getByRole('button', { name: 'Discard the failed window of UK_Account' }).click();
    await page.getByRole('status').filter({ hasText: 'reconcile of UK_Account done: status suspended, 3 event(s) discarded.' }).waitFor();
    expect(await stream('UK_Account')).toMatchObject({ status: 'suspended', pendingEvents: 0, suspension: { failedWindow: null } });
    const uk = page.locator('tr[data-stream="UK_Account"]');
    expect(await uk.locator('td').nth(3).innerText()).toBe('0');
    await expect(page.getByRole('button', { name: 'Discard the failed window of UK_Account' }).count()).resolves.toBe(0);
  });

  it('suspends a running stream through the labelled reason dialog', async () => {
    await page.getByRole('button', { name: 'Suspend FR_Account' }).click();
    await page.getByLabel('Reason (shown to other operators)').fill('target table locked for maintenance');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'suspend of FR_Account done: status suspended.' }).waitFor();
    expect(await stream('FR_Account')).toMatchObject({ status: 'suspended', suspension: { reason: 'target table locked for maintenance' } });
    expect(await page.locator('tr[data-stream="FR_Account"]').getAttribute('class')).toBe('suspended');
    mkdirSync(path.dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
  });
});
