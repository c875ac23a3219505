import { ApiKeyBar } from "./components/api-key-bar.js";
import { EntitiesPage } from "./pages/entities-page.js";
import { RunPage } from "./pages/run-page.js";
import { RunsPage } from "./pages/runs-page.js";
import { ServicesPage } from "./pages/services-page.js";
import { type Route, useRoute } from "./router.js";

export function App() {
  const route = useRoute();
  return (
    <div class="shell">
      <header class="topbar">
        <a class="brand" href="#/runs">
          <span class="brand-mark">A5</span> AGNT5 <span class="brand-sub">console</span>
        </a>
        <nav class="nav">
          <NavLink to="#/runs" active={route.page === "runs" || route.page === "run"} label="Runs" />
          <NavLink to="#/entities" active={route.page === "entities"} label="Entities" />
          <NavLink to="#/services" active={route.page === "services"} label="Services" />
        </nav>
        <ApiKeyBar />
      </header>
      <main class="content">
        <Page route={route} />
      </main>
    </div>
  );
}

function NavLink({ to, active, label }: { to: string; active: boolean; label: string }) {
  return (
    <a href={to} class={active ? "nav-link active" : "nav-link"} aria-current={active ? "page" : undefined}>
      {label}
    </a>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case "run":
      // Keyed by run: a new run page starts with no leftover action message.
      return <RunPage key={route.runId} runId={route.runId} />;
    case "entities":
      return <EntitiesPage type={route.type} entityKey={route.key} />;
    case "services":
      return <ServicesPage />;
    default:
      return <RunsPage query={route.query} />;
  }
}
