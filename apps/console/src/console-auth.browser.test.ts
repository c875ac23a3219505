// The console against a coordinator with authentication on, in Chromium: without a key every page
// says to enter one (401), with a key typed in the top bar the runs list loads, the key lives in the
// tab's sessionStorage only (not localStorage, not the URL), and "Forget key" drops it. An approval
// asks for no approver name: it shows the key's name, which the run then records as who approved.
import { randomBytes } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./test-support/chromium.js";
import { ConsoleCluster } from "./test-support/console-cluster.js";

describe("the console with authentication on, in Chromium", () => {
  const adminKey = randomBytes(32).toString("hex");
  const workerToken = randomBytes(32).toString("hex");
  let cluster: ConsoleCluster;
  let browser: Browser;
  let page: Page;
  let readKey: string;
  let approverKey: string;

  beforeAll(async () => {
    [cluster, browser] = await Promise.all([
      ConsoleCluster.start({
        coordinator: {
          AGNT5_DEV_MODE: "0",
          AGNT5_BOOTSTRAP_API_KEY: adminKey,
          AGNT5_BOOTSTRAP_WORKER_TOKEN: workerToken,
        },
        worker: { AGNT5_WORKER_TOKEN: workerToken },
      }),
      launchChromium(),
    ]);
    const asAdmin = { authorization: `Bearer ${adminKey}` };
    await cluster.post("/v1/services/shop/ping", null, asAdmin);
    readKey = (await cluster.post("/admin/v1/keys", { name: "console-viewer", scopes: ["read"] }, asAdmin)).secret;
    approverKey = (
      await cluster.post("/admin/v1/keys", { name: "alice", scopes: ["read", "approve"], roles: ["finance"] }, asAdmin)
    ).secret;
    await cluster.post(
      "/v1/workflows/expense_report/runs",
      { runId: "expense-auth-1", input: { employee: "ana", amount: 420 } },
      asAdmin,
    );
    await cluster.post(
      "/v1/workflows/publish_release/runs",
      { runId: "publish-auth-1", input: { version: "2.0.0" } },
      asAdmin,
    );
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(60_000);
  });

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  it("asks for a key, loads the runs with one, keeps it in sessionStorage only, and forgets it", async () => {
    await page.goto(`${cluster.url}/console`);
    await page.getByText("Enter an API key in the top bar").first().waitFor();

    await page.getByLabel("API key").fill(readKey);
    await page.getByRole("button", { name: "Use key" }).click();
    await page.locator("tr[data-run-id]").first().waitFor();
    await page.getByText("API key set").waitFor();

    const storage = await page.evaluate(() => ({
      session: sessionStorage.getItem("agnt5.apiKey"),
      local: Object.keys(localStorage).length,
      url: window.location.href,
    }));
    expect(storage.session).toBe(readKey);
    expect(storage.local).toBe(0);
    expect(storage.url).not.toContain(readKey);

    await page.getByRole("button", { name: "Forget key" }).click();
    await page.getByLabel("API key").waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem("agnt5.apiKey"))).toBeNull();
    await page.getByText("Enter an API key in the top bar").first().waitFor();
  });

  it("approves without asking a name: it shows and records the key's name", async () => {
    await page.goto(`${cluster.url}/console/#/runs/expense-auth-1`);
    await page.getByLabel("API key").fill(approverKey);
    await page.getByRole("button", { name: "Use key" }).click();
    const approval = page.locator('[data-approval="pay_expense"]');
    const recordedAs = approval.getByTestId("recorded-as");
    await recordedAs.getByText("alice").waitFor();
    expect(await recordedAs.textContent()).toBe("Recorded as alice (roles: finance)");
    expect(await approval.getByLabel("Approver name").count()).toBe(0);

    await approval.getByRole("button", { name: "Approve" }).click();
    await page.locator(".run-title [data-status='completed']").waitFor();
    const run = await (
      await fetch(`${cluster.url}/admin/v1/runs/expense-auth-1`, {
        headers: { authorization: `Bearer ${approverKey}` },
      })
    ).json();
    expect(run).toMatchObject({ status: "completed", output: { paid: true, approvedBy: "alice" } });
  });

  it("says when the key has none of the roles an approval needs, and shows the refusal naming both", async () => {
    // The key entered in the previous test (alice, role finance) is still this tab's.
    await page.goto(`${cluster.url}/console/#/runs/publish-auth-1`);
    const approval = page.locator('[data-approval="publish"]');
    await approval.getByText("this key has none of the roles needed").waitFor();
    await approval.getByRole("button", { name: "Approve" }).click();
    await page
      .getByText('requires one of the roles ops; the calling key "alice" has the roles: finance', { exact: false })
      .waitFor();
    expect(await approval.count()).toBe(1); // still waiting
  });
});
