// Upflow console: fills the server-rendered shells from the JSON API.
// The organization's API key lives in this tab's sessionStorage only: never in a cookie, a URL or the server.
"use strict";
(() => {
  const KEY = "upflow.apiKey";
  const PAGE_SIZE = 50;
  const view = document.body.dataset.view;
  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));
  let organization = null;

  // ---- DOM (text only: API data never goes through innerHTML) -------------------------------
  function h(tag, attributes, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") element.className = value;
      else if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
      else element.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return element;
  }

  // ---- API -------------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, problem) {
      super((problem && (problem.detail || problem.title)) || `The request failed (HTTP ${status}).`);
      this.status = status;
      this.code = problem && problem.code;
    }
  }

  async function api(method, path, body) {
    const key = sessionStorage.getItem(KEY);
    const headers = { Accept: "application/json" };
    if (key) headers.Authorization = `Bearer ${key}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
    } catch {
      throw new ApiError(0, { detail: "The server could not be reached. Check your connection and try again." });
    }
    const text = await response.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    if (response.status === 401 && view !== "sign-in") {
      sessionStorage.removeItem(KEY);
      location.assign(`/app/sign-in?expired=1&next=${encodeURIComponent(location.pathname + location.search)}`);
      throw new ApiError(401, json);
    }
    if (!response.ok) throw new ApiError(response.status, json);
    return json;
  }

  // ---- formatting (dates in the organization's zone) ---------------------------------------
  const zone = () => (organization && organization.timeZone) || "UTC";
  const number = (value) => new Intl.NumberFormat("en").format(value);
  function money(minor, currency) {
    if (minor === null || minor === undefined) return "–";
    try {
      const format = new Intl.NumberFormat("en", { style: "currency", currency: currency.toUpperCase() });
      return format.format(minor / 10 ** format.resolvedOptions().maximumFractionDigits);
    } catch { return `${minor} ${currency}`; }
  }
  function calendarDate(value) {
    if (!value) return "–";
    const label = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" })
      .format(new Date(`${value}T00:00:00Z`));
    return h("time", { datetime: value }, label);
  }
  function instant(value) {
    if (!value) return "–";
    const label = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: zone() }).format(new Date(value));
    return h("time", { datetime: value }, label);
  }
  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "–";
    if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
    if (seconds < 120) return `${seconds.toFixed(1)} s`;
    if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
    return `${(seconds / 3600).toFixed(1)} h`;
  }
  const mono = (text) => h("span", { class: "mono" }, text || "–");

  // ---- session ------------------------------------------------------------------------------
  // Forms that carry a secret come disabled (and method="post"): submitted before this script took
  // them over, the browser would otherwise put the key in a URL, where proxies and logs keep it.
  function ready(form) { $("button[type=submit]", form).disabled = false; }

  function safeNext() {
    const next = new URLSearchParams(location.search).get("next");
    return next && next.startsWith("/app/") && !next.startsWith("//") ? next : "/app/sync";
  }

  function signIn() {
    const form = $("[data-sign-in]");
    const error = $("[data-sign-in-error]");
    if (new URLSearchParams(location.search).get("expired")) error.textContent = "Your session ended. Sign in again.";
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const key = form.apiKey.value.trim();
      if (!key) { error.textContent = "Enter your organization's API key."; form.apiKey.focus(); return; }
      error.textContent = "";
      sessionStorage.setItem(KEY, key);
      try {
        await api("GET", "/v1/organization");
        location.assign(safeNext());
      } catch (failure) {
        sessionStorage.removeItem(KEY);
        error.textContent = failure.status === 401 ? "This API key was not accepted. Check that it is an organization key." : failure.message;
      }
    });
    ready(form);
  }

  async function loadOrganization() {
    organization = await api("GET", "/v1/organization");
    for (const element of $$("[data-org-name]")) element.textContent = organization.name;
    for (const element of $$("[data-org-zone]")) element.textContent = organization.timeZone;
  }

  // ---- lists: one page at a time with the API's cursor --------------------------------------
  function list(container, renderRow) {
    const body = $("tbody", container);
    const columns = $$("thead th", container).length;
    const pager = $("[data-pager]");
    const filters = $("[data-filters]");
    const status = h("p", { role: "status", class: "notice", "data-list-status": "" });
    container.before(status);
    let cursors = [null];
    let index = 0;
    let next = null;
    let generation = 0;

    const query = new URLSearchParams(location.search);
    if (filters) for (const select of $$("select", filters)) select.value = query.get(select.name) || "";

    function stateRow(text, kind, retry) {
      body.replaceChildren(h("tr", {}, h("td", { colspan: columns, class: `state ${kind || ""}` }, text,
        retry ? h("button", { type: "button", onclick: retry }, "Try again") : null)));
    }

    async function load() {
      // A filter or page change while a page is loading: only the newest request may fill the table.
      const current = ++generation;
      container.setAttribute("aria-busy", "true");
      if (!body.children.length) stateRow("Loading…");
      const parameters = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (filters) for (const select of $$("select", filters)) if (select.value) parameters.set(select.name, select.value);
      if (cursors[index]) parameters.set("cursor", cursors[index]);
      try {
        const page = await api("GET", `${container.dataset.path}?${parameters}`);
        if (current !== generation) return;
        next = page.nextCursor;
        if (page.data.length === 0) stateRow(index === 0 ? container.dataset.empty : "No more results.");
        else body.replaceChildren(...page.data.map(renderRow));
      } catch (failure) {
        if (current !== generation) return;
        next = null;
        stateRow(`Could not load this list: ${failure.message}`, "error", load);
      } finally {
        if (current === generation) container.removeAttribute("aria-busy");
      }
      if (current === generation) {
        $("[data-page=first]", pager).disabled = index === 0;
        $("[data-page=previous]", pager).disabled = index === 0;
        $("[data-page=next]", pager).disabled = !next;
        $("[data-page-label]", pager).textContent = `Page ${index + 1}`;
      }
    }

    pager.addEventListener("click", (event) => {
      const button = event.target.closest("[data-page]");
      if (!button) return;
      if (button.dataset.page === "next" && next) { cursors = cursors.slice(0, index + 1); cursors.push(next); index++; }
      if (button.dataset.page === "previous" && index > 0) index--;
      if (button.dataset.page === "first") index = 0;
      load();
    });
    if (filters) filters.addEventListener("change", () => {
      const url = new URL(location.href);
      for (const select of $$("select", filters)) {
        if (select.value) url.searchParams.set(select.name, select.value); else url.searchParams.delete(select.name);
      }
      history.replaceState(null, "", url);
      cursors = [null]; index = 0;
      body.replaceChildren();
      load();
    });
    load();
    return { announce: (text) => { status.textContent = text; } };
  }

  const roleLabels = { main: "Main", to: "To", cc: "Cc" };
  const sourceLabels = { stripe: "Stripe", custom_field: "Custom field", portal: "Portal" };

  function customFields(fields) {
    const entries = Object.entries(fields || {});
    if (!entries.length) return "–";
    return h("dl", { class: "fields" }, entries.map(([name, value]) => [
      h("dt", {}, name),
      h("dd", {}, value === null ? "–" : Array.isArray(value) ? (value.join(", ") || "–") : String(value)),
    ]));
  }

  function customerRow(customer) {
    return h("tr", { "data-id": customer.id },
      h("td", {}, h("strong", {}, customer.name || customer.email || customer.id), h("span", { class: "sub" }, customer.id)),
      h("td", {}, customer.contacts.length
        ? h("ul", { class: "contacts" }, customer.contacts.map((contact) => h("li", {}, contact.email, " ",
            h("span", { class: "badge" }, roleLabels[contact.role] || contact.role),
            contact.source === "custom_field" ? [" ", h("span", { class: "badge info" }, "Custom field")] : null)))
        : h("span", { class: "muted" }, "No contact")),
      h("td", { class: "num" }, money(customer.balance, customer.currency || "usd")),
      h("td", {}, customer.delinquent === null ? "–" : customer.delinquent ? h("span", { class: "badge bad" }, "Delinquent") : "No"),
      h("td", {}, customFields(customer.customFields)),
      h("td", {}, instant(customer.createdAt)));
  }

  function contactRow(contact) {
    return h("tr", { "data-id": contact.id },
      h("td", {}, contact.email),
      h("td", {}, h("span", { class: "badge" }, roleLabels[contact.role] || contact.role)),
      h("td", {}, contact.source === "custom_field" ? h("span", { class: "badge info" }, "Custom field") : sourceLabels[contact.source] || contact.source),
      h("td", {}, mono(contact.customerId)));
  }

  const invoiceStatusClass = { DUE: "info", OVERDUE: "warn", PAID: "ok", VOIDED: "" };
  function invoiceRow(invoice) {
    return h("tr", { "data-id": invoice.id },
      h("td", {}, h("strong", {}, invoice.number || invoice.id), h("span", { class: "sub" }, invoice.id)),
      h("td", {}, mono(invoice.customerId)),
      h("td", {}, h("span", { class: `badge ${invoiceStatusClass[invoice.status] || ""}` }, invoice.status)),
      h("td", { "data-field": "issueDate" }, calendarDate(invoice.issueDate)),
      h("td", { "data-field": "dueDate" }, calendarDate(invoice.dueDate)),
      h("td", { class: "num" }, money(invoice.total, invoice.currency)),
      h("td", { class: "num" }, money(invoice.amountRemaining, invoice.currency)));
  }

  // ---- payments: Stripe Billing status and "Export back to Stripe Billing" ---------------------
  function exportStatus(payment) {
    const exported = payment.export;
    switch (exported.status) {
      case "pending": return h("span", { class: "badge info" }, "Pending");
      case "exported": return h("span", { class: "badge ok" }, "Exported");
      case "error": {
        const tip = `export-error-${payment.id}`;
        return h("span", { class: "tip-host", tabindex: "0", "aria-describedby": tip },
          h("span", { class: "badge bad" }, "Error"),
          h("span", { class: "tip", role: "tooltip", id: tip }, exported.error || "Synchronisation failed. Please contact support."));
      }
      default: return h("span", { class: "muted", title: "Comes from Stripe Billing: nothing to export" }, "–");
    }
  }

  function paymentMethod(method) {
    if (!method) return "–";
    const type = method.type.replaceAll("_", " ");
    const name = method.brand ? method.brand[0].toUpperCase() + method.brand.slice(1) : method.bankName ? `${type} · ${method.bankName}` : type;
    return method.last4 ? `${name} •••• ${method.last4}` : name;
  }

  let payments = null;
  function paymentRow(payment) {
    const row = h("tr", { "data-id": payment.id });
    fillPayment(row, payment);
    return row;
  }

  function fillPayment(row, payment) {
    const action = payment.export.status === "error"
      ? h("button", { type: "button", class: "small", "data-export": payment.id, onclick: () => exportBack(row, payment.id) }, "Export back to Stripe Billing")
      : null;
    row.replaceChildren(
      h("td", {}, mono(payment.id), " ", h("span", { class: "badge" }, sourceLabels[payment.source] || payment.source)),
      h("td", {}, mono(payment.invoiceId)),
      h("td", { class: "num" }, money(payment.amount, payment.currency)),
      h("td", {}, instant(payment.paidAt)),
      h("td", {}, paymentMethod(payment.paymentMethod)),
      h("td", { "data-field": "exportStatus" }, exportStatus(payment)),
      h("td", {}, action));
  }

  async function exportBack(row, id) {
    const button = $("[data-export]", row);
    button.disabled = true;
    button.textContent = "Exporting…";
    try {
      let payment = await api("POST", `/v1/payments/${encodeURIComponent(id)}/export`);
      fillPayment(row, payment);
      payments.announce(`Payment ${id} is being exported back to Stripe Billing.`);
      const deadline = Date.now() + 120000;
      while (payment.export.status === "pending" && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 700));
        payment = await api("GET", `/v1/payments/${encodeURIComponent(id)}`);
        fillPayment(row, payment);
      }
      payments.announce(payment.export.status === "exported"
        ? `Payment ${id} is exported to Stripe Billing.`
        : payment.export.status === "error" ? `Payment ${id} could not be exported: ${payment.export.error}` : `Payment ${id} is still pending; it will be retried.`);
    } catch (failure) {
      payments.announce(`Payment ${id}: ${failure.message}`);
      try { fillPayment(row, await api("GET", `/v1/payments/${encodeURIComponent(id)}`)); } catch { /* the row keeps its last known state */ }
    }
  }

  // ---- sync ---------------------------------------------------------------------------------
  const stateLabels = { not_connected: ["Not connected", ""], backfilling: ["Backfilling", "info"], live: ["Live", "ok"], failed: ["Failed", "bad"] };
  let syncTimer = null;

  async function refreshSync() {
    clearTimeout(syncTimer);
    const error = $("[data-sync-error]");
    let state = null;
    try {
      const sync = await api("GET", "/v1/stripe/sync");
      state = sync.state;
      error.hidden = true;
      const [label, kind] = stateLabels[sync.state] || [sync.state, ""];
      const badge = $("[data-sync-state]");
      badge.textContent = label;
      badge.className = `badge ${kind}`;
      badge.dataset.state = sync.state;
      $("[data-sync-account]").textContent = organization.stripe && organization.stripe.accountId ? `Stripe account ${organization.stripe.accountId}` : "";
      for (const type of ["customers", "invoices", "payments"]) {
        const bar = $(`[data-progress=${type}]`);
        // Stripe gives no totals up front: while backfilling the bar is indeterminate, with the count beside it.
        if (sync.state === "backfilling") bar.removeAttribute("value");
        else bar.value = sync.state === "live" ? 1 : 0;
        bar.setAttribute("aria-valuetext", `${number(sync.progress[type])} imported`);
        $(`[data-count=${type}]`).textContent = `${number(sync.progress[type])} imported`;
      }
      const field = (name) => $(`[data-field=${name}]`);
      field("draftInvoices").textContent = number(sync.skipped.draftInvoices);
      field("unappliedPayments").textContent = number(sync.skipped.unappliedPayments);
      field("startedAt").replaceChildren(instant(sync.startedAt));
      field("completedAt").replaceChildren(sync.state === "backfilling" ? "In progress" : instant(sync.completedAt));
      field("lastEventAt").replaceChildren(instant(sync.lastEventAt));
      field("lag").textContent = duration(sync.lagSeconds) + (sync.pendingEvents ? ` (${number(sync.pendingEvents)} events waiting)` : "");
      field("lastError").replaceChildren(sync.lastError ? h("span", { class: "form-error" }, sync.lastError) : "None");
    } catch (failure) {
      error.hidden = false;
      error.textContent = `Could not read the sync status: ${failure.message}`;
    }
    syncTimer = setTimeout(refreshSync, state === "backfilling" ? 1000 : 5000);
  }

  function notice(text) {
    const element = $("[data-sync-notice]");
    element.textContent = text;
    element.hidden = !text;
  }

  function syncView() {
    $("[data-webhook-url]").textContent = `${location.origin}/webhooks/stripe/${organization.id}`;
    refreshSync();
    $("[data-resync]").addEventListener("click", async (event) => {
      event.target.disabled = true;
      try {
        await api("POST", "/v1/stripe/sync", { mode: "full" });
        notice("A full re-sync has started. The data stays readable meanwhile.");
      } catch (failure) {
        notice(failure.code === "not_connected" ? "Stripe is not connected: connect it below first." : failure.message);
      } finally {
        event.target.disabled = false;
        refreshSync();
      }
    });
    const form = $("[data-connect]");
    const error = $("[data-connect-error]");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const secretKey = form.secretKey.value.trim();
      const webhookSecret = form.webhookSecret.value.trim();
      if (!secretKey || !webhookSecret) { error.textContent = "Enter both the Stripe secret key and the webhook signing secret."; return; }
      error.textContent = "";
      const submit = $("button[type=submit]", form);
      submit.disabled = true;
      try {
        await api("PUT", "/v1/stripe/connection", { secretKey, webhookSecret });
        form.reset();
        organization = await api("GET", "/v1/organization");
        notice("Stripe is connected. The backfill has started.");
      } catch (failure) {
        error.textContent = failure.message;
      } finally {
        submit.disabled = false;
        refreshSync();
      }
    });
    ready(form);
  }

  // ---- settings -----------------------------------------------------------------------------
  function chip(label, removeLabel, onRemove) {
    return h("li", {}, label, h("button", { type: "button", "aria-label": removeLabel, title: removeLabel, onclick: onRemove }, "×"));
  }

  function settingsSection(section, load, render, save, statusSelector) {
    const status = $(statusSelector, section);
    const controls = $$("input, select, button", section);
    let state = null;
    const setStatus = (text, isError) => { status.textContent = text; status.classList.toggle("form-error", !!isError); };
    (async () => {
      controls.forEach((control) => { control.disabled = true; });
      try {
        state = await load();
        render(state);
        controls.forEach((control) => { control.disabled = false; });
      } catch (failure) {
        setStatus(`These settings could not be loaded: ${failure.message}`, true);
        status.setAttribute("role", "alert");
      }
    })();
    return {
      get state() { return state; },
      rerender() { render(state); },
      setStatus,
      async save() {
        try { state = await save(state); render(state); setStatus("Saved. Give it a bit of time: existing objects are updated in the background."); }
        catch (failure) { setStatus(`Not saved: ${failure.message}`, true); }
      },
    };
  }

  function company() {
    const section = $("[data-company]");
    $("[data-org-name-field]", section).textContent = organization.name;
    $("[data-current-zone]", section).textContent = organization.timeZone;
    const form = $("[data-time-zone]", section);
    const status = $("[data-time-zone-status]", section);
    const zones = new Set($$("#iana-zones option").map((option) => option.value));
    form.timeZone.value = organization.timeZone;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const timeZone = form.timeZone.value.trim();
      status.classList.remove("form-error");
      if (!zones.has(timeZone)) {
        status.textContent = "Choose a time zone from the list: an IANA id such as Europe/Paris.";
        status.classList.add("form-error");
        return;
      }
      try {
        organization = await api("PATCH", "/v1/organization", { timeZone });
        $("[data-current-zone]", section).textContent = organization.timeZone;
        status.textContent = `Time zone saved: dates now show in ${organization.timeZone}.`;
      } catch (failure) {
        status.textContent = `Not saved: ${failure.message}`;
        status.classList.add("form-error");
      }
    });
  }

  function contactFields() {
    const section = $("[data-contact-fields]");
    const listElement = $("[data-contact-field-list]", section);
    const settings = settingsSection(section,
      () => api("GET", "/v1/settings/contact-fields"),
      (state) => {
        const items = [];
        for (const role of ["to", "cc"]) for (const key of state[role]) {
          items.push(chip(`${key} · ${roleLabels[role]}`, `Remove ${key} (${roleLabels[role]})`, () => {
            state[role] = state[role].filter((existing) => existing !== key);
            settings.rerender();
          }));
        }
        listElement.replaceChildren(...(items.length ? items : [h("li", { class: "empty" }, "No field: only Stripe's customer email is imported as a contact.")]));
      },
      (state) => api("PUT", "/v1/settings/contact-fields", { to: state.to, cc: state.cc }),
      "[data-contact-fields-status]");
    $("[data-add-contact-field]", section).addEventListener("submit", (event) => {
      event.preventDefault();
      const form = event.target;
      const key = form.key.value.trim();
      const role = form.role.value;
      if (!settings.state) return;
      if (!key) { settings.setStatus("Enter the metadata key that holds the addresses.", true); return; }
      if (settings.state[role].includes(key)) { settings.setStatus(`${key} is already a ${roleLabels[role]} field.`, true); return; }
      settings.state[role].push(key);
      form.key.value = "";
      settings.setStatus("");
      settings.rerender();
    });
    $("[data-save-contact-fields]", section).addEventListener("click", () => settings.save());
  }

  function customFieldSettings() {
    const section = $("[data-custom-fields]");
    const entities = ["customer", "invoice", "payment"];
    const settings = settingsSection(section,
      () => api("GET", "/v1/settings/custom-fields"),
      (state) => {
        for (const entity of entities) {
          const listElement = $(`[data-entity=${entity}] [data-metadata-list]`, section);
          const keys = state[entity].metadata;
          listElement.replaceChildren(...(keys.length
            ? keys.map((key) => chip(key, `Remove ${key}`, () => {
                state[entity].metadata = keys.filter((existing) => existing !== key);
                settings.rerender();
              }))
            : [h("li", { class: "empty" }, "No metadata key")]));
        }
        for (const box of $$("input[name=native]", section)) box.checked = (state.customer.native || []).includes(box.value);
      },
      (state) => api("PUT", "/v1/settings/custom-fields", {
        customer: { metadata: state.customer.metadata, native: $$("input[name=native]:checked", section).map((box) => box.value) },
        invoice: { metadata: state.invoice.metadata },
        payment: { metadata: state.payment.metadata },
      }),
      "[data-custom-fields-status]");
    for (const form of $$("[data-add-metadata]", section)) {
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const entity = form.closest("[data-entity]").dataset.entity;
        const key = form.key.value.trim();
        if (!settings.state) return;
        if (!key) { settings.setStatus("Enter a Stripe metadata key.", true); return; }
        if (settings.state[entity].metadata.includes(key)) { settings.setStatus(`${key} is already listed.`, true); return; }
        settings.state[entity].metadata.push(key);
        form.key.value = "";
        settings.setStatus("");
        settings.rerender();
      });
    }
    $("[data-save-custom-fields]", section).addEventListener("click", () => settings.save());
  }

  // ---- start ----------------------------------------------------------------------------------
  async function start() {
    if (view === "sign-in") { signIn(); return; }
    if (view === "not-found") return;
    if (!sessionStorage.getItem(KEY)) {
      location.replace(`/app/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`);
      return;
    }
    $("[data-sign-out]").addEventListener("click", () => { sessionStorage.removeItem(KEY); location.assign("/app/sign-in"); });
    try {
      await loadOrganization();
    } catch (failure) {
      if (failure.status === 401) return;
      $("main").prepend(h("p", { class: "load-error", role: "alert" }, `The console could not reach the API: ${failure.message}`));
      return;
    }
    switch (view) {
      case "sync": syncView(); break;
      case "customers": list($("[data-list]"), customerRow); break;
      case "contacts": list($("[data-list]"), contactRow); break;
      case "invoices": list($("[data-list]"), invoiceRow); break;
      case "payments": payments = list($("[data-list]"), paymentRow); break;
      case "settings": company(); contactFields(); customFieldSettings(); break;
    }
  }
  // Marks the page as taken over (handlers attached, first data asked for): what a test waits for
  // instead of the browser's load events.
  start().finally(() => { document.body.dataset.ready = "true"; });
})();
