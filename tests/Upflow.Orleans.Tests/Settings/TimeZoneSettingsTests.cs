using System.Net.Http.Json;
using System.Text.Json;
using Upflow.Orleans.Tests.Infrastructure;
using Upflow.StripeEmulator.Generation;
using Upflow.StripeEmulator.Mutations;

namespace Upflow.Orleans.Tests.Settings;

/// <summary>CONTRACT §2/§3 "Time zone": every date a user sees follows PATCH /v1/organization at once, with no re-sync.</summary>
public sealed class TimeZoneSettingsTests(SyncApp app) : IClassFixture<SyncApp>
{
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    // Due instants (UTC) and their calendar date in Paris and in New York. 23:30 UTC is the next day in
    // Paris, the same day in New York; around the March 2026 DST changes (New York on the 8th, Paris on
    // the 29th) the same UTC time of day falls on different dates.
    public static TheoryData<string, string, string> DueDates => new()
    {
        { "2026-03-10T23:30:00Z", "2026-03-11", "2026-03-10" },
        { "2026-01-16T04:30:00Z", "2026-01-16", "2026-01-15" }, // New York in EST (-05:00): 23:30 the day before
        { "2026-07-16T04:30:00Z", "2026-07-16", "2026-07-16" }, // New York in EDT (-04:00): 00:30 the same day
        { "2026-03-28T22:30:00Z", "2026-03-28", "2026-03-28" }, // Paris still +01:00: 23:30
        { "2026-03-29T22:30:00Z", "2026-03-30", "2026-03-29" }, // Paris now +02:00: 00:30 the next day
    };

    [Fact]
    public async Task Dates_and_OVERDUE_follow_the_organization_time_zone_at_once_without_a_resync()
    {
        var account = app.Stripe.CreateAccount();
        app.Stripe.Generate(account.Id, new GenerationSpec { Seed = 31, Customers = 40, InvoicesPerCustomer = 1 });
        var customer = app.Stripe.CreateCustomer(account.Id, new NewCustomer { Email = "ap@acme.test" });
        var due = new Dictionary<string, string>();
        foreach (var instant in DueDates.Select(row => (string)row[0]))
        {
            var invoice = app.Stripe.CreateInvoice(account.Id, new NewInvoice { Customer = customer, DueDate = DateTimeOffset.Parse(instant) });
            app.Stripe.FinalizeInvoice(account.Id, invoice);
            due[invoice] = instant;
        }
        // Due yesterday at 23:30 UTC: today in Paris for most of the day, yesterday in New York.
        var edge = DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(-1).AddHours(23.5);
        var edgeInvoice = app.Stripe.CreateInvoice(account.Id, new NewInvoice { Customer = customer, DueDate = new DateTimeOffset(edge, TimeSpan.Zero) });
        app.Stripe.FinalizeInvoice(account.Id, edgeInvoice);
        var paid = app.Stripe.CreateInvoice(account.Id, new NewInvoice { Customer = customer });
        app.Stripe.FinalizeInvoice(account.Id, paid);
        app.Stripe.PayInvoiceOutOfBand(account.Id, paid);

        var client = app.Client((await app.CreateOrganizationAsync(timeZone: "Europe/Paris")).ApiKey);
        await app.ConnectAndWaitAsync(client, account.SecretKey);
        await AssertRenderedInAsync(client, Paris, due, edgeInvoice, paid, column: 1);
        var requests = app.Stripe.RequestCounts(account.Id).Sum(r => r.Requests);

        var patched = await client.PatchAsJsonAsync("/v1/organization", new { timeZone = "America/New_York" });
        patched.EnsureSuccessStatusCode();

        await AssertRenderedInAsync(client, NewYork, due, edgeInvoice, paid, column: 2);
        Assert.Equal(requests, app.Stripe.RequestCounts(account.Id).Sum(r => r.Requests));
        (await client.PatchAsJsonAsync("/v1/organization", new { timeZone = "Europe/Paris" })).EnsureSuccessStatusCode();
        await AssertRenderedInAsync(client, Paris, due, edgeInvoice, paid, column: 1);
    }

    private static async Task AssertRenderedInAsync(
        HttpClient client, TimeZoneInfo zone, Dictionary<string, string> due, string edgeInvoice, string paidInvoice, int column)
    {
        var expectedDates = DueDates.ToDictionary(row => (string)row[0], row => (string)row[column]);
        var now = DateTimeOffset.UtcNow;
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);

        foreach (var (invoice, instant) in due)
        {
            var rendered = await client.GetFromJsonAsync<JsonElement>($"/v1/invoices/{invoice}");
            Assert.Equal(expectedDates[instant], rendered.GetProperty("dueDate").GetString());
            Assert.Equal("OVERDUE", rendered.GetProperty("status").GetString()); // all in the past
            AssertInZone(zone, rendered.GetProperty("updatedAt"));
            Assert.Equal(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime).ToString("yyyy-MM-dd"),
                rendered.GetProperty("issueDate").GetString()); // finalized moments ago
        }

        var edge = await client.GetFromJsonAsync<JsonElement>($"/v1/invoices/{edgeInvoice}");
        var edgeDue = DateOnly.Parse(edge.GetProperty("dueDate").GetString()!);
        var edgeInstant = DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(-1).AddHours(23.5);
        Assert.Equal(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(new DateTimeOffset(edgeInstant, TimeSpan.Zero), zone).DateTime), edgeDue);
        var expectedStatus = edgeDue < today ? "OVERDUE" : "DUE";
        Assert.Equal(expectedStatus, edge.GetProperty("status").GetString());
        var listed = await SyncApp.ReadAllAsync(client, $"/v1/invoices?status={expectedStatus}");
        Assert.Contains(listed, i => i.GetProperty("id").GetString() == edgeInvoice);

        var paid = await client.GetFromJsonAsync<JsonElement>($"/v1/invoices/{paidInvoice}");
        Assert.Equal("PAID", paid.GetProperty("status").GetString());
        AssertInZone(zone, paid.GetProperty("paidAt"));

        var customers = await SyncApp.ReadAllAsync(client, "/v1/customers");
        foreach (var customer in customers) AssertInZone(zone, customer.GetProperty("createdAt"));
        // Two years of generated customers: both of the zone's offsets show.
        Assert.Equal(2, customers.Select(c => DateTimeOffset.Parse(c.GetProperty("createdAt").GetString()!).Offset).Distinct().Count());

        var sync = await client.GetFromJsonAsync<JsonElement>("/v1/stripe/sync");
        AssertInZone(zone, sync.GetProperty("startedAt"));
        AssertInZone(zone, sync.GetProperty("completedAt"));
        AssertInZone(zone, (await client.GetFromJsonAsync<JsonElement>("/v1/organization")).GetProperty("createdAt"));
    }

    /// <summary>An instant carries the zone's UTC offset at that instant (not the offset of today).</summary>
    private static void AssertInZone(TimeZoneInfo zone, JsonElement value)
    {
        var text = value.GetString()!;
        var instant = DateTimeOffset.Parse(text);
        Assert.True(zone.GetUtcOffset(instant) == instant.Offset, $"{text} is not in {zone.Id}'s offset ({zone.GetUtcOffset(instant)})");
    }
}
