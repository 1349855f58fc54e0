using System.Diagnostics;
using Upflow.Orleans.Tests.Infrastructure;

namespace Upflow.Bench;

/// <summary>
/// The product as operators run it: the Release silo in its own process (so its memory is its own),
/// on a fresh database, pointed at the emulator.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private long _peakBytes;

    private SiloProcess(Process process, Uri baseAddress, string adminKey)
    {
        _process = process;
        BaseAddress = baseAddress;
        AdminKey = adminKey;
    }

    public Uri BaseAddress { get; }
    public string AdminKey { get; }
    public int ProcessId => _process.Id;

    /// <summary>Peak resident memory so far (VmHWM), sampled from /proc.</summary>
    public long PeakBytes => _peakBytes = Math.Max(_peakBytes, ReadProcKilobytes("VmHWM") * 1024);

    public static async Task<SiloProcess> StartAsync(string connectionString, string stripeBase, IDictionary<string, string>? settings = null)
    {
        var silo = Path.Combine(Repository.Root, "silo", "bin", "Release", "net10.0", "Upflow.Orleans.Silo.dll");
        if (!File.Exists(silo))
            throw new InvalidOperationException($"{silo} is missing: build it with `dotnet build -c Release silo` (scripts/bench.sh does).");
        var http = FreePorts.Next();
        var adminKey = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var start = new ProcessStartInfo("dotnet", [silo])
        {
            WorkingDirectory = Path.GetDirectoryName(silo)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__Upflow"] = connectionString,
            ["Urls"] = $"http://127.0.0.1:{http}",
            ["Orleans__SiloPort"] = FreePorts.Next().ToString(),
            ["Orleans__GatewayPort"] = FreePorts.Next().ToString(),
            ["Orleans__ClusterId"] = "bench-" + Guid.NewGuid().ToString("N")[..8],
            ["Upflow__AdminKey"] = adminKey,
            ["Upflow__EncryptionKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["Stripe__ApiBase"] = stripeBase,
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) environment[key] = value;
        foreach (var (key, value) in environment) start.Environment[key] = value;

        var process = Process.Start(start)!;
        var log = new List<string>();
        process.OutputDataReceived += (_, line) => { if (line.Data is { } text) { lock (log) log.Add(text); if (Environment.GetEnvironmentVariable("BENCH_ECHO") == "1") Console.WriteLine(text); } };
        process.ErrorDataReceived += (_, line) => { if (line.Data is { } text) lock (log) log.Add(text); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var silo_ = new SiloProcess(process, new Uri($"http://127.0.0.1:{http}"), adminKey);
        using var client = new HttpClient { BaseAddress = silo_.BaseAddress };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) break;
            try { if ((await client.GetAsync("/health/ready")).IsSuccessStatusCode) return silo_; }
            catch (HttpRequestException) { }
            await Task.Delay(250);
        }
        await silo_.DisposeAsync();
        lock (log) throw new InvalidOperationException("The silo did not become ready:\n" + string.Join("\n", log.TakeLast(30)));
    }

    public void Kill() => _process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private long ReadProcKilobytes(string field)
    {
        try
        {
            var line = File.ReadLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        }
        catch (IOException) { return 0; }
    }
}

public static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Upflow.Orleans.sln"))) return directory.FullName;
        throw new InvalidOperationException("Run the bench from inside the repository.");
    }
}
