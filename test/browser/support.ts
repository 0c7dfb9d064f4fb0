// Shared set-up for the browser tests: the real API listening on a port (serving the console) over
// a time-skipping Temporal server with the real workers, the real ledger and SMTP receiver, and
// Debian's Chromium driven by playwright-core. Screenshots go to test-artifacts/screenshots/.
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { signToken, type ClaimsInput } from '../../src/api/auth';
import { buildApi } from '../../src/api/server';
import type { Config } from '../../src/config';
import { eventually } from '../support/helpers';
import { lifecycleSuite, type Suite } from '../support/lifecycle';

export const SHOTS = path.resolve(__dirname, '../../test-artifacts/screenshots');

export interface BrowserSuite extends Suite {
  app: FastifyInstance;
  /** http://127.0.0.1:<port> */
  base: string;
  browser: Browser;
  newPage(): Promise<Page>;
  /** Sign in on the login page by pasting a token signed for this person and role; wait for `home`. */
  tokenLogin(page: Page, claims: ClaimsInput, home: string): Promise<void>;
}

export function browserSuite(): BrowserSuite {
  const s = lifecycleSuite() as BrowserSuite;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    // The console builds the link in the e-mail from API_PUBLIC_URL: this server's own address.
    const config: Config = { ...s.h.config };
    s.app = buildApi({ pool: s.h.pool, xc: s.xc, config, mailer: s.h.mailer });
    await s.app.listen({ port: 0, host: '127.0.0.1' });
    s.base = `http://127.0.0.1:${(s.app.server.address() as AddressInfo).port}`;
    config.API_PUBLIC_URL = s.base;
    s.browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-background-networking'] });
    s.newPage = async () => {
      const ctx = await s.browser.newContext({ acceptDownloads: true, locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
      contexts.push(ctx);
      return ctx.newPage();
    };
    s.tokenLogin = async (page, claims, home) => {
      await page.goto(`${s.base}/login`);
      await page.getByLabel('会话令牌').fill(signToken(claims, s.h.config.API_TOKEN_SECRET, 3600));
      await page.getByTestId('token-login').click();
      await visible(page, home);
      await page.waitForLoadState('networkidle');
    };
  }, 120_000);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await s.browser?.close();
    await s.app?.close();
  });
  return s;
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** Wait for a page element; on failure keep a screenshot and say what the page showed instead. */
export async function visible(page: Page, testid: string, timeout = 30_000): Promise<void> {
  try {
    await page.getByTestId(testid).waitFor({ timeout });
  } catch (e) {
    await shot(page, `FAILED-${testid}`).catch(() => undefined);
    const shown = await page.locator('[role=alert]').allTextContents().catch(() => []);
    throw new Error(`${testid} not shown at ${page.url()}${shown.length ? `; the page says: ${shown.join(' | ')}` : ''}\n${(e as Error).message}`);
  }
}

/** Reload `url` until the element's text is `want` (the ledger follows the workflow shortly after). */
export async function textAfterReloads(page: Page, url: string, testid: string, want: string): Promise<string> {
  let last = '';
  await eventually(async () => {
    await page.goto(url);
    last = (await page.getByTestId(testid).textContent({ timeout: 10_000 })) ?? '';
    return last === want;
  }, 30_000).catch(() => undefined);
  return last;
}
