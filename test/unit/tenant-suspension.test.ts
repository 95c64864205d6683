import { tenantSuspension } from '../../api/auth/tenant-suspension';

/** A tenant store that counts its reads; `state` is what MongoDB would answer. */
function fakeTenants() {
  const state = new Map<string, Date | undefined>();
  let reads = 0;
  return {
    state,
    reads: () => reads,
    suspendedAt(tenantId: string): Promise<Date | undefined | null> {
      reads++;
      return Promise.resolve(state.has(tenantId) ? state.get(tenantId) : null);
    },
  };
}

describe('tenant suspension check', () => {
  it('when a tenant is asked about many times within a second, then the store is read once, and a suspension elsewhere shows after at most the second', async () => {
    const tenants = fakeTenants();
    tenants.state.set('t1', undefined);
    let now = 0;
    const check = tenantSuspension(tenants, 1_000, () => now);
    for (let i = 0; i < 50; i++) expect(await check.isSuspended('t1')).toBe(false);
    expect(tenants.reads()).toBe(1);

    tenants.state.set('t1', new Date());
    now = 999;
    expect(await check.isSuspended('t1')).toBe(false);
    now = 1_001;
    expect(await check.isSuspended('t1')).toBe(true);
    await expect(check.refuse('t1')).rejects.toMatchObject({
      status: 403,
      code: 'tenant_suspended',
    });
  });

  it('when this node suspends or resumes a tenant and forgets it, then the next check reads the new state at once', async () => {
    const tenants = fakeTenants();
    tenants.state.set('t1', undefined);
    const check = tenantSuspension(tenants, 1_000, () => 0);
    expect(await check.isSuspended('t1')).toBe(false);
    tenants.state.set('t1', new Date());
    check.forget('t1');
    expect(await check.isSuspended('t1')).toBe(true);
    tenants.state.set('t1', undefined);
    check.forget('t1');
    await expect(check.refuse('t1')).resolves.toBeUndefined();
  });

  it('when a tenant does not exist, then it is not refused as suspended (its routes find nothing)', async () => {
    const check = tenantSuspension(fakeTenants(), 1_000, () => 0);
    expect(await check.isSuspended('nobody')).toBe(false);
  });
});
