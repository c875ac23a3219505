// The replicas' leases (migration 0008) with what each owns: read-only, for GET /admin/v1/replicas.
import type { Queryable } from "../../store/index.js";

export interface ReplicaRow {
  token: string;
  name: string;
  services: string[];
  started_at: Date;
  renewed_at: Date;
  expires_at: Date;
  expired: boolean;
  unfinished: number;
  entity_keys: number;
}

/** Every lease row, oldest token first; the counts use the owner indexes of 0008. */
export function listReplicaRows(db: Queryable): Promise<ReplicaRow[]> {
  return db.query<ReplicaRow>(
    `SELECT r.token::text AS token, r.name, r.services, r.started_at, r.renewed_at, r.expires_at,
            r.expires_at < now() AS expired,
            (SELECT count(*) FROM invocations AS i
             WHERE i.owner_token = r.token AND i.status IN ('pending', 'running', 'suspended')) AS unfinished,
            (SELECT count(*) FROM entity_key_owners AS k WHERE k.owner_token = r.token) AS entity_keys
     FROM coordinator_replicas AS r
     ORDER BY r.token`,
  );
}
