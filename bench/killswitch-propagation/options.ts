/** The bench's command line (`npm run bench:killswitch-propagation -- …`), read by main and processes. */
export interface Options {
  flips: number;
  rate: number;
  redisSamples: number;
  json: boolean;
  write: boolean;
  /** One OS process per instance through scripts/platform.sh, the load from a process of its own. */
  processes: boolean;
}

export function parseOptions(argv: string[]): Options {
  const o: Options = { flips: 100, rate: 40, redisSamples: 500, json: false, write: true, processes: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => Number(argv[++i]);
    if (a === '--flips') o.flips = next();
    else if (a === '--rate') o.rate = next();
    else if (a === '--redis-samples') o.redisSamples = next();
    else if (a === '--json') o.json = true;
    else if (a === '--no-write') o.write = false;
    else if (a === '--processes') o.processes = true;
    else throw new Error(`unknown option ${a}`);
  }
  if (!(o.flips >= 50)) throw new Error('--flips must be at least 50');
  return o;
}
