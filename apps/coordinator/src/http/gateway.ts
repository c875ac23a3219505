import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import { CoordinatorError, errorBody, httpStatusFor } from "../errors.js";
import { registerEntityRoutes } from "./entity-routes.js";
import { GatewayClosing } from "./gateway-closing.js";
import type { GatewayDeps } from "./gateway-deps.js";
import { registerInvokeRoutes } from "./invoke-routes.js";
import { registerQueryRoutes } from "./query-routes.js";
import { registerRunRoutes } from "./run-routes.js";

/** The HTTP gateway: callers submit invocations and read their results here. */
export function createGateway(deps: GatewayDeps): FastifyInstance {
  const app = Fastify({ bodyLimit: deps.maxBodyBytes, logger: false });

  // Bodies arrive raw, whatever their content type, so JSON errors can name the problem precisely.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));

  // Calls still waiting for an outcome are answered when the gateway starts closing, over
  // connections that then close: otherwise close() would wait for them (for a stream,
  // indefinitely) and then for their idle keep-alive sockets.
  const closing = new GatewayClosing();
  app.addHook("preClose", (done) => {
    closing.begin();
    done();
  });
  app.addHook("onSend", (_request, reply, payload, done) => {
    if (closing.closing) reply.header("connection", "close");
    done(null, payload);
  });

  registerQueryRoutes(app, deps);
  registerInvokeRoutes(app, deps, closing);
  registerRunRoutes(app, deps);
  registerEntityRoutes(app, deps, closing);

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(errorBody("ROUTE_NOT_FOUND", `No route ${request.method} ${request.url}`));
  });

  app.setErrorHandler((error: FastifyError | CoordinatorError, request, reply) => {
    if (error instanceof CoordinatorError) {
      const status = httpStatusFor(error.code);
      if (error.invocationId) reply.header("agnt5-invocation-id", error.invocationId);
      return reply.status(status).send(errorBody(error.code, error.message, error.details, error.invocationId));
    }
    if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      return reply
        .status(413)
        .send(
          errorBody(
            "PAYLOAD_TOO_LARGE",
            `Request body exceeds the limit of ${deps.maxBodyBytes} bytes (AGNT5_MAX_BODY_BYTES)`,
          ),
        );
    }
    if (error.statusCode && error.statusCode < 500) {
      return reply.status(error.statusCode).send(errorBody("INVALID_REQUEST", error.message));
    }
    deps.logger.error({ err: error, url: request.url }, "Gateway request failed");
    return reply.status(500).send(errorBody("INTERNAL", "Internal coordinator error; see the coordinator logs"));
  });
  return app;
}
