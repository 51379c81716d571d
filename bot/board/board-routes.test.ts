import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boardCampaign } from '../../core/board/board-view.ts';
import type { NewPledge } from '../../core/funds/fund.repository.ts';
import { createFixedClock } from '../../core/shared/clock.ts';
import { createStore } from '../../prisma/store.ts';
import { startApp, tempDatabase } from '../../test/support/app-harness.ts';
import { moneyPledge } from '../../test/support/fixtures.ts';
import type { App } from '../app.ts';

// 10/03/2025 10:00 in Vietnam: the fixture's campaign runs.
const clock = createFixedClock('2025-03-10T03:00:00Z');
const PHONE = '0987 654 321';

let app: App;
let db: ReturnType<typeof tempDatabase>;
let base: string;
let store: ReturnType<typeof createStore>;
let campaignCode: string;

async function pledge(fields: Partial<NewPledge>): Promise<string> {
  return store.run(async (tx) => {
    const campaign = await boardCampaign(tx, undefined, clock.now());
    if (!campaign?.areaUnitId) {
      throw new Error('the fixture has no running campaign with an area');
    }
    const { ref } = await tx.pledges.create(
      moneyPledge({
        campaignId: campaign.id,
        donorKind: 'individual',
        donorName: 'Nguyễn Văn Ẩn',
        fundUnitId: campaign.areaUnitId,
        amount: 5_000_000n,
        donorPhone: PHONE,
        dueOn: null,
        publicName: false,
        ...fields,
      }),
      clock.now(),
    );
    return ref;
  });
}

beforeAll(async () => {
  db = tempDatabase();
  app = await startApp(
    { DATABASE_URL: db.url, TELEGRAM_BOT_USERNAME: '@MTTQ_Demo_bot', ZALO_OA_ID: '4318829345787541776' },
    { clock },
  );
  const { port } = app.http.server.address() as { port: number };
  base = `http://127.0.0.1:${port}`;
  store = createStore(app.db);
  campaignCode = (await store.run((tx) => boardCampaign(tx, undefined, clock.now())))?.code ?? '';
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await db?.cleanup();
});

describe('the live board routes', () => {
  it('serves a self-contained page with the figures, names only with consent and never a phone number', async () => {
    await pledge({
      donorKind: 'enterprise',
      donorName: 'Công ty CP Hoa Sen',
      publicName: true,
      amount: 120_000_000n,
    });
    await pledge({ donorName: 'Trần Thị Kín Đáo', publicName: false });
    for (const path of ['/bang-tin', '/board']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
      const html = await response.text();
      expect(html).toContain('Lễ phát động');
      expect(html).toContain('Công ty CP Hoa Sen');
      expect(html).toContain('Nhà hảo tâm');
      expect(html).not.toContain('Kín Đáo');
      expect(html).not.toMatch(/0987\s?654\s?321/);
      // Nothing is fetched from elsewhere: no external script, style or image.
      expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=["']?https?:/);
      // The start links as QR codes drawn on the server.
      expect(html).toContain('href="https://t.me/MTTQ_Demo_bot?start=ungho"');
      expect(html).toContain('href="https://zalo.me/4318829345787541776"');
      expect(html.match(/<svg/g)?.length).toBe(2);
    }
  });

  it('gives the data as JSON, cached a second with an ETag', async () => {
    const response = await fetch(`${base}/bang-tin/data.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=1');
    const etag = response.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    const body = await response.json();
    expect(Object.keys(body).sort()).toEqual(
      ['asOf', 'asOfText', 'campaign', 'examples', 'latest', 'links', 'totals', 'units'].sort(),
    );
    expect(body.campaign.code).toBe(campaignCode);
    expect(body.totals).toMatchObject({
      pledges: expect.any(Number),
      pledgedText: expect.stringMatching(/ đ$/),
    });
    expect(BigInt(body.totals.pledged)).toBeGreaterThanOrEqual(125_000_000n);
    expect(body.units[0]).toMatchObject({ name: expect.any(String), percent: expect.any(Number) });
    expect(body.latest.slice(0, 2)).toEqual([
      expect.objectContaining({ donor: 'Nhà hảo tâm', what: '5.000.000 đ' }),
      expect.objectContaining({ donor: 'Công ty CP Hoa Sen', what: '120.000.000 đ' }),
    ]);
    const text = JSON.stringify(body);
    expect(text).not.toContain('Kín Đáo');
    expect(text).not.toMatch(/0987\s?654\s?321|donorPhone/);
    expect(body.links).toEqual({
      telegram: 'https://t.me/MTTQ_Demo_bot?start=ungho',
      zalo: 'https://zalo.me/4318829345787541776',
    });

    const again = await fetch(`${base}/bang-tin/data.json`, { headers: { 'if-none-match': etag ?? '' } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('names another campaign by its code, in English on asking, and refuses a code it does not know', async () => {
    const named = await fetch(`${base}/bang-tin/data.json?campaign=${campaignCode}&lang=en`);
    expect((await named.json()).latest[0].donor).toBe('A benefactor');
    const page = await fetch(`${base}/board?lang=en`);
    expect(await page.text()).toContain('Latest pledges');
    for (const path of ['/bang-tin?campaign=KHONG-CO', '/bang-tin/data.json?campaign=KHONG-CO']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain('Hoa Sen');
    }
  });

  it('pushes the new data to an open event stream when a pledge is made', async () => {
    const events: string[] = [];
    let wake = () => {};
    const request = http.get(`${base}/bang-tin/events`, (response) => {
      expect(response.headers['content-type']).toContain('text/event-stream');
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        const parts = buffer.split('\n\n');
        buffer = parts.pop() ?? '';
        events.push(...parts.filter((p) => p.startsWith('event: board')));
        wake();
      });
    });
    const waitFor = async (test: () => boolean, ms: number) => {
      const deadline = Date.now() + ms;
      while (!test()) {
        if (Date.now() > deadline) {
          throw new Error(`no such event within ${ms} ms: ${events.join('\n')}`);
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 100);
        });
      }
    };
    try {
      await waitFor(() => events.length >= 1, 5_000);
      const started = Date.now();
      const ref = await pledge({
        donorKind: 'organisation',
        donorName: 'Hội Cựu chiến binh',
        publicName: true,
      });
      await waitFor(() => events.some((e) => e.includes(ref)), 2_000);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(events.at(-1)).toContain('Hội Cựu chiến binh');
    } finally {
      request.destroy();
    }
  });
});
