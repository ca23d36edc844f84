/**
 * Kill-switch changes handed from the thread that hears them on Redis to the thread that enforces
 * them, through shared memory: the enforcing thread reads the feed inside its synchronous check,
 * so a flip binds an instance as soon as the listening thread has written it — not when the
 * enforcing thread's event loop, busy deciding intents, gets round to a socket or a message.
 *
 * One writer, one reader. `SLOTS` raw messages of at most `SLOT_BYTES` UTF-8 bytes each, in a ring;
 * the counter of messages written is stored (Atomics) after each message's bytes, so a reader that
 * sees the counter sees the bytes. A reader more than `SLOTS` behind, or a message too long for a
 * slot, misses messages here: the reader's own subscription applies every message on its event
 * loop (see killswitch-follower.ts) and the compacted topic repairs anything else, so the feed only
 * ever makes enforcement earlier, never the only path.
 */
export class SwitchFeed {
  static readonly SLOTS = 64;
  static readonly SLOT_BYTES = 4096;

  readonly buffer: SharedArrayBuffer;
  private readonly written: Int32Array;
  private readonly lengths: Int32Array;
  private readonly bytes: Uint8Array;
  private read = 0;
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();

  constructor(buffer?: SharedArrayBuffer) {
    const header = 4 * (1 + SwitchFeed.SLOTS);
    this.buffer = buffer ?? new SharedArrayBuffer(header + SwitchFeed.SLOTS * SwitchFeed.SLOT_BYTES);
    this.written = new Int32Array(this.buffer, 0, 1);
    this.lengths = new Int32Array(this.buffer, 4, SwitchFeed.SLOTS);
    this.bytes = new Uint8Array(this.buffer, header);
  }

  /** Writer: appends one raw message; false when it does not fit a slot (the posted copy carries it). */
  write(raw: string): boolean {
    const n = Atomics.load(this.written, 0);
    const slot = n % SwitchFeed.SLOTS;
    const at = slot * SwitchFeed.SLOT_BYTES;
    const { read, written } = this.encoder.encodeInto(
      raw,
      this.bytes.subarray(at, at + SwitchFeed.SLOT_BYTES),
    );
    if (read !== raw.length) return false;
    Atomics.store(this.lengths, slot, written);
    Atomics.store(this.written, 0, n + 1);
    return true;
  }

  /** Reader: the messages written since the last call, oldest first, without those overwritten meanwhile. */
  take(): string[] {
    const upTo = Atomics.load(this.written, 0);
    if (upTo === this.read) return [];
    const out: string[] = [];
    for (let n = Math.max(this.read, upTo - SwitchFeed.SLOTS); n < upTo; n++) {
      const slot = n % SwitchFeed.SLOTS;
      const at = slot * SwitchFeed.SLOT_BYTES;
      // A copy: TextDecoder does not read shared memory.
      const text = this.decoder.decode(this.bytes.slice(at, at + Atomics.load(this.lengths, slot)));
      // Message n + SLOTS goes to the same slot: once the writer has reached it (it may be writing
      // it now), the text read may not be message n.
      if (Atomics.load(this.written, 0) - n < SwitchFeed.SLOTS) out.push(text);
    }
    this.read = upTo;
    return out;
  }
}
