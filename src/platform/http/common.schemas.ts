// Building blocks of the api's response schemas. The files named *.schemas.ts import only TypeBox
// and one another: the console imports their types (`import type`), so none of the server's code
// can reach its bundle, and fastify serializes each answer by them (fields not listed are not sent).
import { type TLiteral, type TSchema, type TUnion, Type } from '@sinclair/typebox';

/** A field the server sends as null when there is nothing. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** An instant, sent as an ISO 8601 string (fastify serializes the database's Date objects so). */
export const Timestamp = Type.String({ format: 'date-time' });

/** One of a closed set of strings (a database enum): a union of literals in the console's types. */
export function OneOf<const V extends readonly [string, ...string[]]>(
  values: V,
): TUnion<{ -readonly [K in keyof V]: TLiteral<V[K]> }> {
  return Type.Union(values.map((value) => Type.Literal(value))) as never;
}

/** The body of every error the api answers (4xx, 5xx). */
export const ApiErrorBody = Type.Object({ error: Type.String(), message: Type.String() });
