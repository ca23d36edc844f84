/**
 * OTLP/HTTP's answer to an export (collector/trace/v1 `ExportTraceServiceResponse`): empty when
 * every span was taken, else `partial_success { rejected_spans = 1; error_message = 2 }`.
 */
export interface ExportTraceResponse {
  partialSuccess?: { rejectedSpans: number; errorMessage: string };
}

export function exportTraceResponse(rejectedSpans: number, errorMessage = ''): ExportTraceResponse {
  return rejectedSpans > 0 ? { partialSuccess: { rejectedSpans, errorMessage } } : {};
}

/** The protobuf encoding of the same answer (for a request sent as `application/x-protobuf`). */
export function encodeExportTraceResponse(response: ExportTraceResponse): Uint8Array {
  if (!response.partialSuccess) return new Uint8Array(0);
  const message = Buffer.from(response.partialSuccess.errorMessage, 'utf8');
  const inner = Buffer.concat([
    Buffer.from([0x08]),
    varint(response.partialSuccess.rejectedSpans),
    ...(message.length ? [Buffer.from([0x12]), varint(message.length), message] : []),
  ]);
  return new Uint8Array(Buffer.concat([Buffer.from([0x0a]), varint(inner.length), inner]));
}

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = BigInt(n);
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return Buffer.from(out);
}
