import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createOwnerAndDevice } from './support/fixtures';
import { createTestApi, type TestApi } from './support/test-api';

// GraphiQL in a real browser: headless Chromium (Debian's `chromium`, driven by playwright-core) opens
// the page this API serves, puts an access token in the Headers tab as the README says, runs the
// default query, and sees its result. Nothing is fetched from beyond this server.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT_DIR = path.resolve(__dirname, '../test-output');
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`Chromium is required in CI and is missing at ${CHROMIUM} (.ci/run installs it)`);
if (!available) {
  // Outside CI the test is skipped, saying why, rather than failing on a machine without a browser.
  process.stderr.write(`GraphiQL browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)\n`);
}

let api: TestApi;
let browser: Browser;
beforeAll(async () => {
  if (!available) return;
  api = await createTestApi();
  await createOwnerAndDevice(api, 'Browser valve');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
  await api?.close();
});

(available ? describe : describe.skip)('GraphiQL in headless Chromium', () => {
  it('runs the default query with a token from the Headers tab and shows the result', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const elsewhere: string[] = [];
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.origin === new URL(api.url).origin) return route.continue();
      elsewhere.push(url.href);
      return route.abort();
    });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${api.url}/graphql`);
    await page.waitForSelector('.graphiql-execute-button', { timeout: 20_000 });

    await page.getByRole('button', { name: 'Headers' }).click();
    // The tools pane holds the variables and the headers editors; the Headers tab shows the second.
    await page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror').click();
    // As one input, as a paste is: typed key by key, the editor would close each bracket and quote itself.
    await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${api.admin!.token}` }));
    await page.click('.graphiql-execute-button');
    // Read in the page (CodeMirror 5 keeps each editor on its element), polled from here: the page's CSP
    // forbids the eval that waitForFunction needs, and the tests have no DOM types, hence the text.
    const responseText = "(document.querySelector('.graphiql-response .CodeMirror')?.CodeMirror.getValue() ?? '')";
    let text = '';
    for (const deadline = Date.now() + 20_000; !text.includes('"data"') && Date.now() < deadline; ) {
      text = await page.evaluate<string>(responseText);
      if (!text.includes('"data"')) await page.waitForTimeout(100);
    }
    const shown = JSON.parse(text) as { data?: { devices: { totalCount: number; edges: Array<{ node: { name: string } }> } } };

    mkdirSync(OUTPUT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'graphiql.png') });
    await context.close();

    expect(shown.data?.devices.totalCount).toBeGreaterThanOrEqual(1);
    expect(shown.data?.devices.edges.map((edge) => edge.node.name)).toContain('Browser valve');
    expect(elsewhere).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(existsSync(path.join(OUTPUT_DIR, 'graphiql.png'))).toBe(true);
  }, 60_000);
});
