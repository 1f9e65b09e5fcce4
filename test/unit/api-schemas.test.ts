import type { TSchema } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { AgentStateName } from '../../src/agents/agents.schemas.js';
import { AlertStatus, MessageStatus } from '../../src/alerts/alerts.schemas.js';
import {
  AppointmentParty,
  AppointmentStatus,
  InterventionTypeName,
} from '../../src/appointments/appointments.schemas.js';
import { INTERVENTION_TYPES } from '../../src/appointments/interventions.js';
import { BillingHoldKind } from '../../src/cases/billing-holds.schemas.js';
import {
  CaseKind,
  CaseStatus,
  ContactChannel,
  Direction,
  MessageChannel,
  SensitiveCategory,
  Urgency,
} from '../../src/cases/cases.schemas.js';
import * as Db from '../../src/generated/prisma/enums.js';
import {
  CallerRelation,
  CustomerClass,
  Equipment,
  PhoneKind,
} from '../../src/identification/identification.schemas.js';
import { AttemptOutcome, PageOutcome, PageStatus, PageTarget } from '../../src/oncall/oncall.schemas.js';
import { Locale, StaffRole } from '../../src/platform/auth/auth.schemas.js';

// The response schemas spell the database's enums out (they may not import Prisma: the console
// reads them). A value added to an enum in prisma/schema.prisma but not here would make fastify
// fail to send a case holding it (500), so each pair is compared.

const valuesOf = (schema: TSchema): unknown[] =>
  (schema.anyOf as TSchema[]).map((literal) => literal.const).sort();
const sorted = (enumeration: Record<string, string>) => Object.values(enumeration).sort();

describe('response schemas', () => {
  it.each([
    ['UserRole', StaffRole, Db.UserRole],
    ['CaseKind', CaseKind, Db.CaseKind],
    ['Urgency', Urgency, Db.Urgency],
    ['CaseStatus', CaseStatus, Db.CaseStatus],
    ['SensitiveCategory', SensitiveCategory, Db.SensitiveCategory],
    ['Direction', Direction, Db.Direction],
    ['ContactChannel', ContactChannel, Db.ContactChannel],
    ['MessageChannel', MessageChannel, Db.MessageChannel],
    ['MessageStatus', MessageStatus, Db.MessageStatus],
    ['BillingHoldKind', BillingHoldKind, Db.BillingHoldKind],
    ['CallerRelation', CallerRelation, Db.CallerRelation],
    ['CustomerClass', CustomerClass, Db.CustomerClass],
    ['Equipment', Equipment, Db.Equipment],
    ['PageStatus', PageStatus, Db.PageStatus],
    ['PageTarget', PageTarget, Db.PageTarget],
    ['AttemptOutcome', AttemptOutcome, Db.AttemptOutcome],
    ['PageOutcome', PageOutcome, Db.PageOutcome],
    ['AlertStatus', AlertStatus, Db.AlertStatus],
    ['AgentState', AgentStateName, Db.AgentState],
    ['PhoneKind', PhoneKind, Db.PhoneKind],
    ['Locale', Locale, Db.Locale],
    ['AppointmentStatus', AppointmentStatus, Db.AppointmentStatus],
    ['AppointmentParty', AppointmentParty, Db.AppointmentParty],
  ] as const)('list every value of the database enum %s', (_name, schema, enumeration) => {
    expect(valuesOf(schema)).toEqual(sorted(enumeration));
  });
});

describe('the appointments api', () => {
  it('offers every intervention type the booking rules know, and no other', () => {
    expect(valuesOf(InterventionTypeName)).toEqual(Object.keys(INTERVENTION_TYPES).sort());
  });
});
