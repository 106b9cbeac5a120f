// The devbox runtime images (cluster/images) in the cluster's registry: every image exists,
// runtimes share base's layers byte for byte, config (User/WorkingDir/Env/Entrypoint) is set,
// and, unpacked offline with umoci + chroot, `id -un`, sudo, `node --version`,
// `python3 --version`, `go version` work. The checks live in cluster/images/test.sh
// (runnable on its own); this file runs it against DEVBOX_REGISTRY (default 127.0.0.1:5000),
// which `cluster up` filled by calling cluster/images/build.sh.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const REGISTRY = process.env.DEVBOX_REGISTRY ?? '127.0.0.1:5000';
const root = new URL('../..', import.meta.url).pathname;

describe('devbox runtime images', () => {
  it(`are in ${REGISTRY}, share base layers and run as devbox`, () => {
    const r = spawnSync('bash', ['cluster/images/test.sh'], {
      cwd: root,
      env: { ...process.env, DEVBOX_REGISTRY: REGISTRY },
      encoding: 'utf8',
      timeout: 540_000,
    });
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    const failures = out.split('\n').filter((l) => l.startsWith('not ok') || l.startsWith('#   ') || l.includes('ERROR'));
    expect(failures, out.slice(-4000)).toEqual([]);
    expect(r.status, out.slice(-4000)).toBe(0);
    expect(out).toMatch(/^\d+ passed, 0 failed$/m);
  }, 600_000);
});
