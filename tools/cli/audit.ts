import { Command, InvalidArgumentError, Option } from 'commander';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { apiTargets, callApi, request } from './api-client';
import { fetchPages, moreHint } from './pages';
import { VerifyReport, verifyText } from './audit-report';
import { Globals, commandGroup, formatTable, printer, wholeNumber } from './cli-kit';

/**
 * `agentops audit <command>`: the audit service's read side with the caller's token (auditor, or
 * admin; a tenant's user sees its tenant only).
 *
 *   agentops audit verify [--chain agentops.intents.v1:0]      exit 2 when a chain is broken
 *   agentops audit query --agent pricing-1 --verdict deny --from 2h [--all]
 *   agentops audit export --tenant maison --out audit.ndjson
 */
export interface AuditRecordView {
  eventId: string;
  chainId: string;
  sequence: number;
  type: string;
  tenantId: string;
  agentId: string | null;
  correlationId: string | null;
  actorKind: string;
  actorId: string;
  action: string | null;
  verdict: string | null;
  decidedBy: string | null;
  eventTime: string;
  recordedAt: string;
}

/** A broken chain: the report is printed, then one line on stderr and exit code 2. */
export class ChainBrokenError extends Error {
  readonly exitCode = 2;
}

interface FilterOptions {
  tenant?: string;
  correlation?: string;
  agent?: string;
  action?: string;
  verdict?: string;
  decidedBy?: string;
  type?: string;
  actorKind?: string;
  subject?: string;
  from?: string;
  to?: string;
  cursor?: string;
}

const DURATION_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A time bound for `--from`/`--to`: an ISO 8601 time (a bare date is midnight UTC) or a duration
 * ago such as `15m`, `2h`, `7d`. Always sent as an ISO time with its offset.
 */
export function parseTimeBound(raw: string, now = new Date()): string {
  const value = raw.trim();
  const ago = /^(\d+)([smhd])$/.exec(value);
  if (ago) return new Date(now.getTime() - Number(ago[1]) * DURATION_MS[ago[2]]).toISOString();
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(iso))
    throw new InvalidArgumentError(
      'expected an ISO time with offset (2026-11-24T10:00:00Z), a date or 15m/2h/7d',
    );
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) throw new InvalidArgumentError(`not a valid time: ${raw}`);
  return at.toISOString();
}

/** The records API's query string for the filter options. */
export function recordsQuery(o: FilterOptions, limit?: number): URLSearchParams {
  const q = new URLSearchParams();
  const set = (key: string, value: string | number | undefined) => {
    if (value !== undefined && value !== '') q.set(key, String(value));
  };
  set('tenantId', o.tenant);
  set('correlationId', o.correlation);
  set('agentId', o.agent);
  set('action', o.action);
  set('verdict', o.verdict);
  set('decidedBy', o.decidedBy);
  set('type', o.type);
  set('actorKind', o.actorKind);
  set('subject', o.subject);
  set('from', o.from);
  set('to', o.to);
  set('cursor', o.cursor);
  set('limit', limit);
  return q;
}

/** `agentops.intent.proposed.v1` → `intent.proposed`. */
const shortType = (type: string) => type.replace(/^agentops\./, '').replace(/\.v\d+$/, '');

export function recordsTable(records: AuditRecordView[]): string {
  return formatTable(
    ['RECORDED', 'TYPE', 'TENANT', 'AGENT', 'ACTION', 'VERDICT', 'DECIDED BY', 'ACTOR', 'EVENT'],
    records.map((r) => [
      r.recordedAt,
      shortType(r.type),
      r.tenantId,
      r.agentId ?? '-',
      r.action ?? '-',
      r.verdict ?? '-',
      r.decidedBy ?? '-',
      `${r.actorKind}:${r.actorId}`,
      r.eventId,
    ]),
  );
}

function addFilters(cmd: Command): Command {
  return cmd
    .option('--tenant <tenantId>', 'tenant (an auditor bound to a tenant always sees only its own)')
    .option('--correlation <id>', 'correlation id (UUID): one intent’s whole story')
    .option('--agent <agentId>')
    .option('--action <action>', 'e.g. pricing.set_price')
    .addOption(new Option('--verdict <verdict>').choices(['allow', 'deny', 'escalate', 'modify']))
    .option('--decided-by <who>', 'policy | human | timeout | killswitch | permissions | …')
    .option('--type <eventType>', 'e.g. agentops.intent.decided.v1')
    .addOption(new Option('--actor-kind <kind>').choices(['agent', 'human', 'breaker', 'system']))
    .option('--subject <ref>', 'data subject reference, e.g. customer_<32 hex>')
    .option('--from <time>', 'recorded at or after: ISO time, date or 15m/2h/7d ago', (v) =>
      parseTimeBound(v),
    )
    .option('--to <time>', 'recorded before: ISO time, date or 15m/2h/7d ago', (v) => parseTimeBound(v))
    .option('--cursor <cursor>', 'continue after a previous page');
}

/** Adds the `audit` command group to the `agentops` CLI. */
export function registerAuditCommands(program: Command, globals: Globals): void {
  const group = commandGroup(
    program,
    'audit',
    'the audit log: verify the hash chains, query records, export them as NDJSON',
  );
  const print = printer(globals);
  const base = () => `${apiTargets().audit}/v1/audit`;

  group
    .command('verify')
    .description(
      'recompute the hash chains (all, or one) and name the first broken record; exit code 2 when broken',
    )
    .option('--chain <chainId>', 'one chain, e.g. agentops.intents.v1:0')
    .option('--from <sequence>', 'from this sequence', wholeNumber(0, Number.MAX_SAFE_INTEGER))
    .option('--to <sequence>', 'up to this sequence', wholeNumber(0, Number.MAX_SAFE_INTEGER))
    .option('-v, --verbose', 'list every chain, not only broken ones')
    .action(async (o: { chain?: string; from?: number; to?: number; verbose?: boolean }) => {
      const q = new URLSearchParams();
      if (o.chain) q.set('chainId', o.chain);
      if (o.from !== undefined) q.set('from', String(o.from));
      if (o.to !== undefined) q.set('to', String(o.to));
      const report = await callApi<VerifyReport>('GET', `${base()}/verify?${q}`, globals().token);
      print(report, (r) => verifyText(r, o.verbose ?? false));
      const f = report.firstFailure;
      if (!report.ok) {
        const broken = report.chains.find((c) => !c.ok);
        throw new ChainBrokenError(
          `audit chain ${broken?.chainId ?? f?.chainId ?? '?'} is broken at sequence ${f?.sequence ?? '?'}` +
            `${f?.eventId ? ` (event ${f.eventId})` : ''}: ${f?.reason ?? 'unknown'}: ${f?.detail ?? ''}`,
        );
      }
    });

  addFilters(
    group
      .command('query')
      .description('audit records matching the filters, oldest first, one page (or --all pages)'),
  )
    .option('--limit <n>', 'records per page (1..1000)', wholeNumber(1, 1000), 100)
    .option('--all', 'follow `next` to the last page')
    .action(async (o: FilterOptions & { limit: number; all?: boolean }) => {
      const out = await fetchPages<'records', AuditRecordView>(
        `${base()}/records?${recordsQuery({ ...o, cursor: undefined })}`,
        'records',
        o,
        globals().token,
      );
      print(out, (r) =>
        r.records.length === 0
          ? '(no records)'
          : `${recordsTable(r.records)}\n${r.records.length} record(s)${moreHint(r.next)}`,
      );
    });

  addFilters(
    group
      .command('export')
      .description('every record matching the filters as NDJSON (one JSON record a line), streamed'),
  )
    .option(
      '--out <file>',
      'write to this file (replaced only once the export is complete) instead of stdout',
    )
    .action(async (o: FilterOptions & { out?: string }) => {
      const res = await request(
        'GET',
        `${base()}/records/export?${recordsQuery(o)}`,
        globals().token,
        undefined,
        { timeout: false },
      );
      if (!res.body) throw new Error('the audit service sent no body');
      let records = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          for (const byte of chunk) if (byte === 0x0a) records++;
          done(null, chunk);
        },
      });
      const body = Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>);
      if (!o.out) {
        try {
          await pipeline(body, counter, process.stdout, { end: false });
        } catch (error) {
          // The reader went away (`| head`): that is the reader's choice, not a failed export.
          if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
        }
        return;
      }
      const partial = `${o.out}.partial`;
      try {
        await pipeline(body, counter, createWriteStream(partial));
        renameSync(partial, o.out);
      } catch (error) {
        rmSync(partial, { force: true });
        throw new Error(`export to ${o.out} failed: ${(error as Error).message}`);
      }
      print({ file: o.out, records }, (r) => `exported ${r.records} record(s) to ${r.file}`);
    });
}
