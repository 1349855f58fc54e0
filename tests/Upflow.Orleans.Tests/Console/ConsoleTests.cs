using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Upflow.Orleans.Tests.Infrastructure;
using Upflow.StripeEmulator.Faults;
using Upflow.StripeEmulator.Generation;
using static Microsoft.Playwright.Assertions;

namespace Upflow.Orleans.Tests.OperatorConsole;

[Collection(ConsoleCollection.Name)]
public sealed class ConsoleTests(ConsoleApp app)
{
    [Fact]
    public async Task Console_pages_are_public_shells_served_over_TCP_while_the_API_keeps_its_key_and_query_rules()
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };

        foreach (var path in new[] { "/app/sign-in", "/app/sync", "/app/customers", "/app/contacts", "/app/invoices", "/app/payments", "/app/settings" })
        {
            var page = await http.GetAsync(path + "?status=PAID&anything=1");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Contains("/app/assets/console.js", await page.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/app/assets/console.js")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/app/assets/console.css")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/app/nothing-here")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) }.GetAsync("/app")).StatusCode);

        // The API around it is unchanged: no key is 401, an unknown query parameter is 400.
        await (await http.GetAsync("/v1/invoices")).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        var organization = await app.CreateOrganizationAsync();
        var client = app.Client(organization.ApiKey);
        await (await client.GetAsync("/v1/invoices?page=2")).AssertProblemAsync(HttpStatusCode.BadRequest, "unknown_query_parameter");
        Assert.DoesNotContain("/app", await client.GetStringAsync("/openapi/v1.json"));
    }

    [Fact]
    public async Task Before_the_console_script_runs_no_form_can_send_a_secret_through_the_address_bar()
    {
        // Without the script a form falls back to the browser's default submit: GET, fields in the URL.
        var page = await app.NewPageAsync(javaScript: false);
        var sent = new List<string>();
        page.Request += (_, request) => sent.Add($"{request.Method} {request.Url} {request.PostData}");

        await page.GotoAsync("/app/sign-in");
        await page.GetByLabel("API key").FillAsync("upf_typed_before_the_script_ran");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign in" })).ToBeDisabledAsync();
        await page.GetByLabel("API key").PressAsync("Enter");
        await page.GotoAsync("/app/sync");
        await page.GetByLabel("Stripe secret key").FillAsync("sk_test_typed_before_the_script_ran");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Connect Stripe" })).ToBeDisabledAsync();
        await page.GetByLabel("Stripe secret key").PressAsync("Enter");

        Assert.DoesNotContain(sent, request => request.Contains("typed_before"));
        Assert.Equal(["GET /app/sign-in", "GET /app/sync"], sent.Where(r => !r.Contains("/assets/")).Select(r => r.Replace(app.BaseUrl, "").TrimEnd()));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_wrong_key_is_refused_at_sign_in_and_nothing_is_kept_in_the_browser()
    {
        var page = await app.NewPageAsync();
        await page.GotoAsync("/app/invoices");
        await ConsoleApp.ArrivedAtAsync(page, "**/app/sign-in?next=%2Fapp%2Finvoices");

        await page.GetByLabel("API key").FillAsync("upf_notakey_0000000000000000000000000000000000000000");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("This API key was not accepted");
        Assert.Null(await page.EvaluateAsync<string?>("sessionStorage.getItem('upflow.apiKey')"));
        Assert.Empty(await page.Context.CookiesAsync());
        await ConsoleApp.ScreenshotAsync(page, "sign-in");

        // A good key goes to the page that was asked for, and stays in this tab's session storage only.
        var organization = await app.CreateOrganizationAsync("Signed In");
        await page.GetByLabel("API key").FillAsync(organization.ApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await ConsoleApp.ArrivedAtAsync(page, "**/app/invoices");
        Assert.Equal(organization.ApiKey, await page.EvaluateAsync<string?>("sessionStorage.getItem('upflow.apiKey')"));
        Assert.Empty(await page.Context.CookiesAsync());
        await Expect(page.Locator("[data-org-name]")).ToHaveTextAsync("Signed In");
        await Expect(page.GetByRole(AriaRole.Cell)).ToContainTextAsync("No invoices match");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await ConsoleApp.ArrivedAtAsync(page, "**/app/sign-in");
        Assert.Null(await page.EvaluateAsync<string?>("sessionStorage.getItem('upflow.apiKey')"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_operator_connects_Stripe_watches_the_backfill_and_exports_an_errored_payment_back_to_Stripe_Billing()
    {
        var account = app.Stripe.CreateAccount();
        app.Stripe.Generate(account.Id, new GenerationSpec { Seed = 31, Customers = 30, InvoicesPerCustomer = 3 });
        var organization = await app.CreateOrganizationAsync("Acme", "Europe/Paris");
        var client = app.Client(organization.ApiKey);
        var page = await app.NewPageAsync();
        await ConsoleApp.SignInAsync(page, organization.ApiKey);
        var state = page.Locator("[data-sync-state]");
        await Expect(state).ToHaveTextAsync("Not connected");

        // A key Stripe refuses: its message is shown and nothing is connected.
        await page.GetByLabel("Stripe secret key").FillAsync("sk_test_not_a_real_key");
        await page.GetByLabel("Webhook signing secret").FillAsync("whsec_test_secret");
        await page.GetByRole(AriaRole.Button, new() { Name = "Connect Stripe" }).ClickAsync();
        await Expect(page.Locator("[data-connect-error]")).ToContainTextAsync("Stripe refused the key");
        await Expect(state).ToHaveTextAsync("Not connected");

        // A slow Stripe keeps the backfill on screen long enough to be watched.
        app.Stripe.ConfigureFaults(account.Id, new FaultSettings { Latency = TimeSpan.FromMilliseconds(400) });
        await page.GetByLabel("Stripe secret key").FillAsync(account.SecretKey);
        await page.GetByLabel("Webhook signing secret").FillAsync("whsec_test_secret");
        await page.GetByRole(AriaRole.Button, new() { Name = "Connect Stripe" }).ClickAsync();
        await Expect(state).ToHaveTextAsync("Backfilling");
        await ConsoleApp.ScreenshotAsync(page, "sync-backfilling");
        await Expect(state).ToHaveTextAsync("Live", new() { Timeout = 60_000 });
        app.Stripe.ConfigureFaults(account.Id, FaultSettings.None);
        var sync = await client.GetFromJsonAsync<JsonElement>("/v1/stripe/sync");
        foreach (var type in new[] { "customers", "invoices", "payments" })
            await Expect(page.Locator($"[data-count={type}]")).ToHaveTextAsync($"{sync.GetProperty("progress").GetProperty(type).GetInt64():N0} imported");
        await Expect(page.Locator("[data-field=draftInvoices]")).ToHaveTextAsync(sync.GetProperty("skipped").GetProperty("draftInvoices").GetInt64().ToString("N0"));
        await Expect(page.Locator("[data-field=unappliedPayments]")).ToHaveTextAsync(sync.GetProperty("skipped").GetProperty("unappliedPayments").GetInt64().ToString("N0"));
        await Expect(page.Locator("[data-webhook-url]")).ToHaveTextAsync($"{app.BaseUrl}/webhooks/stripe/{organization.Id}");
        await ConsoleApp.ScreenshotAsync(page, "sync");

        // Customers with their contacts; contacts from custom fields behind "Source: Custom field".
        await page.GetByRole(AriaRole.Link, new() { Name = "Customers" }).ClickAsync();
        await Expect(page.Locator("tbody tr")).ToHaveCountAsync(30);
        await Expect(page.Locator("tbody .contacts .badge.info").First).ToHaveTextAsync("Custom field");
        await ConsoleApp.ScreenshotAsync(page, "customers");
        await page.GetByRole(AriaRole.Link, new() { Name = "Contacts" }).ClickAsync();
        await page.GetByLabel("Source").SelectOptionAsync(new SelectOptionValue { Label = "Custom field" });
        await ConsoleApp.ArrivedAtAsync(page, "**/app/contacts?source=custom_field");
        var customFieldContacts = await SyncApp.ReadAllAsync(client, "/v1/contacts?source=custom_field");
        Assert.NotEmpty(customFieldContacts);
        await Expect(page.Locator("tbody tr")).ToHaveCountAsync(Math.Min(50, customFieldContacts.Count));
        Assert.All(await page.Locator("tbody tr td:nth-child(3)").AllInnerTextsAsync(), source => Assert.Equal("Custom field", source));
        await ConsoleApp.ScreenshotAsync(page, "contacts");

        // Invoices: pages follow the API's cursor; the status filter is the API's.
        await page.GetByRole(AriaRole.Link, new() { Name = "Invoices" }).ClickAsync();
        await Expect(page.Locator("tbody tr")).ToHaveCountAsync(50);
        var firstPage = await page.Locator("tbody tr").First.GetAttributeAsync("data-id");
        var nextRequest = page.WaitForRequestAsync(request => request.Url.Contains("/v1/invoices?"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Next" }).ClickAsync();
        var requested = new Uri((await nextRequest).Url);
        Assert.Contains("cursor=", requested.Query);
        Assert.DoesNotContain("offset", requested.Query);
        await Expect(page.Locator("[data-page-label]")).ToHaveTextAsync("Page 2");
        Assert.NotEqual(firstPage, await page.Locator("tbody tr").First.GetAttributeAsync("data-id"));
        await page.GetByLabel("Status").SelectOptionAsync("PAID");
        await ConsoleApp.ArrivedAtAsync(page, "**/app/invoices?status=PAID");
        await Expect(page.Locator("[data-page-label]")).ToHaveTextAsync("Page 1");
        await Expect(page.Locator("tbody tr").First.Locator("td:nth-child(3)")).ToHaveTextAsync("PAID");
        Assert.All(await page.Locator("tbody tr td:nth-child(3)").AllInnerTextsAsync(), status => Assert.Equal("PAID", status));
        await page.GetByLabel("Status").SelectOptionAsync("");
        await Expect(page.Locator("tbody tr[data-id]")).ToHaveCountAsync(50);
        await ConsoleApp.ScreenshotAsync(page, "invoices");

        // Two portal payments in error: one refused by Stripe (void invoice), one after an outage.
        var open = app.Stripe.InvoiceIds(account.Id, "open");
        app.Stripe.VoidInvoice(account.Id, open[0]);
        var refused = await PortalPaymentAsync(client, open[0], "console-refused");
        await ConsoleApp.WaitForExportAsync(client, refused, "error");
        app.Stripe.ConfigureFaults(account.Id, new FaultSettings { ServerErrorRate = 1 });
        var outage = await PortalPaymentAsync(client, open[1], "console-outage");
        await ConsoleApp.WaitForExportAsync(client, outage, "error");
        app.Stripe.ConfigureFaults(account.Id, FaultSettings.None);

        await page.GetByRole(AriaRole.Link, new() { Name = "Payments" }).ClickAsync();
        await Expect(page.Locator("tbody tr[data-id]").First).ToBeVisibleAsync();
        await page.GetByLabel("Stripe Billing status").SelectOptionAsync(new SelectOptionValue { Label = "Error" });
        await ConsoleApp.ArrivedAtAsync(page, "**/app/payments?exportStatus=error");
        await Expect(page.Locator("tbody tr")).ToHaveCountAsync(2);
        var refusedRow = page.Locator($"tbody tr[data-id='{refused}']");
        var outageRow = page.Locator($"tbody tr[data-id='{outage}']");
        await Expect(refusedRow.Locator("[data-field=exportStatus]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Error"));

        // Hovering Error shows Stripe's message.
        var tooltip = refusedRow.GetByRole(AriaRole.Tooltip);
        await Expect(tooltip).ToBeHiddenAsync();
        await refusedRow.GetByText("Error", new() { Exact = true }).HoverAsync();
        await Expect(tooltip).ToBeVisibleAsync();
        await Expect(tooltip).ToHaveTextAsync("You cannot pay a void invoice.");
        await ConsoleApp.ScreenshotAsync(page, "payments-error");
        await outageRow.GetByText("Error", new() { Exact = true }).HoverAsync();
        await Expect(outageRow.GetByRole(AriaRole.Tooltip)).ToHaveTextAsync("Synchronisation failed. Please contact support.");

        // "Export back to Stripe Billing" turns it Exported in place, without a page load.
        await page.EvaluateAsync("window.sameDocument = true");
        await outageRow.GetByRole(AriaRole.Button, new() { Name = "Export back to Stripe Billing" }).ClickAsync();
        await Expect(outageRow.Locator("[data-field=exportStatus]")).ToHaveTextAsync("Exported", new() { Timeout = 30_000 });
        await Expect(outageRow.GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
        await Expect(page.Locator("[data-list-status]")).ToContainTextAsync($"Payment {outage} is exported to Stripe Billing.");
        Assert.True(await page.EvaluateAsync<bool>("window.sameDocument === true"));
        await Expect(refusedRow.Locator("[data-field=exportStatus]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Error"));
        var exported = await client.GetFromJsonAsync<JsonElement>($"/v1/payments/{outage}");
        Assert.Equal("exported", exported.GetProperty("export").GetProperty("status").GetString());
        Assert.Single(app.Stripe.OutOfBandPayments(account.Id));
        await page.GetByLabel("Stripe Billing status").SelectOptionAsync("");
        await page.GetByLabel("Source").SelectOptionAsync("portal");
        await ConsoleApp.ArrivedAtAsync(page, "**/app/payments?source=portal");
        await Expect(page.Locator("tbody tr[data-id]")).ToHaveCountAsync(2);
        await Expect(page.Locator($"tbody tr[data-id='{outage}'] [data-field=exportStatus]")).ToHaveTextAsync("Exported");
        await ConsoleApp.ScreenshotAsync(page, "payments");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Changing_the_time_zone_in_Settings_moves_a_due_date_at_once()
    {
        // UTC-11 to UTC+14: every instant changes calendar date between these two zones.
        var (_, apiKey, client) = await app.ConnectedOrganizationAsync(new GenerationSpec { Seed = 32, Customers = 10, InvoicesPerCustomer = 2 }, "Pacific/Pago_Pago");
        var page = await app.NewPageAsync();
        await ConsoleApp.SignInAsync(page, apiKey);

        await page.GetByRole(AriaRole.Link, new() { Name = "Invoices" }).ClickAsync();
        await Expect(page.Locator("[data-org-zone]")).ToHaveTextAsync("Pacific/Pago_Pago");
        var due = page.Locator("tbody tr td[data-field=dueDate] time").First;
        await Expect(due).ToBeVisibleAsync();
        var id = await due.Locator("xpath=ancestor::tr").GetAttributeAsync("data-id");
        var before = await due.GetAttributeAsync("datetime");
        Assert.Equal((await client.GetFromJsonAsync<JsonElement>($"/v1/invoices/{id}")).GetProperty("dueDate").GetString(), before);

        await page.GetByRole(AriaRole.Link, new() { Name = "Settings" }).ClickAsync();
        await Expect(page.Locator("[data-current-zone]")).ToHaveTextAsync("Pacific/Pago_Pago");
        var zone = page.GetByLabel("Time zone", new() { Exact = true });
        await zone.FillAsync("Mars/Olympus_Mons");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save time zone" }).ClickAsync();
        await Expect(page.Locator("[data-time-zone-status]")).ToContainTextAsync("Choose a time zone from the list");
        Assert.Equal(1, await page.Locator("#iana-zones option[value='Pacific/Kiritimati']").CountAsync());
        await zone.FillAsync("Pacific/Kiritimati");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save time zone" }).ClickAsync();
        await Expect(page.Locator("[data-time-zone-status]")).ToHaveTextAsync("Time zone saved: dates now show in Pacific/Kiritimati.");
        await Expect(page.Locator("[data-current-zone]")).ToHaveTextAsync("Pacific/Kiritimati");
        await ConsoleApp.ScreenshotAsync(page, "settings");

        await page.GetByRole(AriaRole.Link, new() { Name = "Invoices" }).ClickAsync();
        await Expect(page.Locator("[data-org-zone]")).ToHaveTextAsync("Pacific/Kiritimati");
        var after = await page.Locator($"tbody tr[data-id='{id}'] td[data-field=dueDate] time").GetAttributeAsync("datetime");
        Assert.True(DateOnly.Parse(after!) > DateOnly.Parse(before!), $"The due date {before} should have moved later, to {after}.");
        Assert.Equal((await client.GetFromJsonAsync<JsonElement>($"/v1/invoices/{id}")).GetProperty("dueDate").GetString(), after);
        await page.Context.CloseAsync();
    }

    private static async Task<string> PortalPaymentAsync(HttpClient client, string invoiceId, string idempotencyKey)
    {
        var invoice = await client.GetFromJsonAsync<JsonElement>($"/v1/invoices/{invoiceId}");
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/payments")
        {
            Content = JsonContent.Create(new
            {
                invoiceId,
                amount = invoice.GetProperty("amountRemaining").GetInt64(),
                currency = invoice.GetProperty("currency").GetString(),
                paidAt = DateTimeOffset.UtcNow.AddHours(-1),
                method = "bank_transfer",
            }),
        };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }
}
