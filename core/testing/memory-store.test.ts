import { describe, expect, it } from 'vitest';
import type { ReportRecord } from '../reports/report.ts';
import type { Tx } from '../unit-of-work.ts';
import { addMember, DEMO_CAMPAIGN, seedDemo, testUser } from './builders.ts';
import { createMemoryStore, type MemoryStore, MemoryStoreError } from './memory-store.ts';

const AT = new Date('2025-03-10T03:00:00Z');

function report(
  overrides: Partial<Omit<ReportRecord, 'id'>> & Pick<ReportRecord, 'periodId' | 'unitId' | 'personId'>,
) {
  return {
    approvedNew: 1,
    approvedRepair: 1,
    startedNew: 1,
    startedRepair: 1,
    completedNew: 1,
    completedRepair: 1,
    handedOverNew: 1,
    handedOverRepair: 1,
    moneyReceived: 2n,
    moneyPaid: 1n,
    labourDays: 1,
    difficulties: '',
    proposals: '',
    decreaseReason: null,
    ref: `BC-${overrides.periodId}-${overrides.unitId}-${overrides.revision ?? 1}`,
    revision: 1,
    late: false,
    channel: 'telegram',
    photos: [],
    registryReason: null,
    submittedAt: AT,
    ...overrides,
  };
}

function inTx<T>(store: MemoryStore, work: (tx: Tx) => Promise<T>): Promise<T> {
  return store.uow.run(work);
}

describe('the memory store repositories', () => {
  it('marks an inbound event seen once per channel', async () => {
    const store = createMemoryStore();
    const results = await inTx(store, async (tx) => [
      await tx.inbound.markSeen('telegram', 'e1', AT),
      await tx.inbound.markSeen('telegram', 'e1', AT),
      await tx.inbound.markSeen('zalo', 'e1', AT),
    ]);
    expect(results).toEqual([true, false, true]);
  });

  it('marks an invite used only once', async () => {
    const store = createMemoryStore();
    const unit = store.addUnit({ code: '01840', name: 'Phường Đức Xuân' });
    const person = store.addPerson({ fullName: 'A' });
    const invite = store.addInvite({ code: 'ABCDEFGH', unitId: unit.id, expiresAt: '2025-04-01T00:00:00Z' });
    const results = await inTx(store, async (tx) => [
      await tx.invites.markUsed(invite.id, AT),
      await tx.invites.markUsed(invite.id, AT),
      await tx.invites.markUsed(999, AT),
      await tx.invites.setUsedBy(invite.id, person.id),
    ]);
    expect(results).toEqual([true, false, false, undefined]);
    expect(store.state.invites[0]).toMatchObject({ usedAt: AT, usedByPersonId: person.id });
    const view = await inTx(store, (tx) => tx.invites.findByCode('ABCDEFGH'));
    expect(view).toMatchObject({ unitName: 'Phường Đức Xuân', usedAt: AT, role: 'unit_officer' });
    expect(await inTx(store, (tx) => tx.invites.findByCode('abcdefgh'))).toBeUndefined();
  });

  it('keeps the first outbox item of an idempotency key', async () => {
    const store = createMemoryStore();
    await inTx(store, async (tx) => {
      await tx.outbox.enqueue(
        [
          { channel: 'telegram', chatId: '1', message: { text: 'một' }, idempotencyKey: 'k1' },
          { channel: 'telegram', chatId: '1', message: { text: 'hai' }, idempotencyKey: 'k1' },
        ],
        AT,
      );
      await tx.outbox.enqueue(
        [{ channel: 'telegram', chatId: '1', message: { text: 'ba' }, idempotencyKey: 'k1' }],
        AT,
      );
      await tx.outbox.enqueue(
        [{ channel: 'telegram', chatId: '1', message: { text: 'bốn' }, idempotencyKey: 'k2' }],
        AT,
      );
    });
    expect(store.state.outbox.map((o) => [o.idempotencyKey, o.message.text, o.status])).toEqual([
      ['k1', 'một', 'pending'],
      ['k2', 'bốn', 'pending'],
    ]);
  });

  it('finds the latest revision of the latest period due before a date', async () => {
    const store = createMemoryStore();
    const demo = seedDemo(store);
    const person = store.addPerson({ fullName: 'A' });
    const other = store.addUnit({ code: '01843', name: 'Phường Trường Chinh' });
    const dec = demo.period('2024-12');
    const jan = demo.period('2025-01');
    const base = { unitId: demo.unit.id, personId: person.id };
    store.addReport(report({ ...base, periodId: dec.id, revision: 1, approvedNew: 1 }));
    store.addReport(report({ ...base, periodId: dec.id, revision: 2, approvedNew: 2 }));
    store.addReport(report({ ...base, periodId: jan.id, revision: 1, approvedNew: 3 }));
    store.addReport(report({ ...base, unitId: other.id, periodId: jan.id, revision: 1, approvedNew: 9 }));

    const found = await inTx(store, async (tx) => ({
      beforeFeb: await tx.reports.findLatestBefore(demo.unit.id, demo.period('2025-02').dueOn),
      beforeJan: await tx.reports.findLatestBefore(demo.unit.id, jan.dueOn),
      beforeDec: await tx.reports.findLatestBefore(demo.unit.id, dec.dueOn),
      unknownUnit: await tx.reports.findLatestBefore(999, '2099-01-01'),
      lastDec: await tx.reports.lastRevision(dec.id, demo.unit.id),
      lastNone: await tx.reports.lastRevision(demo.period('2025-02').id, demo.unit.id),
      reported: await tx.reports.reportedPeriodIds(demo.unit.id),
    }));
    expect(found.beforeFeb?.approvedNew).toBe(3);
    expect(found.beforeJan).toMatchObject({ approvedNew: 2, revision: 2 });
    expect(found.beforeDec).toBeUndefined();
    expect(found.unknownUnit).toBeUndefined();
    expect(found.lastDec).toBe(2);
    expect(found.lastNone).toBe(0);
    expect(found.reported.sort((a, b) => a - b)).toEqual([dec.id, jan.id]);
  });

  it('enforces unique and foreign keys like the database', async () => {
    const store = createMemoryStore();
    const demo = seedDemo(store);
    const person = store.addPerson({ fullName: 'A' });
    const base = { unitId: demo.unit.id, personId: person.id, periodId: demo.period('2025-01').id };
    store.addReport(report(base));
    expect(() => store.addReport(report(base))).toThrow(MemoryStoreError);
    expect(() =>
      store.addReport(report({ ...base, revision: 2, ref: `BC-${base.periodId}-${base.unitId}-1` })),
    ).toThrow(/Report.ref/);
    expect(() => store.addReport(report({ ...base, periodId: 999 }))).toThrow(/Foreign key/);
    expect(() => store.addUnit({ code: '01840', name: 'x' })).toThrow(/Unit.code/);
    expect(() => store.addCampaign(DEMO_CAMPAIGN)).toThrow(/Campaign.code/);
    store.addIdentity({ personId: person.id, channel: 'telegram', externalUserId: '1' });
    await expect(
      inTx(store, (tx) =>
        tx.people.addIdentity(
          { channel: 'telegram', externalUserId: '1', personId: person.id, displayName: null },
          AT,
        ),
      ),
    ).rejects.toThrow(/ChannelIdentity/);
    await expect(inTx(store, (tx) => tx.people.addMembership(person.id, 999, 'leader', AT))).rejects.toThrow(
      /Membership.unitId/,
    );
    expect(() =>
      store.addMembership({ personId: person.id, unitId: demo.unit.id, role: 'leader' }),
    ).not.toThrow();
    expect(() => store.addMembership({ personId: person.id, unitId: demo.unit.id, role: 'leader' })).toThrow(
      /Membership\(personId, unitId, role\)/,
    );
  });

  it('restores a revoked membership when it is added again (ON CONFLICT … SET revokedAt = NULL)', async () => {
    const store = createMemoryStore();
    const demo = seedDemo(store);
    const person = store.addPerson({ fullName: 'A' });
    store.addMembership({ personId: person.id, unitId: demo.unit.id, role: 'leader', revokedAt: AT });
    await inTx(store, (tx) => tx.people.addMembership(person.id, demo.unit.id, 'leader', AT));
    await inTx(store, (tx) => tx.people.addMembership(person.id, demo.unit.id, 'leader', AT));
    expect(store.state.memberships).toEqual([expect.objectContaining({ role: 'leader', revokedAt: null })]);
  });

  it('touches an identity at most once a minute, like the SQLite store', async () => {
    const store = createMemoryStore();
    const person = store.addPerson({ fullName: 'A' });
    await inTx(store, (tx) =>
      tx.people.addIdentity(
        { channel: 'telegram', externalUserId: '1', personId: person.id, displayName: null },
        AT,
      ),
    );
    const later = (ms: number) => new Date(AT.getTime() + ms);
    await inTx(store, (tx) => tx.people.touchIdentity('telegram', '1', later(59_000)));
    expect(store.state.identities[0]?.lastInteractionAt).toEqual(AT);
    await inTx(store, (tx) => tx.people.touchIdentity('telegram', '1', later(61_000)));
    expect(store.state.identities[0]?.lastInteractionAt).toEqual(later(61_000));
  });

  it('stores audit documents as the JSON a reader gets back (bigints as digit strings)', async () => {
    const store = createMemoryStore();
    await inTx(store, (tx) =>
      tx.audit.record(
        {
          personId: 1,
          channel: 'telegram',
          action: 'x',
          entity: 'Report',
          entityId: '1',
          after: { money: 5n },
        },
        AT,
      ),
    );
    expect(store.state.audit).toEqual([
      {
        id: 1,
        at: AT,
        personId: 1,
        channel: 'telegram',
        action: 'x',
        entity: 'Report',
        entityId: '1',
        after: { money: '5' },
      },
    ]);
  });

  it('builds the actor from active memberships only, and hands out copies', async () => {
    const store = createMemoryStore();
    const demo = seedDemo(store);
    const user = testUser('42');
    const person = addMember(store, user, demo.unit.id, { fullName: 'Bình' });
    const other = store.addUnit({ code: '01843', name: 'Phường Trường Chinh' });
    store.addMembership({ personId: person.id, unitId: other.id, role: 'leader', revokedAt: AT });

    const actor = await inTx(store, (tx) => tx.people.findActor('telegram', '42'));
    expect(actor).toEqual({
      personId: person.id,
      fullName: 'Bình',
      locale: 'vi',
      memberships: [
        {
          role: 'unit_officer',
          unitId: demo.unit.id,
          unitCode: '01840',
          unitName: 'Phường Đức Xuân',
          unitKind: 'ward',
        },
      ],
    });
    actor?.memberships.push({ role: 'admin', unitId: 1, unitCode: 'x', unitName: 'x', unitKind: 'x' });
    const again = await inTx(store, (tx) => tx.people.findActor('telegram', '42'));
    expect(again?.memberships).toHaveLength(1);
    expect(await inTx(store, (tx) => tx.people.findActor('zalo', '42'))).toBeUndefined();

    const inactive = store.addPerson({ fullName: 'C', active: false });
    store.addIdentity({ personId: inactive.id, channel: 'telegram', externalUserId: '43' });
    expect(await inTx(store, (tx) => tx.people.findActor('telegram', '43'))).toBeUndefined();
  });

  it('upserts and deletes flow states and throttles', async () => {
    const store = createMemoryStore();
    const flow = { flow: 'f', version: 1, step: 'a', data: '{}', expiresAt: AT };
    await inTx(store, async (tx) => {
      await tx.flows.save('telegram', '1', flow, AT);
      await tx.flows.save('telegram', '1', { ...flow, step: 'b' }, AT);
      await tx.flows.save('zalo', '1', flow, AT);
      await tx.throttle.save('k', { failures: 1, windowStart: AT, blockedUntil: null });
    });
    expect(store.state.flows.map((f) => [f.channel, f.step])).toEqual([
      ['telegram', 'b'],
      ['zalo', 'a'],
    ]);
    await inTx(store, async (tx) => {
      await tx.flows.delete('telegram', '1');
      await tx.flows.delete('telegram', 'nobody');
      await tx.throttle.delete('k');
      await tx.throttle.delete('nothing');
    });
    expect(store.state.flows.map((f) => f.channel)).toEqual(['zalo']);
    expect(await inTx(store, (tx) => tx.throttle.find('k'))).toBeUndefined();
  });

  it('lists a campaign periods of one kind by due date', async () => {
    const store = createMemoryStore();
    const demo = seedDemo(store);
    const quarterly = await inTx(store, (tx) => tx.campaigns.listPeriods(demo.campaign.id, 'quarterly'));
    expect(quarterly.map((p) => p.code)).toEqual(['2024-Q4', '2025-Q1', '2025-Q2', '2025-Q3', '2025-Q4']);
    const monthly = await inTx(store, (tx) => tx.campaigns.listPeriods(demo.campaign.id, 'monthly'));
    expect(monthly).toHaveLength(14);
    expect(await inTx(store, (tx) => tx.campaigns.findCurrent())).toEqual(demo.campaign);
    expect(demo.campaign).toMatchObject({ normNewBuild: 60_000_000n, normRepair: 30_000_000n });
  });

  it('continues id sequences after seeded rows', () => {
    const store = createMemoryStore({
      units: [
        {
          id: 7,
          code: '01840',
          name: 'Phường Đức Xuân',
          kind: 'ward',
          parentId: null,
          validFrom: '2024-01-01',
          validTo: null,
        },
      ],
    });
    expect(store.addUnit({ code: '01843', name: 'Phường Trường Chinh' }).id).toBe(8);
  });
});

describe('the memory unit of work', () => {
  it('commits what the work wrote', async () => {
    const store = createMemoryStore();
    await inTx(store, (tx) => tx.inbound.markSeen('telegram', 'e1', AT));
    expect(store.state.inboundSeen).toHaveLength(1);
    expect(store.stats).toEqual({ commits: 1, rollbacks: 0 });
  });

  it('restores every table, in place, when the work throws', async () => {
    const store = createMemoryStore();
    const demo = seedDemo(store);
    const before = structuredClone(store.state);
    const heldReports = store.state.reports;
    const person = store.addPerson({ fullName: 'A' });
    const afterSeed = structuredClone(store.state);

    await expect(
      inTx(store, async (tx) => {
        await tx.inbound.markSeen('telegram', 'e1', AT);
        await tx.throttle.save('k', { failures: 1, windowStart: AT, blockedUntil: null });
        await tx.reports.create(
          report({ unitId: demo.unit.id, personId: person.id, periodId: demo.period('2025-01').id }),
        );
        await tx.people.create({ fullName: 'B', locale: 'vi' }, AT);
        expect(heldReports).toHaveLength(1);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');

    expect(store.state).toEqual(afterSeed);
    expect(heldReports).toBe(store.state.reports);
    expect(heldReports).toEqual([]);
    expect(store.state.sequences.people).toBe(afterSeed.sequences.people);
    expect(before.people).toEqual([]);
    expect(store.stats).toEqual({ commits: 0, rollbacks: 1 });
  });

  it('refuses a Tx used after its transaction ended', async () => {
    const store = createMemoryStore();
    let leaked: Tx | undefined;
    await inTx(store, async (tx) => {
      leaked = tx;
    });
    await expect(leaked?.inbound.markSeen('telegram', 'late', AT)).rejects.toThrow(
      /after its transaction ended/,
    );
  });

  it('runs transactions one at a time', async () => {
    const store = createMemoryStore();
    const order: string[] = [];
    const first = inTx(store, async (tx) => {
      order.push('first:start');
      await new Promise((resolve) => setTimeout(resolve, 20));
      await tx.inbound.markSeen('telegram', 'e1', AT);
      order.push('first:end');
    });
    const second = inTx(store, async (tx) => {
      order.push('second:start');
      return tx.inbound.markSeen('telegram', 'e1', AT);
    });
    await first;
    expect(await second).toBe(false);
    expect(order).toEqual(['first:start', 'first:end', 'second:start']);
  });

  it('keeps going after a failed transaction', async () => {
    const store = createMemoryStore();
    await expect(inTx(store, async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(await inTx(store, (tx) => tx.inbound.markSeen('telegram', 'e1', AT))).toBe(true);
  });

  it('fires an injected fault the given number of times', async () => {
    const store = createMemoryStore();
    store.failOn('inbound.markSeen', new Error('disk full'), 2);
    await expect(inTx(store, (tx) => tx.inbound.markSeen('telegram', 'a', AT))).rejects.toThrow('disk full');
    await expect(inTx(store, (tx) => tx.inbound.markSeen('telegram', 'b', AT))).rejects.toThrow('disk full');
    expect(await inTx(store, (tx) => tx.inbound.markSeen('telegram', 'c', AT))).toBe(true);
    expect(store.state.inboundSeen.map((s) => s.externalId)).toEqual(['c']);
  });
});
