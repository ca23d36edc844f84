import { Browser, BrowserContext, Page } from 'playwright-core';

export { launchChromium } from '../../tools/console/chromium';

/** A fresh browser profile (own cookies) signed in through the console's login form. */
export async function signIn(
  browser: Browser,
  consoleUrl: string,
  username: string,
  password: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(consoleUrl);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('current-user').waitFor();
  return { context, page };
}
