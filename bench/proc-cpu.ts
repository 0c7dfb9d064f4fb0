// CPU time of every process on the machine, by what it is (from /proc), for the benchmark's
// "where the CPU goes" figures. On a machine whose cores are all busy, what a phase costs in CPU
// across processes is what decides its rate (README "Scale").
import fs from 'node:fs';

/** A process's or thread's name and CPU milliseconds (user + system) from its /proc stat file; throws once it has ended. */
export function readStat(statPath: string): { comm: string; ms: number } {
  const stat = fs.readFileSync(statPath, 'utf8');
  const comm = /\((.*)\)/.exec(stat)![1]!;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime, in clock ticks (100 per second here).
  return { comm, ms: (Number(fields[11]) + Number(fields[12])) * 10 };
}

/** CPU milliseconds (user + system) of every process, summed by what it is. */
export function cpuByProcess(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const { comm, ms } = readStat(`/proc/${pid}/stat`);
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      const key = /workers\/main/.test(cmd)
        ? 'worker'
        : /baseline\/worker/.test(cmd)
          ? 'baseline worker'
          : pid === String(process.pid)
            ? 'driver'
            : /relay/.test(cmd)
              ? 'relay'
              : /smtp-sink/.test(cmd)
                ? 'smtp receiver'
                : comm.startsWith('temporal')
                  ? 'temporal'
                  : comm.startsWith('kworker')
                    ? 'kernel'
                    : comm;
      out[key] = (out[key] ?? 0) + ms;
    } catch {
      // The process ended while being read.
    }
  }
  return out;
}

/** CPU milliseconds each kind of process spent between two readings, divided by `n` (0.1 ms and more; the kernel's threads left out). */
export function cpuDelta(a: Record<string, number>, b: Record<string, number>, n = 1, digits = 2): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(b)) {
    const d = (v - (a[k] ?? 0)) / n;
    if (d >= 0.1 && k !== 'kernel') out[k] = Number(d.toFixed(digits));
  }
  return out;
}
