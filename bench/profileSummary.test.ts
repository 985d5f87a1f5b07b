import { inclusiveTimes, originOf, summarizeProfile } from './profileSummary';

const root = '/repo';

describe('profile summary', () => {
  it('tells our code from dependencies, Node internals and V8 pseudo-frames', () => {
    expect(originOf('file:///repo/dist/shared/mtom/parser.js', 'push', root)).toBe('ours:shared');
    expect(originOf('file:///repo/.tmp/bench/registry/main.js', 'x', root)).toBe('ours:registry');
    expect(originOf('/repo/repository/app.ts', 'x', root)).toBe('ours:repository');
    expect(originOf('file:///repo/node_modules/better-sqlite3/lib/x.js', 'f', root)).toBe('dep:better-sqlite3');
    expect(originOf('file:///repo/node_modules/@so-ric/colorspace/index.js', 'f', root)).toBe('dep:@so-ric/colorspace');
    expect(originOf('node:internal/streams/readable', 'read', root)).toBe('node');
    expect(originOf('', '(garbage collector)', root)).toBe('(garbage collector)');
    expect(originOf('', 'writev', root)).toBe('(native)');
  });

  it('adds self time per function and leaves idle out of the busy share', () => {
    const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 9, columnNumber: 0 });
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2, 3, 4] },
        { id: 2, callFrame: frame('(idle)') },
        { id: 3, callFrame: frame('select', 'file:///repo/dist/registry/store/sqlite/SqliteRegistryStore.js') },
        { id: 4, callFrame: frame('(garbage collector)') },
      ],
      startTime: 0,
      endTime: 10_000,
      samples: [2, 3, 3, 4, 2],
      timeDeltas: [1000, 3000, 3000, 2000, 1000],
    };
    const s = summarizeProfile(profile, root);
    expect(s.idleMs).toBe(2);
    expect(s.busyMs).toBe(8);
    expect(s.byFunction[0]).toEqual({ name: 'select dist/registry/store/sqlite/SqliteRegistryStore.js:10', origin: 'ours:registry', ms: 6, share: 75 });
    expect(s.byOrigin.map((o) => [o.origin, o.share])).toEqual([
      ['ours:registry', 75],
      ['(garbage collector)', 25],
    ]);
  });

  it('counts inclusive time for every sample with the function anywhere on its stack', () => {
    const frame = (functionName: string) => ({ functionName, url: '', lineNumber: 0, columnNumber: 0 });
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2, 5] },
        { id: 2, callFrame: frame('commit'), children: [3] },
        { id: 3, callFrame: frame('fsyncPath'), children: [4] },
        { id: 4, callFrame: frame('fsync') },
        { id: 5, callFrame: frame('(idle)') },
      ],
      startTime: 0,
      endTime: 10_000,
      samples: [2, 3, 4, 4, 5],
      timeDeltas: [1000, 1000, 1000, 1000, 6000],
    };
    expect(inclusiveTimes(profile, ['commit', 'fsyncPath', 'absent'])).toEqual([
      { name: 'commit', ms: 4, share: 100 },
      { name: 'fsyncPath', ms: 3, share: 75 },
      { name: 'absent', ms: 0, share: 0 },
    ]);
  });
});
