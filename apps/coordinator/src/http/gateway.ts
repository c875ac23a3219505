import Fastify, { type FastifyInstance } from "fastify";
import { registerAdminRoutes } from "../admin/register-admin-routes.js";
import { registerAuthentication } from "../auth/http-auth-hook.js";
import { errorBody } from "../errors.js";
import { registerAgentRoutes } from "./agent-routes.js";
import { registerConsoleRoute } from "./console-route.js";
import { registerEntityRoutes } from "./entity-routes.js";
import { GatewayClosing } from "./gateway-closing.js";
import type { GatewayDeps } from "./gateway-deps.js";
import {
  gatewayClientErrorHandler,
  gatewayErrorHandler,
  gatewayFrameworkErrors,
  shortened,
} from "./gateway-error-handler.js";
import { registerInvokeRoutes } from "./invoke-routes.js";
import { MAX_RAW_PARAM_LENGTH, registerPathParamValidation } from "./path-params.js";
import { registerQueryRoutes } from "./query-routes.js";
import { authenticatedCaller, registerRateLimit } from "./rate-limit.js";
import { registerRunRoutes } from "./run-routes.js";
import { registerSessionRoutes } from "./session-routes.js";

/** The HTTP gateway: callers submit invocations and read their results here. */
export function createGateway(deps: GatewayDeps): FastifyInstance {
  const app = Fastify({
    ...(deps.https ? { https: deps.https } : {}),
    bodyLimit: deps.maxBodyBytes,
    logger: false,
    routerOptions: { maxParamLength: MAX_RAW_PARAM_LENGTH },
    // Errors raised before our hooks (routing, HTTP parsing) answer in our shape too.
    frameworkErrors: gatewayFrameworkErrors,
    clientErrorHandler: gatewayClientErrorHandler,
  });
  // Before every route and hook that reads a body: a request without a valid key goes no further.
  registerAuthentication(app, deps.auth, deps.logger);
  registerPathParamValidation(app);
  registerRateLimit(app, {
    perMinute: deps.rateLimitPerMinute ?? 0,
    callerOf: authenticatedCaller,
    ...(deps.rateLimitRedis ? { shared: { ...deps.rateLimitRedis, logger: deps.logger } } : {}),
  });

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
  registerAgentRoutes(app, deps, closing);
  registerEntityRoutes(app, deps, closing);
  registerSessionRoutes(app, deps, closing);
  registerAdminRoutes(app, deps);
  registerConsoleRoute(app);

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(errorBody("ROUTE_NOT_FOUND", `No route ${request.method} ${shortened(request.url)}`));
  });

  app.setErrorHandler(gatewayErrorHandler(deps.logger, deps.maxBodyBytes));
  return app;
}
