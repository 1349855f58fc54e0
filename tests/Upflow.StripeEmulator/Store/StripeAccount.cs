using Upflow.StripeEmulator.Domain;

namespace Upflow.StripeEmulator.Store;

/// <summary>
/// One emulated Stripe account and everything in it. All reads and writes go through <see cref="Lock"/>:
/// readers share it (list pages are rendered under it, so a page is a consistent snapshot), writers
/// (mutations, the generator) take it exclusively.
/// </summary>
public sealed class StripeAccount
{
    private long _sequence;
    private long _idCounter;

    internal StripeAccount(string id, string secretKey, string email, string businessName, string timezone, long created, string idTag)
    {
        Id = id;
        SecretKey = secretKey;
        Email = email;
        BusinessName = businessName;
        Timezone = timezone;
        Created = created;
        IdTag = idTag;
    }

    public string Id { get; }
    public string SecretKey { get; }
    public string Email { get; }
    public string BusinessName { get; }
    public string Timezone { get; }
    /// <summary>Never after the account's oldest object: generated history moves it back (<see cref="PredateTo"/>).</summary>
    public long Created { get; private set; }
    public string Country { get; init; } = "FR";
    public string DefaultCurrency { get; init; } = "eur";

    /// <summary>An account is older than anything in it, as on Stripe: backdated history backdates it too.</summary>
    internal void PredateTo(long created)
    {
        if (created < Created) Created = created;
    }

    /// <summary>Makes ids unique across accounts while staying deterministic for a given seed.</summary>
    internal string IdTag { get; }

    internal ReaderWriterLockSlim Lock { get; } = new(LockRecursionPolicy.SupportsRecursion);
    internal ObjectCollection<Customer> Customers { get; } = new();
    internal ObjectCollection<Invoice> Invoices { get; } = new(i => i.CustomerId);
    internal ObjectCollection<InvoicePayment> InvoicePayments { get; } = new(p => p.InvoiceId);
    internal ObjectCollection<PaymentIntent> PaymentIntents { get; } = new(p => p.CustomerId);
    internal ObjectCollection<Charge> Charges { get; } = new(c => c.PaymentIntentId);
    internal ObjectCollection<PaymentMethod> PaymentMethods { get; } = new(p => p.CustomerId);
    internal ObjectCollection<StripeEvent> Events { get; } = new();

    internal AccountActivity Activity { get; } = new();
    internal Faults.FaultState Faults { get; } = new();
    internal Webhooks.WebhookEndpoint Webhook { get; } = new();

    internal long NextSequence() => Interlocked.Increment(ref _sequence);

    /// <summary>Stripe-like ids: prefix, underscore, 24 alphanumerics.</summary>
    internal string NewId(string prefix) => $"{prefix}_{IdTag}{Base62(Interlocked.Increment(ref _idCounter)).PadLeft(14, '0')}";

    internal T Stamp<T>(T item) where T : StripeObject
    {
        item.Sequence = NextSequence();
        return item;
    }

    internal T Read<T>(Func<T> read)
    {
        Lock.EnterReadLock();
        try { return read(); }
        finally { Lock.ExitReadLock(); }
    }

    internal T Write<T>(Func<T> write)
    {
        Lock.EnterWriteLock();
        try { return write(); }
        finally { Lock.ExitWriteLock(); }
    }

    private static string Base62(long value)
    {
        const string digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        Span<char> buffer = stackalloc char[12];
        var i = buffer.Length;
        do { buffer[--i] = digits[(int)(value % 62)]; value /= 62; } while (value > 0);
        return new string(buffer[i..]);
    }
}
