/**
 * Runs the real CLI as a child process and measures its wall time and peak RSS: under
 * /usr/bin/time (-f %M, in KB) when available, else by polling /proc/<pid>/status VmHWM.
 */
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const GNU_TIME = '/usr/bin/time';

export function hasGnuTime() {
  return existsSync(GNU_TIME);
}

/** Resolves {wallMs, peakRssKb, code, stderr}. stdout goes to /dev/null. */
export function runCli(nodeArgs, { tmpDir, cwd }) {
  const devNull = openSync('/dev/null', 'w');
  const timeOut = join(tmpDir, `time-${process.pid}-${Date.now()}.txt`);
  const useTime = hasGnuTime();
  const [cmd, args] = useTime ? [GNU_TIME, ['-f', '%M', '-o', timeOut, process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', devNull, 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let polledKb = 0;
    const poll = useTime
      ? null
      : setInterval(() => {
          try {
            const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
            if (m) polledKb = Math.max(polledKb, Number(m[1]));
          } catch {
            /* exited */
          }
        }, 2);
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      if (poll) clearInterval(poll);
      closeSync(devNull);
      let peakRssKb = polledKb;
      if (useTime) {
        peakRssKb = Number(readFileSync(timeOut, 'utf8').trim().split('\n').pop());
        rmSync(timeOut, { force: true });
      }
      resolve({ wallMs, peakRssKb, code, stderr });
    });
  });
}
