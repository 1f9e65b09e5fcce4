import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { STAFF } from '../platform/auth/principal.js';
import type { Services } from '../services.js';
import { checkTemplates } from './template-check.js';

// The console's template preview: every template rendered with its sample variables, and each
// SMS with its encoding and segment count, so a supervisor sees what customers will read.

const Query = Type.Object({ key: Type.Optional(Type.String({ maxLength: 200 })) });

export function templatesRoutes(app: FastifyInstance, services: Services): void {
  app.get(
    '/api/templates',
    { config: { access: { users: STAFF } }, schema: { tags: ['templates'], querystring: Query } },
    async (request) => {
      const { key } = request.query as { key?: string };
      return checkTemplates(services.templates, services.templateSamples)
        .filter((r) => !key || r.key === key)
        .map(({ key, locale, rendered, sms, warnings, errors }) => ({
          key,
          locale,
          rendered,
          sms,
          warnings,
          errors,
        }));
    },
  );
}
