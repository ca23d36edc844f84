import 'reflect-metadata';
import { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { EventTypes, ServiceName, eventSource } from '@agentops/contracts';
import { createEventUnvalidated } from '@agentops/messaging';
import { KafkaEventTransport, MessagingRuntime, Subscription } from '@agentops/messaging-nest';
import {
  DataSource,
  Redis,
  ServiceDatabaseOptions,
  connectionRoleProblems,
  createRedis,
  serviceDataSourceOptions,
} from '@agentops/persistence';
import pinoHttp from 'pino-http';
import type { DestinationStream, Logger } from 'pino';
import { LargeBodyRoute, bodyErrorHandler, jsonBodyParser } from './body-limits';
import { refuseNulInUrl } from './url-guard';
import { CommonEnv, isProduction, kafkaSecurity } from './config';
import { httpMetrics } from './http-metrics';
import { inboundTraceContext } from './inbound-trace';
import { createLogger } from './logging';
import { ServiceMetrics } from './metrics';
import { PinoNestLogger } from './nest-logger';
import { ReadinessRegistry } from './readiness';
import { securityHeaders } from './security-headers';
import { RuntimeParts } from './runtime.module';
import { attachSpanSink } from './span-export';

export type BaseServiceConfig = CommonEnv & { HTTP_PORT: number; HTTP_HOST: string };

export interface ServiceBlueprint<C extends BaseServiceConfig> {
  /** e.g. `ingest`; also the event `source` (`agentops/ingest`, the EVENT_SOURCE token) and the metrics label. */
  name: ServiceName;
  database(config: C): Omit<ServiceDatabaseOptions, 'url' | 'applicationName'>;
  /** The service's root module, which imports `ServiceRuntimeModule.forRoot(parts)`. */
  rootModule(parts: RuntimeParts): DynamicModule;
  subscriptions(config: C): Subscription[];
  /** Routes whose bodies may exceed `DEFAULT_BODY_LIMIT` (catalog imports); none by default. */
  largeBodies?: LargeBodyRoute[];
}

export interface StartOptions {
  /** Where the logs go (default stdout); tests read them to prove no credential is logged. */
  logDestination?: DestinationStream;
}

export interface RunningService {
  app: INestApplication;
  url: string;
  logger: Logger;
  parts: RuntimeParts;
  close(): Promise<void>;
}

/**
 * Opens connections, boots Nest with the Kafka transport, and returns only once the instance's
 * consumer groups are joined and HTTP is listening — so "started" means "can serve".
 */
export async function startService<C extends BaseServiceConfig>(
  bp: ServiceBlueprint<C>,
  config: C,
  options: StartOptions = {},
): Promise<RunningService> {
  const logger = createLogger(bp.name, config.LOG_LEVEL, config.INSTANCE_ID, options.logDestination);
  const metrics = new ServiceMetrics(bp.name);
  const messaging = new MessagingRuntime(
    {
      brokers: config.KAFKA_BROKERS,
      clientId: `agentops-${bp.name}-${config.INSTANCE_ID}`,
      topicPrefix: config.KAFKA_TOPIC_PREFIX,
      ...kafkaSecurity(config),
    },
    logger,
    eventSource(bp.name),
    metrics.consumerObserver(),
  );
  const database = bp.database(config);
  const dataSource = new DataSource(
    serviceDataSourceOptions({
      ...database,
      url: config.DATABASE_URL,
      applicationName: `agentops-${bp.name}`,
    }),
  );
  let redis: Redis | undefined;
  try {
    await dataSource.initialize();
    await checkDatabaseRole(dataSource, database, config, logger);
    redis = createRedis(config.REDIS_URL, `agentops-${bp.name}-${config.INSTANCE_ID}`);
    await redis.ping();
    await messaging.connect();
  } catch (error) {
    await dataSource.destroy().catch(() => undefined);
    redis?.disconnect();
    await messaging.shutdown();
    throw error;
  }
  const readiness = new ReadinessRegistry();
  const r = redis;
  readiness.add({ name: 'kafka', check: () => messaging.ping() });
  readiness.add({
    name: 'kafka-consumers',
    check: () => {
      if (!messaging.consumersReady) throw new Error('consumer groups not joined yet');
    },
  });
  readiness.add({ name: 'postgres', check: async () => void (await dataSource.query('SELECT 1')) });
  readiness.add({ name: 'redis', check: async () => void (await r.ping()) });

  const parts: RuntimeParts = {
    service: bp.name,
    config,
    logger,
    metrics,
    messaging,
    dataSource,
    redis,
    readiness,
  };
  const app = await NestFactory.create<NestExpressApplication>(bp.rootModule(parts), {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
    bodyParser: false,
  });
  let url: string;
  try {
    // Whose X-Forwarded-For names the client (req.ip): nobody's unless TRUST_PROXY says so.
    app.set('trust proxy', config.TRUST_PROXY);
    app.use(securityHeaders());
    app.use(httpMetrics(metrics));
    app.use(
      pinoHttp({
        logger,
        autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
        customSuccessMessage: (req, res) => `${req.method} ${req.url} ${res.statusCode}`,
      }),
    );
    // Small bodies everywhere; only the routes the blueprint names (catalog imports) take more.
    // After the request logger, so a refused body is logged with its 413.
    app.use(refuseNulInUrl);
    app.use(jsonBodyParser(bp.largeBodies ?? []));
    app.use(bodyErrorHandler);
    // Last before the routes, so the caller's trace context is the one the handler runs in.
    app.use(inboundTraceContext);
    app.connectMicroservice(
      { strategy: new KafkaEventTransport(messaging, bp.subscriptions(config)) },
      { inheritAppConfig: true },
    );
    await app.startAllMicroservices();
    await app.listen(config.HTTP_PORT, config.HTTP_HOST);
    const address = app.getHttpServer().address() as { port: number };
    url = `http://127.0.0.1:${address.port}`;
  } catch (error) {
    // A half-started instance must not leave consumers or connections behind.
    await app.close().catch(() => undefined);
    await messaging.shutdown();
    await dataSource.destroy().catch(() => undefined);
    r.disconnect();
    throw error;
  }
  // The SDK's spans go to ingest's trace store through this instance's publisher from now on.
  const source = eventSource(bp.name);
  const instance = `${bp.name}-${config.INSTANCE_ID}`;
  const detachSpans = attachSpanSink((spans) =>
    messaging.publisher.publish(
      // Unvalidated: ingest validates them as it reads them.
      createEventUnvalidated(EventTypes.SpansExported, { spans }, { source, tenantid: 'platform' }),
      instance,
    ),
  );
  logger.info({ url }, `${bp.name} started`);

  let closed = false;
  return {
    app,
    url,
    logger,
    parts,
    close: async () => {
      if (closed) return;
      closed = true;
      detachSpans();
      await app.close();
      await messaging.shutdown();
      await dataSource.destroy().catch(() => undefined);
      await r.quit().catch(() => undefined);
      logger.info(`${bp.name} stopped`);
    },
  };
}

/**
 * Least privilege, checked where it matters: a service connected as a superuser, or as a role that
 * reaches other services' schemas, is refused in production and warned about in development.
 */
async function checkDatabaseRole(
  dataSource: DataSource,
  database: Omit<ServiceDatabaseOptions, 'url' | 'applicationName'>,
  config: CommonEnv,
  logger: Logger,
): Promise<void> {
  const separateOwner = Boolean(database.roles?.owner && database.roles.owner !== database.roles.login);
  const problems = await connectionRoleProblems(dataSource, database.schema, separateOwner);
  if (!problems.length) return;
  const text = `the database role is not least-privilege: ${problems.join('; ')}; connect with the service's own role (the migrations create it, see docs/security.md)`;
  if (isProduction(config)) throw new Error(`DATABASE_URL: ${text}`);
  logger.warn(text);
}

/** For `main.ts`: start, and stop gracefully on SIGTERM/SIGINT; a boot failure exits 1. */
export async function runServiceMain<C extends BaseServiceConfig>(
  bp: ServiceBlueprint<C>,
  loadConfig: () => C,
): Promise<void> {
  let config: C;
  try {
    config = loadConfig();
    kafkaSecurity(config); // named at once, like every other bad variable
  } catch (error) {
    process.stderr.write(`${bp.name}: ${(error as Error).message}\n`);
    process.exit(1);
  }
  try {
    const running = await startService(bp, config);
    const stop = async (signal: string) => {
      running.logger.info({ signal }, 'shutting down');
      const force = setTimeout(() => process.exit(1), 15_000);
      force.unref();
      await running.close();
      process.exit(0);
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  } catch (error) {
    process.stderr.write(`${bp.name}: failed to start: ${(error as Error).stack ?? error}\n`);
    process.exit(1);
  }
}
