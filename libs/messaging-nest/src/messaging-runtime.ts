import { consumerGroupPrefix, serviceOfSource } from '@agentops/contracts';
import {
  BatchConsumer,
  BatchConsumerSettings,
  BrokerProbe,
  ConsumerObserver,
  ConsumerSettings,
  EventConsumer,
  EventPublisher,
  KafkaClient,
  KafkaSettings,
  MessagingLogger,
  PublishObserver,
  createKafka,
} from '@agentops/messaging';

/**
 * One Kafka connection per service instance, shared by the HTTP side (publishing) and the
 * transport (consuming). Created before Nest so both halves get the same instance.
 */
export class MessagingRuntime {
  readonly kafka: KafkaClient;
  readonly publisher: EventPublisher;
  private readonly probe: BrokerProbe;
  private readonly consumers: (EventConsumer | BatchConsumer)[] = [];

  constructor(
    readonly settings: KafkaSettings,
    readonly logger: MessagingLogger,
    readonly source: string,
    readonly observer: ConsumerObserver & PublishObserver = {},
  ) {
    this.kafka = createKafka(settings, logger);
    this.publisher = new EventPublisher(this.kafka, settings.topicPrefix, logger, source, observer);
    this.probe = new BrokerProbe(this.kafka);
  }

  get topicPrefix(): string {
    return this.settings.topicPrefix;
  }

  /**
   * A consumer group id of this service: `<prefix><service>-<name>`, inside the group prefix its
   * principal may read (libs/messaging kafkaAclBindings).
   */
  consumerGroup(name: string): string {
    const service = serviceOfSource(this.source);
    if (!service) throw new Error(`${this.source} is not an AgentOps service: it has no consumer groups`);
    return `${consumerGroupPrefix(service, this.settings.topicPrefix)}-${name}`;
  }

  async connect(): Promise<void> {
    await this.publisher.connect();
  }

  createConsumer(settings: ConsumerSettings): EventConsumer {
    const consumer = new EventConsumer(
      this.kafka,
      this.publisher,
      this.settings.topicPrefix,
      settings,
      this.logger,
      this.source,
      this.observer,
    );
    this.consumers.push(consumer);
    return consumer;
  }

  /** A batch consumer sharing this runtime's connection and publisher (DLQ), stopped with it. */
  createBatchConsumer(settings: BatchConsumerSettings): BatchConsumer {
    const consumer = new BatchConsumer(
      this.kafka,
      this.publisher,
      this.settings.topicPrefix,
      settings,
      this.logger,
      this.source,
      this.observer,
    );
    this.consumers.push(consumer);
    return consumer;
  }

  get consumersReady(): boolean {
    return this.consumers.every((c) => c.isReady);
  }

  async ping(): Promise<void> {
    await this.probe.ping();
  }

  /** Consumers first (drain and commit), then the producer, so in-flight replies still go out. */
  async shutdown(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.stop()));
    await this.publisher.disconnect();
    await this.probe.close();
  }
}
