// The console in a real browser: a coordinator on PostgreSQL serving the built console, a worker,
// and Debian's Chromium driven by playwright-core. A workflow waits for an approval; the test opens
// the console, finds the run, sees it waiting, approves it and sees it complete; an agent's
// approval shows the exact tool call it gates; the runs list filters; the entity page shows a
// key's state. Every wait is on a page state (locators), never a fixed sleep.
// With CONSOLE_SCREENSHOTS_DIR set (npm run docs:screenshots), it also saves the docs' screenshots.
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./test-support/chromium.js";
import { ConsoleCluster } from "./test-support/console-cluster.js";

const screenshots = process.env.CONSOLE_SCREENSHOTS_DIR;

describe("the console in Chromium", () => {
  let cluster: ConsoleCluster;
  let browser: Browser;
  let page: Page;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    [cluster, browser] = await Promise.all([ConsoleCluster.start(), launchChromium()]);
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // The coordinator serves the console with a Content-Security-Policy: anything it blocks (a
    // script, a style, a fetch) is reported by Chromium on the console, and fails the last test.
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    // Generous: two busy cores run the coordinator, the worker, PostgreSQL and Chromium.
    page.setDefaultTimeout(60_000);
    await cluster.post("/v1/entities/Cart/alice/add_item", { sku: "kettle-2l", qty: 1 });
    await cluster.post("/v1/entities/Cart/alice/add_item", { sku: "tea-sampler", qty: 2 });
    await cluster.post("/v1/entities/Cart/bob/add_item", { sku: "mug", qty: 4 });
    for (let i = 0; i < 3; i++) await cluster.post("/v1/services/shop/ping", null);
    await cluster.post("/v1/workflows/expense_report/runs", {
      runId: "expense-2041",
      input: { employee: "ana", amount: 1250 },
    });
    // Left waiting, and a failed call: the runs list shows every state.
    await cluster.post("/v1/workflows/expense_report/runs", {
      runId: "expense-2042",
      input: { employee: "li", amount: 80 },
    });
    await cluster.post("/v1/services/shop/charge_card?mode=async", { cents: 12900 });
  });

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  const snap = async (name: string) => {
    if (screenshots) await page.screenshot({ path: join(screenshots, name) });
  };

  it("opens a run waiting for approval from the runs list, approves it and sees it complete", async () => {
    const response = await page.goto(`${cluster.url}/console`);
    expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
    const row = page.locator('tr[data-run-id="expense-2041"]');
    await row.locator('[data-status="suspended"], [data-status="running"], [data-status="pending"]').waitFor();
    await row.getByRole("link", { name: "expense-2041" }).click();

    expect(new URL(page.url()).hash).toBe("#/runs/expense-2041");
    await page.getByTestId("waiting-on").getByText("pay_expense").waitFor();
    const approval = page.locator('[data-approval="pay_expense"]');
    await approval.getByText('"ana"').waitFor();
    // The timeline so far: the two steps, completed, then the approval's wait.
    await page.locator('[data-entry="0"][data-status="completed"]').getByText("load_report").waitFor();
    await page.locator('[data-entry="1"][data-status="completed"]').getByText("score_risk").waitFor();
    await page.locator('[data-entry="2"][data-status="waiting"]').waitFor();

    const approve = approval.getByRole("button", { name: "Approve" });
    expect(await approve.isDisabled()).toBe(true); // no approver name yet
    await approval.getByLabel("Approver name").fill("rita");
    // Dev mode: the coordinator records the name typed, so no key's name is shown instead.
    expect(await approval.getByTestId("recorded-as").count()).toBe(0);
    await approve.click();

    await page.locator(".run-title [data-status='completed']").waitFor();
    await page.locator('[data-entry="3"][data-status="completed"]').getByText("pay").waitFor();
    await page.locator('[aria-label="Pending approvals"]').waitFor({ state: "detached" });
    const output = await (await fetch(`${cluster.url}/admin/v1/runs/expense-2041`)).json();
    expect(output).toMatchObject({ status: "completed", output: { paid: true, approvedBy: "rita" } });
    await page.getByText('"rita"').first().waitFor();
  });

  it("ties an agent's approval to its exact tool call and shows model calls with tokens", async () => {
    await cluster.post("/v1/agents/support/runs", { runId: "support-7", input: "Order A-1042 arrived broken" });
    await page.goto(`${cluster.url}/console/#/runs/support-7`);
    const approval = page.locator(".approval");
    await approval.locator(".approval-call").getByText("refund", { exact: true }).waitFor();
    await approval.getByText('"A-1042"').waitFor();
    const firstCall = page.locator('[data-model-call="0"]');
    await firstCall.locator(":scope > summary").getByText("182 in · 41 out").waitFor();
    await firstCall.locator(":scope > summary").getByText("openai/gpt-4o-mini").waitFor();
    await snap("console-run.png");
    await firstCall.locator(":scope > summary").click();
    await firstCall.locator(".message", { hasText: "Order A-1042 arrived broken" }).locator(".role-user").waitFor();

    await approval.getByLabel("Approver name").fill("rita");
    await approval.getByRole("button", { name: "Approve" }).click();
    await page.locator(".run-title [data-status='completed']").waitFor();
    const tool = page.locator("[data-tool-call]");
    await tool.getByText("refund", { exact: true }).waitFor();
    await tool.getByText('"sent"').waitFor();
    await page.locator("[data-model-call]").nth(1).waitFor();
  });

  it("sends a signal with a JSON payload, and cancels a waiting run", async () => {
    await cluster.post("/v1/workflows/await_go/runs", { runId: "go-1", input: null });
    await cluster.post("/v1/workflows/await_go/runs", { runId: "go-2", input: null });
    await page.goto(`${cluster.url}/console/#/runs/go-1`);
    await page.getByTestId("waiting-on").getByText("go").waitFor();
    await page.getByLabel("Signal name").fill("go");
    await page.getByLabel("Signal payload (JSON)").fill("{not json");
    await page.getByRole("button", { name: "Send signal" }).click();
    await page.getByText("The payload is not JSON").waitFor();
    await page.getByLabel("Signal payload (JSON)").fill('{"ok": true, "by": "ops"}');
    await page.getByRole("button", { name: "Send signal" }).click();
    await page.locator(".run-title [data-status='completed']").waitFor();
    const go1 = await (await fetch(`${cluster.url}/admin/v1/runs/go-1`)).json();
    expect(go1.output).toEqual({ received: { ok: true, by: "ops" } });

    await page.goto(`${cluster.url}/console/#/runs/go-2`);
    await page.getByTestId("waiting-on").waitFor();
    await page.getByRole("button", { name: "Cancel run" }).click();
    await page.locator(".run-title [data-status='cancelled']").waitFor();
    expect(await page.getByRole("button", { name: "Cancel run" }).isDisabled()).toBe(true);
  });

  it("pauses a waiting run (a signal waits for the resume), retries a failed one, restarts from a step", async () => {
    await cluster.post("/v1/workflows/await_go/runs", { runId: "go-3", input: null });
    await page.goto(`${cluster.url}/console/#/runs/go-3`);
    await page.getByTestId("waiting-on").waitFor();
    await page.getByRole("button", { name: "Pause" }).click();
    await page.locator(".run-title [data-status='paused']").waitFor();
    await page.getByLabel("Signal name").fill("go");
    await page.getByLabel("Signal payload (JSON)").fill('"while paused"');
    await page.getByRole("button", { name: "Send signal" }).click();
    await page.getByText('Signal "go": done').waitFor();
    expect(await page.locator(".run-title [data-status]").getAttribute("data-status")).toBe("paused");
    await page.getByRole("button", { name: "Resume" }).click();
    await page.locator(".run-title [data-status='completed']").waitFor();
    await page.getByText('"while paused"').first().waitFor();

    const failed = (await (await fetch(`${cluster.url}/admin/v1/runs?component=charge_card`)).json()).runs[0];
    await page.goto(`${cluster.url}/console/#/runs/${failed.id}`);
    await page.getByText("CARD_DECLINED").first().waitFor();
    await page.getByRole("button", { name: "Retry" }).click();
    // The worker still declines: the second attempt fails too.
    await page.locator(".fact", { hasText: "Attempt" }).getByText("2").waitFor();
    await page.locator(".run-title [data-status='failed']").waitFor();

    // expense-2041 completed (approved by rita): restarting from its approval (entry 2) replays the
    // two steps and asks again, in a new run.
    await page.goto(`${cluster.url}/console/#/runs/expense-2041`);
    await page.locator('[data-entry="2"]').getByRole("button", { name: "Restart here" }).click();
    await page.waitForURL((url) => url.hash.startsWith("#/runs/") && url.hash !== "#/runs/expense-2041");
    await page.locator('[data-approval="pay_expense"]').waitFor();
    const restartedId = decodeURIComponent(new URL(page.url()).hash.slice("#/runs/".length));
    const restarted = await (await fetch(`${cluster.url}/admin/v1/runs/${restartedId}`)).json();
    expect(restarted.timeline.slice(0, 2).map((e: { name: string }) => e.name)).toEqual(["load_report", "score_risk"]);
    await page.getByLabel("Approver name").fill("sam");
    await page.getByRole("button", { name: "Reject" }).click();
    await page.locator(".run-title [data-status='completed']").waitFor();
    const done = await (await fetch(`${cluster.url}/admin/v1/runs/${restartedId}`)).json();
    expect(done.output).toEqual({ paid: false, by: "sam", comment: null });
  });

  it("filters the runs list by component and status, in the URL, and pages through it", async () => {
    await page.goto(`${cluster.url}/console/#/runs`);
    await page.locator('tr[data-run-id="expense-2041"] [data-status="completed"]').waitFor();
    await page.locator('tr[data-run-id="expense-2042"] [data-status="suspended"]').waitFor();
    await page.locator('tr[data-run-id="go-2"] [data-status="cancelled"]').waitFor();
    await page.locator('tbody tr [data-status="failed"]').waitFor();
    await snap("console-runs.png");

    await page.getByLabel("Component").fill("ping");
    await page.getByLabel("Component").press("Enter");
    await page.waitForURL(/component=ping/);
    await page.locator('tr[data-run-id="expense-2041"]').waitFor({ state: "detached" });
    const rows = page.locator("tbody tr[data-run-id]");
    await page.waitForFunction(() => document.querySelectorAll("tbody tr[data-run-id]").length === 3);
    expect(await rows.locator("td:nth-child(2)").allTextContents()).toEqual(["ping", "ping", "ping"]);

    // 30 pings: a page of 25 (newest first), then the 5 oldest, then back.
    for (let i = 0; i < 27; i++) await cluster.post("/v1/services/shop/ping", null);
    await page.waitForFunction(() => document.querySelectorAll("tbody tr[data-run-id]").length === 25);
    const firstPage = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-run-id")));
    await page.getByRole("button", { name: "Older →" }).click();
    await page.waitForURL(/cursor=/);
    await page.waitForFunction(() => document.querySelectorAll("tbody tr[data-run-id]").length === 5);
    const secondPage = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-run-id")));
    expect(new Set([...firstPage, ...secondPage]).size).toBe(30);
    expect(await page.getByRole("button", { name: "Older →" }).isDisabled()).toBe(true);
    await page.getByRole("button", { name: "← Newer" }).click();
    await page.waitForFunction(() => document.querySelectorAll("tbody tr[data-run-id]").length === 25);
    expect(await page.getByRole("button", { name: "← Newer" }).isDisabled()).toBe(true);

    await page.getByLabel("Status").selectOption("failed");
    await page.waitForURL(/status=failed/);
    await page.getByText("No runs match these filters.").waitFor();

    await page.getByLabel("Component").fill("");
    await page.getByLabel("Component").press("Enter");
    const failed = page.locator("tbody tr[data-run-id]");
    await failed.getByText("CARD_DECLINED").waitFor();
    expect(await failed.count()).toBe(1);
    expect(await failed.locator("td:nth-child(2)").textContent()).toBe("charge_card");

    await page.getByRole("link", { name: "Clear" }).click();
    await page.getByLabel("Kind").selectOption("workflow");
    await page.waitForURL(/kind=workflow/);
    await page.locator('tr[data-run-id="support-7"]').waitFor({ state: "detached" });
    await page.locator('tr[data-run-id="expense-2041"]').waitFor();
    expect(new Set(await rows.locator("td:nth-child(4)").allTextContents())).toEqual(new Set(["workflow"]));
  });

  it("shows entity types, their keys (stuck ones highlighted) and one key's state, version and queue", async () => {
    await cluster.post("/v1/entities/Cart/carol/add_item", { sku: "teapot", qty: 1 });
    // carol's key is held by a write sleeping for 10 minutes; the next write queues behind it.
    await cluster.post("/v1/entities/Cart/carol/hold?mode=async", { seconds: 600 });
    await cluster.post("/v1/entities/Cart/carol/add_item?mode=async", { sku: "cups", qty: 6 });

    await page.goto(`${cluster.url}/console/#/entities`);
    await page.locator('[data-entity-type="Cart"]').getByText("3 keys").waitFor();
    await page.locator('[data-entity-type="Cart"]').click();
    await page.locator('[data-entity-key="alice"]').click();
    expect(new URL(page.url()).hash).toBe("#/entities/Cart/alice");
    await page.getByText('"tea-sampler"').waitFor();
    expect(await page.getByTestId("entity-version").textContent()).toBe("2");

    await page.locator('[data-entity-key="carol"]').getByText("1 queued").waitFor();
    // With any wait counted (the default is 30 s), the queued write makes carol stuck.
    await page.getByLabel("Stuck when a write waited over").selectOption("0");
    await page.locator('[data-entity-key="carol"].stuck').waitFor();
    await page.getByText("1 stuck").waitFor();
    await page.locator('[data-entity-key="carol"]').click();
    const queue = page.locator('[aria-label="Entity state"] table');
    await queue.getByText("add_item").waitFor();
    await snap("console-entities.png");
  });

  it("lists services with their components and connected workers", async () => {
    await page.goto(`${cluster.url}/console/#/services`);
    const shop = page.locator('[data-service="shop"]');
    await shop.locator('[data-status="live"]').waitFor();
    await shop.getByRole("link", { name: "expense_report" }).click();
    await page.waitForURL(/component=expense_report/);
    await page.locator('tr[data-run-id="expense-2041"]').waitFor();
  });

  it("loaded every page within the console's Content-Security-Policy", () => {
    expect(cspViolations).toEqual([]);
  });
});
