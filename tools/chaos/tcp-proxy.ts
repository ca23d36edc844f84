import { Server, Socket, createConnection, createServer } from 'node:net';
import { HeldChunks, ProxyFault } from './proxy-fault';

/**
 * A TCP proxy in front of one Kafka listener (the broker advertises the proxy's port on that
 * listener, so clients that bootstrap through it keep talking through it): forwards both ways and
 * applies the fault of the moment (`proxy-fault.ts`). No toxiproxy server installs here from apt or
 * npm; this is the little of it the chaos tool needs.
 */
export class TcpProxy {
  private server?: Server;
  private fault: ProxyFault = { kind: 'none' };
  private readonly pipes = new Set<Pipe>();

  constructor(
    private readonly listenPort: number,
    private readonly upstream: { host: string; port: number },
  ) {}

  async start(): Promise<void> {
    this.server = createServer((client) => this.connect(client));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.listenPort, '127.0.0.1', () => resolve());
    });
  }

  setFault(fault: ProxyFault): void {
    this.fault = fault;
    for (const pipe of this.pipes) pipe.setFault(fault);
  }

  get connections(): number {
    return this.pipes.size;
  }

  async stop(): Promise<void> {
    for (const pipe of this.pipes) pipe.close();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private connect(client: Socket): void {
    const server = createConnection(this.upstream);
    const pipe = new Pipe(client, server, this.fault, () => this.pipes.delete(pipe));
    this.pipes.add(pipe);
  }
}

/** One proxied connection: a queue per direction, pumped by a timer at the head's due time. */
class Pipe {
  private readonly up: Direction;
  private readonly down: Direction;
  private closed = false;

  constructor(
    private readonly client: Socket,
    private readonly server: Socket,
    fault: ProxyFault,
    private readonly onClose: () => void,
  ) {
    this.up = new Direction(client, server, fault);
    this.down = new Direction(server, client, fault);
    for (const socket of [client, server]) {
      socket.setNoDelay(true);
      socket.on('error', () => this.close());
      socket.on('close', () => this.close());
    }
  }

  setFault(fault: ProxyFault): void {
    this.up.setFault(fault);
    this.down.setFault(fault);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.up.stop();
    this.down.stop();
    this.client.destroy();
    this.server.destroy();
    this.onClose();
  }
}

class Direction {
  private readonly held: HeldChunks<Buffer>;
  private timer?: NodeJS.Timeout;

  constructor(
    from: Socket,
    private readonly to: Socket,
    fault: ProxyFault,
  ) {
    this.held = new HeldChunks<Buffer>(fault);
    from.on('data', (chunk: Buffer) => {
      this.held.push(chunk, Date.now());
      this.pump();
    });
  }

  setFault(fault: ProxyFault): void {
    this.held.setFault(fault, Date.now());
    this.pump();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private pump(): void {
    clearTimeout(this.timer);
    for (const chunk of this.held.take(Date.now())) this.to.write(chunk);
    const next = this.held.nextDueAt();
    if (next !== null) this.timer = setTimeout(() => this.pump(), Math.max(0, next - Date.now()));
  }
}
