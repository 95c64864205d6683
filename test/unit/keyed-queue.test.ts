import { keyedQueue } from '../../stores/keyed-queue';

describe('keyed queue', () => {
  it('when tasks of one key overlap, then each starts after the previous one settled, failures included', async () => {
    const inTurn = keyedQueue();
    const log: string[] = [];
    const task =
      (name: string, fail = false) =>
      async () => {
        log.push(`start ${name}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        log.push(`end ${name}`);
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([
      inTurn('s', task('a')),
      inTurn('s', task('b', true)),
      inTurn('s', task('c')),
    ]);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('when keys differ, then their tasks run side by side', async () => {
    const inTurn = keyedQueue();
    const log: string[] = [];
    let release: () => void = () => undefined;
    const blocked = inTurn('a', async () => {
      log.push('a');
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    await inTurn('b', () => {
      log.push('b');
      return Promise.resolve();
    });
    release();
    await blocked;
    expect(log).toEqual(['a', 'b']);
  });
});
