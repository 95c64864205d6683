import { coalescer } from '../../messaging/coalesce';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('coalescer', () => {
  it('when calls arrive while a run is in flight, then they fold into one run after it', async () => {
    const coalesce = coalescer();
    const started: number[] = [];
    let release: () => void = () => undefined;
    const run = (n: number) => () => {
      started.push(n);
      return new Promise<void>((resolve) => {
        release = resolve;
      });
    };
    const first = coalesce('s', run(1));
    await tick();
    const second = coalesce('s', run(2));
    const third = coalesce('s', run(3));
    expect(third).toBe(second);
    release();
    await first;
    await tick();
    expect(started).toEqual([1, 2]);
    release();
    await second;
    expect(started).toEqual([1, 2]);
  });

  it('when keys differ, then their runs do not wait for each other', async () => {
    const coalesce = coalescer();
    const started: string[] = [];
    coalesce('a', () => {
      started.push('a');
      return new Promise<void>(() => undefined);
    }).catch(() => undefined);
    await coalesce('b', () => {
      started.push('b');
      return Promise.resolve();
    });
    expect(started).toEqual(['a', 'b']);
  });

  it('when a run fails, then its callers see the error and the next run still happens', async () => {
    const coalesce = coalescer();
    await expect(coalesce('s', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    let ran = false;
    await coalesce('s', () => {
      ran = true;
      return Promise.resolve();
    });
    expect(ran).toBe(true);
  });
});

describe('coalescer with spacing', () => {
  it('when calls keep coming, then runs of one key start at least the spacing apart', async () => {
    const coalesce = coalescer(40);
    const starts: number[] = [];
    const run = () => {
      starts.push(Date.now());
      return Promise.resolve();
    };
    await coalesce('s', run);
    await Promise.all([coalesce('s', run), coalesce('s', run)]);
    await coalesce('s', run);
    expect(starts).toHaveLength(3);
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(35);
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(35);
  });
});
