import type { ServiceInfo } from "@agnt5/admin-client";
import { admin } from "../api.js";
import { Notice } from "../components/notice.js";
import { StatusBadge } from "../components/status-badge.js";
import { formatAgo } from "../format.js";
import { href } from "../router.js";
import { usePoll } from "../use-poll.js";

/** Registered services: their components and the workers connected right now. */
export function ServicesPage() {
  const services = usePoll(() => admin.listServices(), "services");
  return (
    <section>
      <div class="page-head">
        <h1>Services</h1>
      </div>
      <Notice text={services.error} />
      {services.data?.services.length === 0 && <p class="empty">No service has registered yet: start a worker.</p>}
      {services.data?.services.map((service) => (
        <ServiceCard key={service.name} service={service} />
      ))}
    </section>
  );
}

function ServiceCard({ service }: { service: ServiceInfo }) {
  return (
    <section class="card" data-service={service.name} aria-label={`Service ${service.name}`}>
      <div class="service-head">
        <h2 class="mono">{service.name}</h2>
        <span class="muted">v{service.version}</span>
        <StatusBadge status={service.status} />
      </div>
      <div class="two-col">
        <div>
          <h4>Components</h4>
          <table class="table">
            <tbody>
              {service.components.map((c) => (
                <tr key={c.name}>
                  <td>
                    <a href={href(["runs"], { service: service.name, component: c.name })}>{c.name}</a>
                  </td>
                  <td class="muted">{c.kind}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div>
          <h4>Workers</h4>
          {service.workers.length === 0 ? (
            <p class="empty">No worker connected.</p>
          ) : (
            <table class="table">
              <thead>
                <tr>
                  <th>Worker</th>
                  <th>Connected</th>
                  <th class="num">Active</th>
                </tr>
              </thead>
              <tbody>
                {service.workers.map((w) => (
                  <tr key={w.id}>
                    <td class="mono">{w.id}</td>
                    <td>{formatAgo(w.connectedAt)}</td>
                    <td class="num">{w.activeInvocations}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </div>
    </section>
  );
}
