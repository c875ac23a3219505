/**
 * @agnt5/proto: the worker <-> coordinator protocol (agnt5.v1), generated from proto/agnt5/v1 by
 * buf + protoc-gen-es, plus the grpc-js service definition derived from the descriptors.
 * Internal to AGNT5: proto types never appear in the public SDK API.
 */
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { WorkerService } from "./gen/agnt5/v1/worker_pb.js";
import { grpcServiceDefinition } from "./grpc-service.js";

export * from "./gen/agnt5/v1/worker_pb.js";
export { grpcServiceDefinition } from "./grpc-service.js";
export { create, fromBinary, toBinary };

/** grpc-js definition of agnt5.v1.WorkerService (one bidi `connect` stream per worker). */
export const workerServiceDefinition = grpcServiceDefinition(WorkerService);

/** The full method path, for clients built with grpc-js `makeGenericClientConstructor`. */
export const WORKER_CONNECT_PATH = "/agnt5.v1.WorkerService/Connect";

/** Largest message either side accepts; generous enough for inputs, outputs and journals. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
export { type EntryKindName, entryKindName, entryKindValue } from "./entry-kinds.js";
