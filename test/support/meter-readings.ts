import { dateOfDay, dayNumber } from '../../src/alerts/day-numbers.js';
import type { Db } from '../../src/platform/db/client.js';

/** Stores a meter's daily volumes in litres, by day of November 2026. */
export async function readNovember(db: Db, meterId: string, volumes: Record<number, number>): Promise<void> {
  await db.meterReading.createMany({
    data: Object.entries(volumes).map(([day, litres]) => ({
      meterId,
      day: dateOfDay(dayNumber(2026, 11, Number(day))),
      volumeLitres: litres,
    })),
  });
}
