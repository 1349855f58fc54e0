using Upflow.StripeEmulator;
using Upflow.StripeEmulator.Generation;

namespace Upflow.StripeEmulator;

// An explicit entry point: .NET 10 makes a top-level Program public, which would clash with the
// product's Program in test projects that reference both.
internal static class EmulatorProgram
{
    public static async Task Main(string[] args)
    {
        // Standalone: dotnet run --project tests/Upflow.StripeEmulator -- --urls http://127.0.0.1:12111 --seed 42 --customers 1000
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables("STRIPE_EMULATOR_").AddCommandLine(args).Build();
        var settings = configuration.Get<StandaloneSettings>() ?? new StandaloneSettings();

        var started = System.Diagnostics.Stopwatch.StartNew();
        await using var emulator = await StripeEmulator.StartAsync(new StripeEmulatorOptions
        {
            Urls = settings.Urls,
            Seed = settings.Seed,
            Logging = settings.Log,
            Generate = new GenerationSpec
            {
                Seed = settings.Seed,
                Customers = settings.Customers,
                InvoicesPerCustomer = settings.InvoicesPerCustomer,
                UnappliedPaymentRatio = settings.UnappliedPaymentRatio,
            },
        });
        for (var i = 1; i < settings.Accounts; i++)
            emulator.Generate(emulator.CreateAccount().Id, new GenerationSpec { Seed = settings.Seed + i, Customers = settings.Customers, InvoicesPerCustomer = settings.InvoicesPerCustomer });

        Console.WriteLine($"Stripe emulator (API version {StripeApi.Version}) listening on {emulator.BaseUrl}, ready in {started.ElapsedMilliseconds} ms");
        foreach (var account in emulator.Accounts)
            Console.WriteLine($"account {account.Id} secret_key {account.SecretKey}");
        if (emulator.GeneratedCounts is { } counts)
            Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(counts));
        Console.WriteLine("Control API: /_emulator/ (see tests/Upflow.StripeEmulator/README.md). Ctrl+C to stop.");
        await emulator.WaitForShutdownAsync();
    }
}

internal sealed class StandaloneSettings
{
    public string Urls { get; init; } = "http://127.0.0.1:12111";
    public int Seed { get; init; } = 42;
    public int Accounts { get; init; } = 1;
    public int Customers { get; init; } = 1000;
    public int InvoicesPerCustomer { get; init; } = 4;
    public double UnappliedPaymentRatio { get; init; } = 0.1;
    public bool Log { get; init; }
}
