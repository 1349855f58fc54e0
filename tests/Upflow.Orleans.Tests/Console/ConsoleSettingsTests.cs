using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Upflow.StripeEmulator.Generation;
using static Microsoft.Playwright.Assertions;

namespace Upflow.Orleans.Tests.OperatorConsole;

/// <summary>
/// The Settings views that read and write GET/PUT /v1/settings/contact-fields and /v1/settings/custom-fields
/// (CONTRACT §2 "Settings"). They need those endpoints: until they are merged these tests fail on the
/// views' designed error state ("These settings could not be loaded").
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleSettingsTests(ConsoleApp app)
{
    [Fact]
    public async Task Contact_management_adds_and_removes_Additional_emails_fields()
    {
        var organization = await app.CreateOrganizationAsync("Contacts Settings");
        var client = app.Client(organization.ApiKey);
        var page = await app.NewPageAsync();
        await ConsoleApp.SignInAsync(page, organization.ApiKey);
        await page.GetByRole(AriaRole.Link, new() { Name = "Settings" }).ClickAsync();

        var fields = page.GetByRole(AriaRole.List, new() { Name = "Contact fields" }).GetByRole(AriaRole.Listitem);
        await Expect(fields).ToHaveTextAsync(["Additional emails to · To×", "Additional emails cc · Cc×"]);

        var section = page.Locator("[data-contact-fields]");
        await section.GetByLabel("Metadata key").FillAsync("Billing contacts");
        await section.GetByLabel("Role").SelectOptionAsync("cc");
        await section.GetByRole(AriaRole.Button, new() { Name = "Add field" }).ClickAsync();
        await section.GetByRole(AriaRole.Button, new() { Name = "Remove Additional emails to (To)" }).ClickAsync();
        await section.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(section.Locator("[data-contact-fields-status]")).ToContainTextAsync("Saved");
        await ConsoleApp.ScreenshotAsync(page, "settings-contact-management");

        var saved = await client.GetFromJsonAsync<JsonElement>("/v1/settings/contact-fields");
        Assert.Empty(saved.GetProperty("to").EnumerateArray());
        Assert.Equal(["Additional emails cc", "Billing contacts"], saved.GetProperty("cc").EnumerateArray().Select(key => key.GetString()));

        await page.ReloadAsync();
        await Expect(fields).ToHaveTextAsync(["Additional emails cc · Cc×", "Billing contacts · Cc×"]);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Custom_fields_are_chosen_per_entity_with_native_Stripe_fields_and_show_on_customers()
    {
        var (_, apiKey, client) = await app.ConnectedOrganizationAsync(new GenerationSpec { Seed = 33, Customers = 8, InvoicesPerCustomer = 1 });
        var page = await app.NewPageAsync();
        await ConsoleApp.SignInAsync(page, apiKey);
        await page.GetByRole(AriaRole.Link, new() { Name = "Settings" }).ClickAsync();

        var section = page.Locator("[data-custom-fields]");
        var customers = section.Locator("[data-entity=customer]");
        await Expect(customers.GetByRole(AriaRole.Listitem)).ToHaveTextAsync("No metadata key");
        await customers.GetByLabel("Metadata key").FillAsync("Region");
        await customers.GetByRole(AriaRole.Button, new() { Name = "Add" }).ClickAsync();
        var invoices = section.Locator("[data-entity=invoice]");
        await invoices.GetByLabel("Metadata key").FillAsync("Project");
        await invoices.GetByRole(AriaRole.Button, new() { Name = "Add" }).ClickAsync();
        await section.GetByLabel("Delinquent").CheckAsync();
        await section.GetByLabel("Tax exempt").CheckAsync();
        await section.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(section.Locator("[data-custom-fields-status]")).ToContainTextAsync("Saved");
        await ConsoleApp.ScreenshotAsync(page, "settings-custom-fields");

        var saved = await client.GetFromJsonAsync<JsonElement>("/v1/settings/custom-fields");
        Assert.Equal(["Region"], saved.GetProperty("customer").GetProperty("metadata").EnumerateArray().Select(key => key.GetString()));
        Assert.Equal(["delinquent", "taxExempt"], saved.GetProperty("customer").GetProperty("native").EnumerateArray().Select(key => key.GetString()));
        Assert.Equal(["Project"], saved.GetProperty("invoice").GetProperty("metadata").EnumerateArray().Select(key => key.GetString()));
        Assert.Empty(saved.GetProperty("payment").GetProperty("metadata").EnumerateArray());

        await page.ReloadAsync();
        await Expect(customers.GetByRole(AriaRole.Listitem)).ToHaveTextAsync("Region×");
        await Expect(section.GetByLabel("Delinquent")).ToBeCheckedAsync();
        await Expect(section.GetByLabel("Description")).Not.ToBeCheckedAsync();

        // Applied to existing customers in the background ("give it a bit of time"): Region appears as a custom field.
        await page.GetByRole(AriaRole.Link, new() { Name = "Customers" }).ClickAsync();
        var region = page.Locator("tbody tr[data-id]").First.Locator("dl.fields dt", new() { HasText = "Region" });
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await region.CountAsync() == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
            await page.ReloadAsync();
            await page.Locator("tbody tr[data-id]").First.WaitForAsync();
        }
        await Expect(region).ToHaveCountAsync(1);
        await ConsoleApp.ScreenshotAsync(page, "customers-custom-fields");
        await page.Context.CloseAsync();
    }
}
