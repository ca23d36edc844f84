import { Browser, BrowserContext, Page } from 'playwright-core';

export { launchChromium } from '../../tools/console/chromium';

/**
 * What went wrong in the page itself, whatever the test was looking at: uncaught exceptions and
 * Content-Security-Policy refusals (an inline script or style the CSP blocks would silently break
 * a feature). Failed HTTP answers are not listed: a 401 or 403 is often the point of a test.
 */
export const pageProblems: string[] = [];

export function watchPage(page: Page): Page {
  page.on('pageerror', (error) => pageProblems.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text()))
      pageProblems.push(`csp: ${message.text()}`);
  });
  return page;
}

/** A fresh browser profile (own cookies) signed in through the console's login form. */
export async function signIn(
  browser: Browser,
  consoleUrl: string,
  username: string,
  password: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = watchPage(await context.newPage());
  await page.goto(consoleUrl);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('current-user').waitFor();
  return { context, page };
}
