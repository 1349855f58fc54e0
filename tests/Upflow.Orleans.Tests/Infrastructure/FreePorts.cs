using System.Net;
using System.Net.Sockets;

namespace Upflow.Orleans.Tests.Infrastructure;

/// <summary>
/// Ports for hosts that must be told their port before they bind (Kestrel on real sockets, silo and gateway).
/// Taken below the kernel's ephemeral range: a port the kernel hands out for port 0 is free only until the
/// next outgoing connection (database, HTTP) picks it as its local port, which is how a dashboard host once
/// found "its" port in use. Below the range only a listener can hold a port, so a bind check is enough.
/// Also below 22300, where Orleans' TestCluster picks its silos' ports with its own allocator.
/// </summary>
public static class FreePorts
{
    private const int Lowest = 10_000;
    private static readonly int Highest = Math.Min(22_299, EphemeralLow() - 1);
    // A random start keeps two test processes on one machine apart; the counter keeps this one's answers distinct.
    private static int _next = Random.Shared.Next(Lowest, Math.Max(Lowest + 1, Highest));

    public static int Next()
    {
        if (Highest - Lowest < 1_000)
            throw new InvalidOperationException(
                $"The kernel's ephemeral ports start at {Highest + 1}: no range below them is safe to pick ports from. Raise net.ipv4.ip_local_port_range's lower bound.");
        for (var tried = 0; tried <= Highest - Lowest; tried++)
        {
            var port = Lowest + (int)((uint)(Interlocked.Increment(ref _next) - Lowest) % (uint)(Highest - Lowest + 1));
            if (CanBind(port)) return port;
        }
        throw new InvalidOperationException($"No free port between {Lowest} and {Highest}.");
    }

    private static bool CanBind(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int EphemeralLow()
    {
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        return File.Exists(range) && int.TryParse(File.ReadAllText(range).Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0], out var low)
            ? low
            : 32_768;
    }
}
