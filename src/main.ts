import 'reflect-metadata';
import cluster from 'node:cluster';
import { INestApplicationContext, Logger, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { SetupService } from './auth/setup.service';
import { AppConfig, ConfigError, loadConfig, ProcessRole } from './config/app-config';
import { ContentService } from './content/content.service';
import { createDataSource } from './database/data-source';
import { runMigrationsUnderLock, withStartupLock } from './database/migration-lock';
import { DataSource } from 'typeorm';

const LOG_LEVELS: Record<AppConfig['logLevel'], LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  log: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
};

/** Migrates with a short-lived connection of its own, before any module touches the schema. */
export async function migrateDatabase(config: AppConfig): Promise<string[]> {
  const dataSource = createDataSource(config.database);
  await dataSource.initialize();
  try {
    return await runMigrationsUnderLock(dataSource, config.database.sqlitePath);
  } finally {
    await dataSource.destroy();
  }
}

export async function startWeb(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { logger: LOG_LEVELS[config.logLevel] });
  configureApp(app, config);
  await app.init();
  if (config.importContentOnStart) {
    await withStartupLock(app.get(DataSource), config.database.sqlitePath, () => app.get(ContentService).importAll());
  }
  await app.get(SetupService).announceSetupLinkIfNeeded();
  return app;
}

/** The worker role: queue consumers only, no HTTP server. */
export async function startWorker(config: AppConfig): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: LOG_LEVELS[config.logLevel] });
  app.enableShutdownHooks();
  await app.init();
  return app;
}

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78);
    }
    throw error;
  }
  // A process forked by the supervisor gets its role through ROLE, whatever the command line said.
  const role = cluster.isWorker ? config.role : ((process.argv[2] as ProcessRole | undefined) ?? config.role);
  if (!['web', 'worker', 'all'].includes(role)) {
    console.error(`Unknown role "${role}": use web, worker or all.`);
    process.exit(64);
  }
  config = { ...config, role };
  const logger = new Logger('Main');
  if (cluster.isWorker) {
    // The primary migrated and imported content/ before forking this web process.
    config = { ...config, importContentOnStart: false };
  } else {
    const applied = await migrateDatabase(config);
    if (applied.length) logger.log(`Applied migrations: ${applied.join(', ')}`);
    if (role !== 'worker' && config.webConcurrency > 1) return superviseWebProcesses(config, logger);
  }
  if (role === 'worker') {
    await startWorker(config);
    logger.log(`ExportReady (worker) consuming queues with ${config.database.kind}`);
    return;
  }
  const app = await startWeb(config);
  await app.listen(config.port);
  logger.log(`ExportReady (${role}) on ${config.baseUrl} with ${config.database.kind}`);
}

/**
 * WEB_CONCURRENCY > 1: this process only supervises. It imports content/ once, then forks that
 * many web processes sharing the port (node:cluster hands out connections), and with role
 * `all` one worker process for the queues; a process that dies is started again. Nothing in
 * a web process's memory matters to the others: sessions are in the database and the caches
 * are cleared in all of them through Redis.
 */
async function superviseWebProcesses(config: AppConfig, logger: Logger): Promise<void> {
  if (config.importContentOnStart) {
    const app = await NestFactory.createApplicationContext(AppModule.forRoot({ ...config, role: 'web' }), { logger: LOG_LEVELS[config.logLevel] });
    await withStartupLock(app.get(DataSource), config.database.sqlitePath, () => app.get(ContentService).importAll());
    await app.get(SetupService).announceSetupLinkIfNeeded();
    await app.close();
  }
  const roles = new Map<number, ProcessRole>();
  let stopping = false;
  const fork = (role: ProcessRole) => {
    const child = cluster.fork({ ROLE: role });
    roles.set(child.id, role);
  };
  for (let i = 0; i < config.webConcurrency; i++) fork('web');
  if (config.role === 'all') fork('worker');
  cluster.on('exit', (child, code, signal) => {
    const role = roles.get(child.id) ?? 'web';
    roles.delete(child.id);
    if (stopping) return;
    logger.warn(`${role} process ${child.process.pid} exited (${signal ?? code}); starting another`);
    fork(role);
  });
  const stop = () => {
    stopping = true;
    for (const child of Object.values(cluster.workers ?? {})) child?.process.kill('SIGTERM');
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  logger.log(`ExportReady supervising ${config.webConcurrency} web process(es)${config.role === 'all' ? ' and 1 worker' : ''} on ${config.baseUrl}`);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
