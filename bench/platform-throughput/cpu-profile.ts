import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The parts of a V8 `.cpuprofile` (what `node --cpu-prof` writes) a summary needs. */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileEntry {
  name: string;
  /** Share of the sampled time, in %. */
  percent: number;
  ms: number;
}

export interface ProfileSummary {
  file: string;
  sampledMs: number;
  /** Time not idle (the `(idle)` and `(program)` pseudo-frames excluded), in %. */
  busyPercent: number;
  /** Self time by function (file:line), highest first. */
  topFunctions: ProfileEntry[];
  /** Self time by where the code lives: a package in node_modules, node itself, or the repo. */
  byModule: ProfileEntry[];
  /** Total (self + callees) time of the frames named in `inclusiveOf`, by name. */
  inclusive: ProfileEntry[];
}

/** Where a frame's code lives: `pkg:<name>`, `node:<internal>`, `repo:<dir>` or a V8 pseudo-frame. */
export function moduleOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return `pkg:${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const dist = url.indexOf('/dist/');
  if (dist >= 0)
    return `repo:${url
      .slice(dist + 6)
      .split('/')
      .slice(0, 2)
      .join('/')}`;
  return url;
}

/**
 * A span of the monotonic clock, in µs (`process.hrtime.bigint() / 1000n` in any process of the
 * machine: V8 stamps its samples on the same clock), e.g. the load steps without the boot.
 */
export interface ProfileWindow {
  fromUs: number;
  toUs: number;
}

/**
 * Self and inclusive time per frame of one profile (only the samples inside `window` when given);
 * `inclusiveOf` names frames worth a total.
 */
export function summarizeProfile(
  file: string,
  inclusiveOf: RegExp[] = [],
  window?: ProfileWindow,
  top = 15,
): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  if (window) {
    let at = profile.startTime;
    const kept = profile.samples.map((id, i) => {
      at += profile.timeDeltas[i] ?? 0;
      return at >= window.fromUs && at <= window.toUs ? id : -1;
    });
    profile.timeDeltas = profile.timeDeltas.map((d, i) => (kept[i] === -1 ? 0 : d));
    profile.samples = kept.map((id) => (id === -1 ? profile.samples[0] : id));
  }
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  const fns = new Map<string, number>();
  const mods = new Map<string, number>();
  const incl = new Map<string, number>();
  let idle = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') idle += us;
    const short = url.replace(/^.*\/(node_modules|dist)\//, '$1/');
    add(fns, `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`, us);
    add(mods, moduleOf(url, functionName), us);
    // Each named frame once per sample, however deep the recursion.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = byId.get(at)!.callFrame.functionName;
      const hit = inclusiveOf.find((r) => r.test(name));
      if (hit && !seen.has(hit.source)) {
        seen.add(hit.source);
        add(incl, hit.source, us);
      }
    }
  }
  const entries = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({
        name,
        percent: Math.round((us / total) * 1000) / 10,
        ms: Math.round(us / 1000),
      }));
  return {
    file,
    sampledMs: Math.round(total / 1000),
    busyPercent: Math.round(((total - idle) / total) * 1000) / 10,
    topFunctions: entries(fns, top),
    byModule: entries(mods, top),
    inclusive: entries(incl, inclusiveOf.length),
  };
}

/** The `.cpuprofile` files node wrote into `dir` (one per profiled process). */
export function profilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f));
}
