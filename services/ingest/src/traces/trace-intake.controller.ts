import { AgentIdentity } from '@agentops/contracts';
import {
  OtlpBatchTooLargeError,
  OtlpDecodeError,
  OtlpSpan,
  decodeOtlpJson,
  decodeOtlpProtobuf,
  encodeExportTraceResponse,
  exportTraceResponse,
} from '@agentops/genai';
import {
  BadRequestException,
  Controller,
  HttpCode,
  HttpException,
  HttpStatus,
  Post,
  Req,
  Res,
  UnsupportedMediaTypeException,
  UseGuards,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { gunzipSync } from 'node:zlib';
import { AgentAuthGuard, CurrentAgent } from '../agents/agent-auth.guard';
import { AgentRateLimited } from '../agents/agent-rate-limit';
import { TraceIntake } from './trace-intake';

/** The largest OTLP request body (JSON or protobuf, after gunzip); the blueprint gives JSON the same. */
export const TRACE_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

const JSON_TYPE = 'application/json';
const PROTOBUF_TYPE = 'application/x-protobuf';

/**
 * OTLP/HTTP trace intake (`/v1/traces`, the path OTLP exporters post to when their endpoint is
 * ingest): agents export their own LLM and tool spans with their API key. JSON is parsed by the
 * service's JSON parser; protobuf is read here. Malformed → 400 with the reason, oversized → 413,
 * another content type → 415; spans in another agent's trace are refused as an OTLP partial success.
 */
@Controller('v1/traces')
@UseGuards(AgentAuthGuard)
export class TraceIntakeController {
  constructor(private readonly intake: TraceIntake) {}

  @Post()
  @AgentRateLimited('traces')
  @HttpCode(200)
  async export(@CurrentAgent() agent: AgentIdentity, @Req() req: Request, @Res() res: Response) {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== JSON_TYPE && type !== PROTOBUF_TYPE)
      throw new UnsupportedMediaTypeException(
        `content-type ${JSON.stringify(type || '(none)')} is not OTLP: send ${PROTOBUF_TYPE} or ${JSON_TYPE}`,
      );
    const spans = decoded(() =>
      type === JSON_TYPE
        ? Promise.resolve(decodeOtlpJson(req.body))
        : readProtobuf(req).then(decodeOtlpProtobuf),
    );
    const result = await this.intake.accept(agent, await spans);
    const response = exportTraceResponse(result.rejectedSpans, result.errorMessage);
    if (type === PROTOBUF_TYPE)
      res
        .status(200)
        .type(PROTOBUF_TYPE)
        .send(Buffer.from(encodeExportTraceResponse(response)));
    else res.status(200).json(response);
  }
}

async function decoded(decode: () => Promise<OtlpSpan[]>): Promise<OtlpSpan[]> {
  try {
    return await decode();
  } catch (error) {
    if (error instanceof OtlpDecodeError) throw malformed(error.reason);
    if (error instanceof OtlpBatchTooLargeError) throw tooLarge(error.message);
    throw error;
  }
}

/**
 * A 400 naming the refused part of the body: the decoder's JSON path (`$.resourceSpans[0]…`) as
 * `body.resourceSpans[0]…`, or the whole body when the reason names no path (protobuf, gzip).
 */
function malformed(reason: string): BadRequestException {
  const at = /^\$(\S*)/.exec(reason);
  const path = at ? `body${at[1]}` : 'body';
  return new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    message: `malformed OTLP: ${reason}`,
    issues: [{ path, message: reason }],
  });
}

const tooLarge = (message: string) =>
  new HttpException({ statusCode: 413, error: 'Payload Too Large', message }, HttpStatus.PAYLOAD_TOO_LARGE);

/** The raw protobuf body, at most `TRACE_BODY_LIMIT_BYTES` (gzip inflated within the same bound). */
async function readProtobuf(req: Request): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > TRACE_BODY_LIMIT_BYTES) throw tooLarge(overLimit(declared));
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > TRACE_BODY_LIMIT_BYTES) throw tooLarge(overLimit(size));
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'identity') return body;
  if (encoding !== 'gzip')
    throw new UnsupportedMediaTypeException(
      `content-encoding ${encoding} is not supported: send gzip or none`,
    );
  try {
    return gunzipSync(body, { maxOutputLength: TRACE_BODY_LIMIT_BYTES });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
      throw tooLarge(overLimit(TRACE_BODY_LIMIT_BYTES + 1));
    throw malformed('the gzip body does not inflate');
  }
}

const overLimit = (bytes: number) =>
  `request body of ${bytes} bytes is over the ${TRACE_BODY_LIMIT_BYTES}-byte limit of POST /v1/traces; send smaller batches`;
