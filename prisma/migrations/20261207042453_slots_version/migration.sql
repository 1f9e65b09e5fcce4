-- AlterTable
ALTER TABLE "agencies" ADD COLUMN     "slots_version" BIGINT NOT NULL DEFAULT 0;

-- Hand-written: [AP-2] every change a free slot depends on bumps its agency's slots_version, in
-- the same transaction, so an api process may keep an agency's computed slots while the version
-- holds and never serve them stale. Statement-level triggers with transition tables: a bulk
-- insert bumps each agency once, not once per row.
CREATE FUNCTION bump_slots_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'technician_absences' THEN
    IF TG_OP <> 'DELETE' THEN
      UPDATE agencies SET slots_version = slots_version + 1
      WHERE id IN (SELECT t.agency_id FROM technicians t JOIN new_rows r ON r.technician_id = t.id);
    END IF;
    IF TG_OP <> 'INSERT' THEN
      UPDATE agencies SET slots_version = slots_version + 1
      WHERE id IN (SELECT t.agency_id FROM technicians t JOIN old_rows r ON r.technician_id = t.id);
    END IF;
  ELSE
    -- appointments and agency_closures carry agency_id.
    IF TG_OP <> 'DELETE' THEN
      UPDATE agencies SET slots_version = slots_version + 1 WHERE id IN (SELECT agency_id FROM new_rows);
    END IF;
    IF TG_OP <> 'INSERT' THEN
      UPDATE agencies SET slots_version = slots_version + 1 WHERE id IN (SELECT agency_id FROM old_rows);
    END IF;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER appointments_slots_insert AFTER INSERT ON appointments
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_slots_version();
CREATE TRIGGER appointments_slots_update AFTER UPDATE ON appointments
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_slots_version();
CREATE TRIGGER appointments_slots_delete AFTER DELETE ON appointments
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_slots_version();
CREATE TRIGGER technician_absences_slots_insert AFTER INSERT ON technician_absences
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_slots_version();
CREATE TRIGGER technician_absences_slots_update AFTER UPDATE ON technician_absences
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_slots_version();
CREATE TRIGGER technician_absences_slots_delete AFTER DELETE ON technician_absences
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_slots_version();
CREATE TRIGGER agency_closures_slots_insert AFTER INSERT ON agency_closures
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_slots_version();
CREATE TRIGGER agency_closures_slots_update AFTER UPDATE ON agency_closures
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_slots_version();
CREATE TRIGGER agency_closures_slots_delete AFTER DELETE ON agency_closures
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_slots_version();
-- Technicians: only what the roster is made of, row by row (a page updates a technician too,
-- and must not make every console recompute its agency's slots).
CREATE FUNCTION bump_slots_version_of_technician() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    UPDATE agencies SET slots_version = slots_version + 1 WHERE id = NEW.agency_id;
  END IF;
  IF TG_OP <> 'INSERT' AND (TG_OP = 'DELETE' OR OLD.agency_id <> NEW.agency_id) THEN
    UPDATE agencies SET slots_version = slots_version + 1 WHERE id = OLD.agency_id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER technicians_slots_insert_delete AFTER INSERT OR DELETE ON technicians
  FOR EACH ROW EXECUTE FUNCTION bump_slots_version_of_technician();
CREATE TRIGGER technicians_slots_update AFTER UPDATE OF field_weekdays, active, agency_id ON technicians
  FOR EACH ROW
  WHEN (OLD.field_weekdays IS DISTINCT FROM NEW.field_weekdays OR OLD.active IS DISTINCT FROM NEW.active
        OR OLD.agency_id IS DISTINCT FROM NEW.agency_id)
  EXECUTE FUNCTION bump_slots_version_of_technician();

-- The agency's own settings of its slots.
CREATE FUNCTION bump_own_slots_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.field_hours IS DISTINCT FROM OLD.field_hours OR NEW.time_zone IS DISTINCT FROM OLD.time_zone
     OR NEW.holiday_calendar IS DISTINCT FROM OLD.holiday_calendar THEN
    NEW.slots_version := OLD.slots_version + 1;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER agencies_slots_settings BEFORE UPDATE ON agencies
  FOR EACH ROW EXECUTE FUNCTION bump_own_slots_version();
