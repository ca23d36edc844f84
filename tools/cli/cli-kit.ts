import { Command, InvalidArgumentError } from 'commander';

/**
 * What every `agentops` command shares: the global options, one way to print a result (text or
 * `--output json`), and usage errors that read as one line.
 */
export type Output = 'text' | 'json';
export type Globals = () => { token?: string; output: Output };

/** Prints the result: pretty JSON with `--output json`, else the command's text. */
export function printer(globals: Globals) {
  return <T>(value: T, text: (v: T) => string): void => {
    console.log(globals().output === 'json' ? JSON.stringify(value, null, 2) : text(value));
  };
}

/** A mistake in how the command was called (exit code 1, like commander's own usage errors). */
export class UsageError extends Error {}

/**
 * A command that only groups others: called bare or with an unknown name it fails with one line
 * naming its commands (commander would print the whole help to stderr instead).
 */
export function commandGroup(parent: Command, name: string, description: string): Command {
  return requireSubcommand(parent.command(name).description(description));
}

export function requireSubcommand(cmd: Command): Command {
  return cmd.action(function (this: Command) {
    const names = this.commands.map((c) => c.name()).join(', ');
    const path = commandPath(this);
    const given = this.args[0];
    throw new UsageError(
      given
        ? `unknown command '${[...path.split(' ').slice(1), given].join(' ')}' (commands: ${names}; see ${path} --help)`
        : `missing command${this.parent ? ` after '${path.split(' ').slice(1).join(' ')}'` : ''}: ${names} (see ${path} --help)`,
    );
  });
}

/** The deepest command the arguments name (for a usage error's `--help` hint). */
export function commandNamed(program: Command, argv: string[]): Command {
  let cmd = program;
  for (const arg of argv) {
    if (arg.startsWith('-')) continue;
    const sub = cmd.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (!sub) break;
    cmd = sub;
  }
  return cmd;
}

export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** A commander argument parser for whole numbers in [min, max]. */
export function wholeNumber(min: number, max: number) {
  return (raw: string): number => {
    if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max)
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return Number(raw);
  };
}

/** A compact, left-aligned text table; cells longer than `maxWidth` are cut with an ellipsis. */
export function formatTable(headers: string[], rows: string[][], maxWidth = 40): string {
  const cut = (s: string) => (s.length > maxWidth ? `${s.slice(0, maxWidth - 1)}…` : s);
  const cells = [headers, ...rows].map((r) => r.map((c) => cut(c.replace(/\s+/g, ' '))));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
