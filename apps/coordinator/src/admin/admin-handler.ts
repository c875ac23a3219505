import type { AdminRouteName, adminRoutes } from "@agnt5/admin-client";
import type { z } from "zod";
import type { Identity } from "../auth/identity.js";
import type { AdminContext } from "./admin-deps.js";

type Spec<N extends AdminRouteName> = (typeof adminRoutes)[N];
type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** A request as an admin handler sees it: params, query and body parsed by the route's schemas. */
export interface AdminRequest<N extends AdminRouteName> {
  params: Spec<N> extends { params: infer P } ? Parsed<P> : Record<string, never>;
  query: Spec<N> extends { query: infer Q } ? Parsed<Q> : Record<string, never>;
  /** The parsed body; for a route whose body is any JSON (a signal's payload), its JSON text is `bodyText`. */
  body: Spec<N> extends { body: infer B } ? Parsed<B> : undefined;
  bodyText: string;
  headers: Record<string, string | string[] | undefined>;
  /** The authenticated caller (DEV_IDENTITY in dev mode). */
  identity: Identity;
}

/** Answers one admin route with the JSON value of its response schema. */
export type AdminHandler<N extends AdminRouteName> = (
  request: AdminRequest<N>,
  ctx: AdminContext,
) => Promise<z.input<Spec<N>["response"]>>;

export type AdminHandlers<N extends AdminRouteName> = { [K in N]: AdminHandler<K> };
