import type { FastifyInstance } from 'fastify';
import { actorOf } from '../cases/case-actions.service.js';
import { visibleTo } from '../cases/case-scope.js';
import { STAFF } from '../platform/auth/principal.js';
import { ApiErrorBody } from '../platform/http/common.schemas.js';
import { isUuid } from '../platform/ids.js';
import type { Services } from '../services.js';
import {
  CaseIdParams,
  NewVacantHousingBody,
  VacantHousing,
  VacantHousingOpened,
} from './follow-ups.schemas.js';
import { type NewVacantHousing, openVacantHousing } from './vacant-housing.service.js';

// [DP-5] Vacant housing: opening the follow-up of a supply point left with no known successor,
// and what it has done so far.

const STATUS_OF = { not_found: 404, duplicate: 409, forbidden: 403 } as const;

export function vacantHousingRoutes(app: FastifyInstance, services: Services): void {
  const deps = services.followUps;
  const staff = { access: { users: STAFF } };

  app.post(
    '/api/vacant-housing',
    {
      config: staff,
      schema: {
        tags: ['follow-ups'],
        summary: '[DP-5] A home left with no known successor: a letter after 10 days, a field task after 30',
        body: NewVacantHousingBody,
        response: { 201: VacantHousingOpened, 403: ApiErrorBody, 404: ApiErrorBody, 409: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const result = await openVacantHousing(deps, request.body as NewVacantHousing, actorOf(request));
      if (result.ok) return reply.code(201).send(result.value);
      return reply.code(STATUS_OF[result.code]).send({ error: result.code, message: result.message });
    },
  );

  app.get(
    '/api/vacant-housing/:caseId',
    {
      config: staff,
      schema: {
        tags: ['follow-ups'],
        params: CaseIdParams,
        response: { 200: VacantHousing, 404: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const { caseId } = request.params as { caseId: string };
      const kase = isUuid(caseId)
        ? await deps.db.case.findFirst({
            where: { id: caseId, ...visibleTo(request.principal!) },
            select: {
              number: true,
              status: true,
              vacantHousing: true,
              timers: {
                select: { id: true, kind: true, dueAt: true, state: true, firedAt: true, data: true },
                orderBy: { dueAt: 'asc' },
              },
            },
          })
        : null;
      if (!kase?.vacantHousing)
        return reply.code(404).send({ error: 'not_found', message: 'no such vacant-housing case' });
      return { ...kase.vacantHousing, caseNumber: kase.number, status: kase.status, timers: kase.timers };
    },
  );
}
