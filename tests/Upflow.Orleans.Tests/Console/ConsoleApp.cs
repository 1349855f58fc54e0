using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using Orleans.Configuration;
using Upflow.Orleans.Tests.Infrastructure;

namespace Upflow.Orleans.Tests.OperatorConsole;

/// <summary>
/// The product on Kestrel (a real TCP port a browser can reach), its Stripe emulator, and Debian's
/// chromium driven by Playwright. Write-back retries run in milliseconds, as in the write-back tests.
/// </summary>
public sealed class ConsoleApp : SyncApp
{
    public const int MaxExportAttempts = 3;

    /// <summary>The system browser: Playwright never downloads one here (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1).</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("UPFLOW_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private readonly int _port = FreePorts.Next();
    private IPlaywright? _playwright;

    public string BaseUrl => $"http://127.0.0.1:{_port}";

    public IBrowser Browser { get; private set; } = null!;

    protected override IEnumerable<KeyValuePair<string, string>> Settings() =>
    [
        .. base.Settings(),
        new("Stripe:MaxRetries", "0"),
        new("Stripe:MaxRequestsPerSecond", "1000"),
        new("Upflow:WriteBack:MaxAttempts", MaxExportAttempts.ToString()),
        new("Upflow:WriteBack:RetryBaseDelay", "00:00:00.100"),
        new("Upflow:WriteBack:MaxRetryDelay", "00:00:00.500"),
        new("Upflow:WriteBack:ReminderPeriod", "00:00:01"),
    ];

    protected override void ConfigureServices(IServiceCollection services) =>
        services.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromSeconds(1));

    protected override void ConfigureFactory(WebApplicationFactory<Program> factory) =>
        factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, _port));

    protected override async Task AfterStartAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"No browser at {ChromiumPath}: scripts/test.sh installs Debian's chromium (apt-get install -y chromium).");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        Assertions.SetDefaultExpectTimeout(15_000);
    }

    protected override async Task AfterStopAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        await base.AfterStopAsync();
    }

    /// <summary>A fresh browser tab (its own sessionStorage) on the console.</summary>
    public async Task<IPage> NewPageAsync(bool javaScript = true)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            ViewportSize = new ViewportSize { Width = 1280, Height = 860 },
            Locale = "en-GB",
            JavaScriptEnabled = javaScript,
        });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    /// <summary>Signs in through the sign-in form and lands on the Sync view.</summary>
    public static async Task SignInAsync(IPage page, string apiKey)
    {
        await page.GotoAsync("/app/sync");
        await ArrivedAtAsync(page, "**/app/sign-in**");
        await page.GetByLabel("API key").FillAsync(apiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        try
        {
            await ArrivedAtAsync(page, "**/app/sync");
        }
        catch (PlaywrightException failure)
        {
            // Say where the tab is and what it said: a sign-in that stays put shows its reason under the form.
            var shown = await page.EvaluateAsync<string?>("document.querySelector('[data-sign-in-error]')?.textContent ?? null");
            throw new TimeoutException($"Sign-in did not reach /app/sync; the tab is at {page.Url}, showing \"{shown}\".", failure);
        }
    }

    /// <summary>
    /// Waits until the tab is on <paramref name="url"/> (a glob: ** any text, * any text without a
    /// slash) and console.js has taken the page over (body[data-ready]: handlers attached). Not the
    /// browser's load events: "load" raced with the page's own fetches after a location.assign, and
    /// waiting for DOMContentLoaded through WaitForURL still timed out twice in CI with the sign-in
    /// done; the URL and the marker are polled, so no event can be missed.
    /// </summary>
    public static async Task ArrivedAtAsync(IPage page, string url)
    {
        var pattern = new Regex("^" + Regex.Escape(url).Replace(@"\*\*", ".*").Replace(@"\*", "[^/]*") + "$");
        await Expect(page).ToHaveURLAsync(pattern, new() { Timeout = 30_000 });
        await Expect(page.Locator("body[data-ready]")).ToBeAttachedAsync(new() { Timeout = 30_000 });
    }

    /// <summary>Connects through the API (for tests whose subject is not the Sync view).</summary>
    public async Task<(StripeEmulator.Store.StripeAccount Account, string ApiKey, HttpClient Client)> ConnectedOrganizationAsync(
        StripeEmulator.Generation.GenerationSpec spec, string timeZone = "Europe/Paris")
    {
        var account = Stripe.CreateAccount();
        Stripe.Generate(account.Id, spec);
        var organization = await CreateOrganizationAsync("Acme Console", timeZone);
        var client = Client(organization.ApiKey);
        await ConnectAndWaitAsync(client, account.SecretKey);
        return (account, organization.ApiKey, client);
    }

    public static async Task<JsonElement> WaitForExportAsync(HttpClient client, string id, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement payment;
        do
        {
            payment = await client.GetFromJsonAsync<JsonElement>($"/v1/payments/{id}");
            if (payment.GetProperty("export").GetProperty("status").GetString() == status) return payment;
            await Task.Delay(50);
        } while (DateTime.UtcNow < deadline);
        Assert.Fail($"Payment {id} did not reach export status '{status}': {payment}");
        return payment;
    }

    /// <summary>
    /// Saves a screenshot under the test output; with UPFLOW_UPDATE_SCREENSHOTS=1 also into
    /// docs/screenshots/ (the committed ones README.md links to).
    /// </summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var local = Path.Combine(AppContext.BaseDirectory, "screenshots", name + ".png");
        Directory.CreateDirectory(Path.GetDirectoryName(local)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = local, FullPage = false, Animations = ScreenshotAnimations.Disabled });
        if (Environment.GetEnvironmentVariable("UPFLOW_UPDATE_SCREENSHOTS") == "1")
        {
            var docs = Path.Combine(RepositoryRoot(), "docs", "screenshots");
            Directory.CreateDirectory(docs);
            File.Copy(local, Path.Combine(docs, name + ".png"), overwrite: true);
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Upflow.Orleans.sln"))) return directory.FullName;
        throw new InvalidOperationException("Upflow.Orleans.sln not found above the test output.");
    }
}

/// <summary>Browser test classes share one host and one browser; they run one after the other.</summary>
[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleApp>
{
    public const string Name = "console";
}
