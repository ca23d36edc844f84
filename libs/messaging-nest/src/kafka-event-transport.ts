import { EventEnvelope } from '@agentops/contracts';
import { ConsumerSettings, EventConsumer, MessageOrigin } from '@agentops/messaging';
import { Catch, RpcExceptionFilter } from '@nestjs/common';
import { BaseRpcContext, CustomTransportStrategy, Server } from '@nestjs/microservices';
import { lastValueFrom, Observable, throwError } from 'rxjs';
import { MessagingRuntime } from './messaging-runtime';

/** Matches every event type; audit uses it to record everything it receives. */
export const ANY_EVENT = 'agentops.*';

/** What a `@EventPattern` handler gets as `@Ctx()`: where the event came from. */
export class KafkaEventContext extends BaseRpcContext<[MessageOrigin, string]> {
  get origin(): MessageOrigin {
    return this.args[0];
  }
  get subscription(): string {
    return this.args[1];
  }
}

export interface Subscription extends ConsumerSettings {
  /** A name for logs and metrics, e.g. `decisions`. */
  name: string;
}

/**
 * A Nest custom transport over our own consumer loop rather than Nest's ServerKafka: we own the
 * serializer (CloudEvents binary mode), DLQ, idempotency and group ids, and avoid ServerKafka's
 * id postfixes and reply-topic machinery (see docs/architecture-notes.md). Handlers are ordinary
 * `@EventPattern(<event type>)` methods.
 */
export class KafkaEventTransport extends Server implements CustomTransportStrategy {
  private readonly consumers: EventConsumer[] = [];

  constructor(
    private readonly runtime: MessagingRuntime,
    private readonly subscriptions: Subscription[],
  ) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await Promise.all(
        this.subscriptions.map(async (sub) => {
          const consumer = this.runtime.createConsumer(sub);
          this.consumers.push(consumer);
          await consumer.start((event, origin) => this.dispatch(sub.name, event, origin));
        }),
      );
      callback();
    } catch (error) {
      callback(error);
    }
  }

  private async dispatch(subscription: string, event: EventEnvelope, origin: MessageOrigin): Promise<void> {
    const handler = this.getHandlerByPattern(event.type) ?? this.getHandlerByPattern(ANY_EVENT);
    if (!handler) return; // this service does not care about this type on this topic
    const result = await handler(event, new KafkaEventContext([origin, subscription]));
    await lastValueFrom(this.transformToObservable(result) as Observable<unknown>, {
      defaultValue: undefined,
    });
  }

  on(): never {
    throw new Error('KafkaEventTransport does not emit status events');
  }

  unwrap<T>(): T {
    return this.runtime.kafka as T;
  }

  async close(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.stop()));
  }
}

/**
 * Nest's default RPC filter turns every error into a generic object; handlers' errors must reach
 * the consumer loop intact so it can tell transient from permanent. Put it on consumer controllers.
 */
@Catch()
export class PropagateToConsumerLoop implements RpcExceptionFilter {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
