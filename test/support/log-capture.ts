import { Writable } from 'node:stream';

/** Collects the JSON log lines of services booted with `{ logDestination: capture.stream(name) }`. */
export class LogCapture {
  readonly lines: { service: string; line: string }[] = [];

  stream(service: string): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        for (const line of chunk.toString('utf8').split('\n')) if (line) this.lines.push({ service, line });
        done();
      },
    });
  }

  /** Lines of one service whose `msg` is `message`, parsed. */
  messages(service: string, message: string): Record<string, unknown>[] {
    return this.lines
      .filter((l) => l.service === service)
      .map((l) => JSON.parse(l.line) as Record<string, unknown>)
      .filter((l) => l['msg'] === message);
  }
}
