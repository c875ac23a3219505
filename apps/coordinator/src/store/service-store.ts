// Registered services: what workers described at registration, kept so a restarted coordinator
// knows its services (and their schemas) before any worker reconnects.
import type { Queryable } from "./database.js";
import { storableJson } from "./storable-text.js";

export interface ServiceRecord {
  name: string;
  version: string;
  components: unknown[];
  updatedAt: Date;
}

export class ServiceStore {
  constructor(private readonly db: Queryable) {}

  async upsertService(record: Omit<ServiceRecord, "updatedAt"> & { updatedAt?: Date }): Promise<ServiceRecord> {
    const rows = await this.db.query<ServiceRow>(
      `INSERT INTO services (name, version, components, updated_at)
       VALUES ($1::text, $2::text, $3::jsonb, coalesce($4::timestamptz, clock_timestamp()))
       ON CONFLICT (name) DO UPDATE
         SET version = EXCLUDED.version, components = EXCLUDED.components, updated_at = EXCLUDED.updated_at
       RETURNING *`,
      // A worker's descriptions, schemas and metadata: U+0000 and lone surrogates become U+FFFD (jsonb refuses them).
      [record.name, record.version, storableJson(record.components), record.updatedAt?.toISOString() ?? null],
    );
    return toService(rows[0] as ServiceRow);
  }

  async listServices(): Promise<ServiceRecord[]> {
    const rows = await this.db.query<ServiceRow>(`SELECT * FROM services ORDER BY name`);
    return rows.map(toService);
  }

  /** Forgets a service's registration (an operator removing a retired service); false when there was none. */
  async deleteService(name: string): Promise<boolean> {
    const rows = await this.db.query<{ name: string }>(`DELETE FROM services WHERE name = $1::text RETURNING name`, [
      name,
    ]);
    return rows.length > 0;
  }
}

interface ServiceRow {
  name: string;
  version: string;
  components: unknown[];
  updated_at: Date;
}

function toService(r: ServiceRow): ServiceRecord {
  return { name: r.name, version: r.version, components: r.components, updatedAt: r.updated_at };
}
