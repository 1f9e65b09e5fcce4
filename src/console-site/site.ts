import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Logger } from '../platform/logger.js';
import { PATHS } from '../platform/paths.js';

// /console/ serves the console's bundle (agent-console/dist): browsers cannot run its TypeScript
// sources. A production image builds it once (npm run console:build); in development the api
// builds it when it starts and finds none, or one older than the sources, so an edit is never
// hidden by an earlier build.

const SOURCE = /\.(ts|css|html)$/;

/**
 * The folder to serve at /console/, built first if it is missing or stale. In production
 * (NODE_ENV=production) nothing is built at start-up: the image carries the bundle, and an api
 * that found none says so rather than build one on a server.
 */
export async function consoleSite(logger: Logger, { production }: { production: boolean }): Promise<string> {
  const state = bundleState();
  if (state === 'built') {
    logger.info('console: serving the bundle in agent-console/dist');
    return PATHS.consoleDist;
  }
  if (production)
    throw new Error(
      `console: agent-console/dist is ${state}: build it with npm run console:build before starting`,
    );
  // esbuild is a development dependency: a production install never gets here with a stale bundle.
  const bundle = await import('./bundle.js').catch((err: unknown) => {
    throw new Error(
      `console: agent-console/dist is ${state} and cannot be built here (npm run console:build)`,
      {
        cause: err,
      },
    );
  });
  await bundle.buildConsole();
  logger.info(`console: built agent-console/dist (it was ${state})`);
  return PATHS.consoleDist;
}

/** Whether dist/ holds a bundle no older than every source of the console. */
export function bundleState(): 'built' | 'missing' | 'stale' {
  const builtAt = statSync(join(PATHS.consoleDist, 'index.html'), { throwIfNoEntry: false })?.mtimeMs;
  if (builtAt === undefined) return 'missing';
  const stale = readdirSync(PATHS.agentConsole, { recursive: true, withFileTypes: true }).some(
    (entry) =>
      entry.isFile() &&
      SOURCE.test(entry.name) &&
      relative(PATHS.agentConsole, entry.parentPath).split(sep)[0] !== 'dist' &&
      statSync(join(entry.parentPath, entry.name)).mtimeMs > builtAt,
  );
  return stale ? 'stale' : 'built';
}
