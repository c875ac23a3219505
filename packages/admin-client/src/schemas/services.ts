import { z } from "zod";
import { Timestamp } from "./common.js";

/** A component a worker registered; more fields (input schema, entity methods, ...) pass through. */
export const ServiceComponent = z.looseObject({
  name: z.string(),
  kind: z.string(),
});
export type ServiceComponent = z.infer<typeof ServiceComponent>;

export const ConnectedWorker = z.object({
  id: z.string(),
  connectedAt: Timestamp,
  activeInvocations: z.number().int(),
});
export type ConnectedWorker = z.infer<typeof ConnectedWorker>;

export const ServiceInfo = z.object({
  name: z.string(),
  version: z.string(),
  status: z.enum(["live", "no_workers"]),
  components: z.array(ServiceComponent),
  workers: z.array(ConnectedWorker),
});
export type ServiceInfo = z.infer<typeof ServiceInfo>;

export const ServicesResponse = z.object({ services: z.array(ServiceInfo) });
export type ServicesResponse = z.infer<typeof ServicesResponse>;
