import type { Browser } from 'playwright-core';
import { launchChromium, phoneContext } from './support/chromium';
import { JOURNEY_ROUTES, JourneyContext, LEARNER_JOURNEY, screenshotTaker } from './support/journey';
import { newAccount, Site, startSite } from './support/site';

jest.setTimeout(180_000);

describe.each(JOURNEY_ROUTES)('a learner on a 390 px phone, in $locale, on $course', ({ locale, course }) => {
  let site: Site;
  let browser: Browser;
  let ctx: JourneyContext;

  beforeAll(async () => {
    [site, browser] = await Promise.all([startSite(), launchChromium()]);
    const context = await phoneContext(browser);
    const page = await context.newPage();
    ctx = { site, page, locale, course, account: newAccount(locale), state: {}, shot: screenshotTaker(page, locale) };
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  // Steps share one page and run in order; a failed step leaves the rest failing after it.
  it.each(LEARNER_JOURNEY.map((step) => [step.name, step]))('%s', async (_name, step) => {
    await step.run(ctx);
  });
});
