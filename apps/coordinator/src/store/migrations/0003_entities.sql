-- 0003: entity invocations name the method they call (handler = the entity type, object_key =
-- the entity key). Entity state itself lives in the entity store (@agnt5/entity-store).
ALTER TABLE invocations ADD COLUMN method_name text;
