using System.Net;
using System.Text;
using Upflow.Orleans.Organizations;
using Upflow.Orleans.Sync;

namespace Upflow.Orleans.OperatorConsole;

public sealed record ConsoleView(string Path, string Name, string Title, Func<string> Body);

/// <summary>
/// The server-rendered shells: navigation, headings, filters, forms and empty tables. Rows are filled
/// by console.js from the JSON API, page by page with the API's cursor.
/// </summary>
public static class ConsolePages
{
    public static IReadOnlyList<ConsoleView> Views { get; } =
    [
        new("/sync", "sync", "Sync", SyncBody),
        new("/customers", "customers", "Customers", CustomersBody),
        new("/contacts", "contacts", "Contacts", ContactsBody),
        new("/invoices", "invoices", "Invoices", InvoicesBody),
        new("/payments", "payments", "Payments", PaymentsBody),
        new("/settings", "settings", "Settings", SettingsBody),
    ];

    /// <summary>Labels of the native Stripe fields, as Upflow's custom field section names them.</summary>
    private static readonly IReadOnlyDictionary<string, string> NativeFieldLabels = new Dictionary<string, string>
    {
        [CustomerNativeFieldNames.AccountEmail] = "Account email",
        [CustomerNativeFieldNames.Delinquent] = "Delinquent",
        [CustomerNativeFieldNames.Description] = "Description",
        [CustomerNativeFieldNames.Discount] = "Discount",
        [CustomerNativeFieldNames.DefaultPaymentMethod] = "Default payment method",
        [CustomerNativeFieldNames.Sources] = "Sources",
        [CustomerNativeFieldNames.Subscriptions] = "Subscriptions",
        [CustomerNativeFieldNames.TaxLocationCountry] = "Tax location country",
        [CustomerNativeFieldNames.TaxExempt] = "Tax exempt",
    };

    private static readonly Lazy<string> ZoneOptions = new(() =>
    {
        var options = new StringBuilder();
        foreach (var id in TimeZoneInfo.GetSystemTimeZones().Select(zone => zone.Id).Where(TimeZones.IsIana).Order(StringComparer.Ordinal))
            options.Append("<option value=\"").Append(E(id)).Append("\"></option>");
        return options.ToString();
    });

    public static string Render(ConsoleView view) => Layout(view.Title, view.Name, view.Body(), navigation: true);

    public static string SignIn() => Layout("Sign in", "sign-in", """
        <div class="sign-in">
          <h1>Sign in to the Upflow console</h1>
          <p class="muted">Paste your organization's API key. It stays in this browser tab only (session storage) and is
          forgotten when the tab closes or you sign out.</p>
          <form data-sign-in method="post" novalidate>
            <label for="api-key">API key</label>
            <input id="api-key" name="apiKey" type="password" autocomplete="off" spellcheck="false" required placeholder="upf_…">
            <button type="submit" class="primary" disabled>Sign in</button>
            <p class="form-error" role="alert" data-sign-in-error></p>
          </form>
        </div>
        """, navigation: false);

    public static string NotFound() => Layout("Not found", "not-found", """
        <h1>Page not found</h1>
        <p>There is no console page at this address. <a href="/app/sync">Go to Sync</a>.</p>
        """, navigation: false);

    private static string SyncBody() => """
        <div class="heading"><h1>Sync</h1>
          <button type="button" data-resync>Re-sync</button></div>
        <p class="notice" role="status" data-sync-notice hidden></p>
        <section aria-labelledby="sync-status-title" class="card" data-sync>
          <h2 id="sync-status-title">Stripe Billing status</h2>
          <p class="state-line"><span class="badge" data-sync-state>Loading…</span> <span class="muted" data-sync-account></span></p>
          <div class="progress-grid">
            <label for="progress-customers">Customers</label><progress id="progress-customers" data-progress="customers" max="1" value="0"></progress><span data-count="customers">–</span>
            <label for="progress-invoices">Invoices</label><progress id="progress-invoices" data-progress="invoices" max="1" value="0"></progress><span data-count="invoices">–</span>
            <label for="progress-payments">Payments</label><progress id="progress-payments" data-progress="payments" max="1" value="0"></progress><span data-count="payments">–</span>
          </div>
          <dl class="facts">
            <dt>Skipped draft invoices</dt><dd data-field="draftInvoices">–</dd>
            <dt>Skipped unapplied payments</dt><dd data-field="unappliedPayments">–</dd>
            <dt>Started</dt><dd data-field="startedAt">–</dd>
            <dt>Completed</dt><dd data-field="completedAt">–</dd>
            <dt>Last event</dt><dd data-field="lastEventAt">–</dd>
            <dt>Lag</dt><dd data-field="lag">–</dd>
            <dt>Last error</dt><dd data-field="lastError">None</dd>
          </dl>
          <p class="load-error" role="alert" data-sync-error hidden></p>
        </section>
        <section aria-labelledby="connect-title" class="card">
          <h2 id="connect-title">Connect Stripe</h2>
          <p class="muted">Connecting validates the key with Stripe, then imports customers, invoices and payments.
          Re-connecting the same account duplicates nothing.</p>
          <form data-connect class="stack" method="post" novalidate>
            <label for="secret-key">Stripe secret key</label>
            <input id="secret-key" name="secretKey" type="password" autocomplete="off" spellcheck="false" required placeholder="sk_live_… or rk_live_…">
            <label for="webhook-secret">Webhook signing secret</label>
            <input id="webhook-secret" name="webhookSecret" type="password" autocomplete="off" spellcheck="false" required placeholder="whsec_…">
            <div><button type="submit" class="primary" disabled>Connect Stripe</button></div>
            <p class="form-error" role="alert" data-connect-error></p>
          </form>
          <p class="muted">Webhook endpoint to register in Stripe: <code data-webhook-url>…</code></p>
        </section>
        """;

    private static string CustomersBody() => """
        <div class="heading"><h1>Customers</h1></div>
        <div data-list="customers" data-path="/v1/customers" data-empty="No customers yet. They appear here as soon as Stripe is connected and the sync imports them.">
          <table>
            <caption class="visually-hidden">Customers with their contacts</caption>
            <thead><tr><th scope="col">Customer</th><th scope="col">Contacts</th><th scope="col" class="num">Balance</th><th scope="col">Delinquent</th><th scope="col">Custom fields</th><th scope="col">Created</th></tr></thead>
            <tbody></tbody>
          </table>
        </div>
        """ + Pager;

    private static string ContactsBody() => """
        <div class="heading"><h1>Contacts</h1>
          <form class="filters" data-filters>
            <label for="filter-source">Source</label>
            <select id="filter-source" name="source">
              <option value="">Any</option><option value="stripe">Stripe</option><option value="custom_field">Custom field</option>
            </select>
          </form></div>
        <div data-list="contacts" data-path="/v1/contacts" data-empty="No contacts match. Contacts from custom fields appear once Contact management lists the metadata keys that hold them.">
          <table>
            <caption class="visually-hidden">Contacts</caption>
            <thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Source</th><th scope="col">Customer</th></tr></thead>
            <tbody></tbody>
          </table>
        </div>
        """ + Pager;

    private static string InvoicesBody() => """
        <div class="heading"><h1>Invoices</h1>
          <form class="filters" data-filters>
            <label for="filter-status">Status</label>
            <select id="filter-status" name="status">
              <option value="">Any</option><option>DUE</option><option>OVERDUE</option><option>PAID</option><option>VOIDED</option>
            </select>
          </form></div>
        <p class="muted">Dates in <span data-org-zone>the organization's time zone</span>.</p>
        <div data-list="invoices" data-path="/v1/invoices" data-empty="No invoices match. Draft invoices are never imported; they appear once finalized in Stripe.">
          <table>
            <caption class="visually-hidden">Invoices</caption>
            <thead><tr><th scope="col">Number</th><th scope="col">Customer</th><th scope="col">Status</th><th scope="col">Issue date</th><th scope="col">Due date</th><th scope="col" class="num">Total</th><th scope="col" class="num">Remaining</th></tr></thead>
            <tbody></tbody>
          </table>
        </div>
        """ + Pager;

    private static string PaymentsBody() => """
        <div class="heading"><h1>Payments</h1>
          <form class="filters" data-filters>
            <label for="filter-export">Stripe Billing status</label>
            <select id="filter-export" name="exportStatus">
              <option value="">Any</option><option value="pending">Pending</option><option value="exported">Exported</option><option value="error">Error</option>
            </select>
            <label for="filter-payment-source">Source</label>
            <select id="filter-payment-source" name="source">
              <option value="">Any</option><option value="stripe">Stripe</option><option value="portal">Portal</option>
            </select>
          </form></div>
        <div data-list="payments" data-path="/v1/payments" data-empty="No payments match.">
          <table>
            <caption class="visually-hidden">Payments</caption>
            <thead><tr><th scope="col">Payment</th><th scope="col">Invoice</th><th scope="col" class="num">Amount</th><th scope="col">Paid at</th><th scope="col">Method</th><th scope="col">Stripe Billing status</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody></tbody>
          </table>
        </div>
        """ + Pager;

    private static string SettingsBody()
    {
        var native = new StringBuilder();
        foreach (var name in CustomerNativeFieldNames.All)
            native.Append($"""<label class="check"><input type="checkbox" name="native" value="{E(name)}"> {E(NativeFieldLabels.GetValueOrDefault(name, name))}</label>""");
        return $$"""
            <div class="heading"><h1>Settings</h1></div>
            <section aria-labelledby="company-title" class="card" data-company>
              <h2 id="company-title">Company</h2>
              <dl class="facts"><dt>Organization</dt><dd data-org-name-field>–</dd><dt>Current time zone</dt><dd data-current-zone>–</dd></dl>
              <form data-time-zone class="inline" novalidate>
                <label for="time-zone">Time zone</label>
                <input id="time-zone" name="timeZone" list="iana-zones" autocomplete="off" spellcheck="false" required placeholder="Search, e.g. Europe/Paris">
                <datalist id="iana-zones">{{ZoneOptions.Value}}</datalist>
                <button type="submit" class="primary">Save time zone</button>
              </form>
              <p class="muted">Every date is shown in this zone; changing it re-renders dates at once, without a re-sync.</p>
              <p role="status" data-time-zone-status></p>
            </section>
            <section aria-labelledby="contacts-title" class="card" data-contact-fields>
              <h2 id="contacts-title">Contact management</h2>
              <p class="muted">Stripe metadata keys whose addresses become contacts (source: Custom field) in “to” or “cc”.</p>
              <ul class="chips" aria-label="Contact fields" data-contact-field-list></ul>
              <form data-add-contact-field class="inline" novalidate>
                <label for="contact-field-key">Metadata key</label>
                <input id="contact-field-key" name="key" autocomplete="off" maxlength="40" placeholder="Additional emails to">
                <label for="contact-field-role">Role</label>
                <select id="contact-field-role" name="role"><option value="to">To</option><option value="cc">Cc</option></select>
                <button type="submit">Add field</button>
              </form>
              <div><button type="button" class="primary" data-save-contact-fields>Save</button></div>
              <p role="status" data-contact-fields-status></p>
            </section>
            <section aria-labelledby="custom-title" class="card" data-custom-fields>
              <h2 id="custom-title">Custom fields</h2>
              <p class="muted">Stripe metadata keys imported as custom fields, per object, and native Stripe fields of customers.</p>
              <div class="entities">
                {{Entity("customer", "Customers")}}
                {{Entity("invoice", "Invoices")}}
                {{Entity("payment", "Payments")}}
              </div>
              <fieldset class="native"><legend>Native Stripe fields (customers)</legend>{{native}}</fieldset>
              <div><button type="button" class="primary" data-save-custom-fields>Save</button></div>
              <p role="status" data-custom-fields-status></p>
            </section>
            """;
    }

    private static string Entity(string entity, string title) => $"""
        <div class="entity" data-entity="{entity}">
          <h3 id="entity-{entity}">{title}</h3>
          <ul class="chips" aria-labelledby="entity-{entity}" data-metadata-list></ul>
          <form class="inline" data-add-metadata novalidate>
            <label for="metadata-{entity}">Metadata key</label>
            <input id="metadata-{entity}" name="key" autocomplete="off" maxlength="40" placeholder="Region">
            <button type="submit">Add</button>
          </form>
        </div>
        """;

    private const string Pager = """
        <nav class="pager" aria-label="Pages" data-pager>
          <button type="button" data-page="first" disabled>First page</button>
          <button type="button" data-page="previous" disabled>Previous</button>
          <span class="muted" data-page-label>Page 1</span>
          <button type="button" data-page="next" disabled>Next</button>
        </nav>
        """;

    private static string Layout(string title, string view, string body, bool navigation)
    {
        var nav = new StringBuilder();
        if (navigation)
        {
            nav.Append("""<nav class="tabs" aria-label="Console">""");
            foreach (var item in Views)
            {
                var current = item.Name == view ? " aria-current=\"page\"" : "";
                nav.Append($"""<a href="/app{item.Path}"{current}>{E(item.Title)}</a>""");
            }
            nav.Append("</nav>");
            nav.Append("""<div class="who"><span data-org-name></span> <button type="button" class="link" data-sign-out>Sign out</button></div>""");
        }
        return $"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{E(title)} · Upflow console</title>
            <link rel="stylesheet" href="/app/assets/console.css">
            <script src="/app/assets/console.js" defer></script>
            </head>
            <body data-view="{view}">
            <a class="skip" href="#main">Skip to content</a>
            <header class="top"><a class="brand" href="/app/sync">Upflow <span>console</span></a>{nav}</header>
            <main id="main" tabindex="-1">
            {body}
            </main>
            </body>
            </html>
            """;
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
