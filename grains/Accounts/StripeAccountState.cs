namespace Upflow.Orleans.Accounts;

[GenerateSerializer, Alias("upflow.StripeAccountState")]
public sealed class StripeAccountState
{
    [Id(0)] public bool Connected { get; set; }
    [Id(1)] public string? AccountId { get; set; }
    /// <summary>AES-GCM under Upflow:EncryptionKey, bound to the organization id.</summary>
    [Id(2)] public string? SecretKeyCipher { get; set; }
    [Id(3)] public string? WebhookSecretCipher { get; set; }
    [Id(4)] public Backfill? Backfill { get; set; }
    /// <summary>Stripe's time of the newest event a catch-up listed.</summary>
    [Id(5)] public DateTimeOffset? LastEventAt { get; set; }
    /// <summary>
    /// When the last complete catch-up started: every event created before it (less the overlap) has
    /// been listed. The next catch-up lists from here, not from the newest webhook, which may have
    /// overtaken a dropped one.
    /// </summary>
    [Id(6)] public DateTimeOffset? EventsListedUntil { get; set; }
    /// <summary>
    /// Stripe's <c>created</c> of the account (Unix seconds), when it gave one: where a backfill expects
    /// the oldest objects, to split its listings evenly (see <see cref="BackfillSlice.SplitOlderHalf"/>).
    /// </summary>
    [Id(7)] public long? AccountCreated { get; set; }
}

/// <summary>One full backfill run: a cursor per listed Stripe collection, persisted after each page.</summary>
[GenerateSerializer, Alias("upflow.Backfill")]
public sealed class Backfill
{
    [Id(0)] public DateTimeOffset StartedAt { get; set; }
    [Id(1)] public DateTimeOffset? CompletedAt { get; set; }
    [Id(2)] public string? LastError { get; set; }
    /// <summary>True when Stripe refused the key: retrying cannot help until the user reconnects.</summary>
    [Id(3)] public bool Failed { get; set; }
    [Id(4)] public BackfillCursor Customers { get; set; } = new();
    [Id(5)] public BackfillCursor Invoices { get; set; } = new();
    [Id(6)] public BackfillCursor InvoicePayments { get; set; } = new();
    [Id(7)] public BackfillCursor PaymentIntents { get; set; } = new();

    public bool Finished => Customers.Done && Invoices.Done && InvoicePayments.Done && PaymentIntents.Done;
}

/// <summary>
/// Where a listing stands: its slices (ranges of <c>created</c>, each paged with its own cursor) and
/// what was counted so far. Counts and cursors are written together, so a crash re-applies at most
/// the pages in flight and counts them once.
/// </summary>
[GenerateSerializer, Alias("upflow.BackfillCursor")]
public sealed class BackfillCursor
{
    /// <summary>The single cursor of a backfill persisted before listings were sliced; read once to resume it.</summary>
    [Id(0)] public string? After { get; set; }
    [Id(1)] public bool Done { get; set; }
    [Id(5)] public List<BackfillSlice> Slices { get; set; } = [];
    /// <summary>Objects imported into the ledger (or, for payment intents, succeeded intents seen).</summary>
    [Id(2)] public long Imported { get; set; }
    /// <summary>Objects the rules skip (drafts; invoice payments not paid).</summary>
    [Id(3)] public long Skipped { get; set; }
    /// <summary>Invoice payments only: paid payments backed by a payment intent.</summary>
    [Id(4)] public long AppliedIntents { get; set; }
}

/// <summary>
/// One range of a listing, paged newest first: objects created in [<see cref="From"/>, <see cref="Before"/>)
/// (open ends unbounded) older than <see cref="After"/>, the last id applied.
/// </summary>
[GenerateSerializer, Alias("upflow.BackfillSlice")]
public sealed class BackfillSlice
{
    [Id(0)] public long? From { get; set; }
    [Id(1)] public long? Before { get; set; }
    [Id(2)] public string? After { get; set; }
    [Id(3)] public bool Done { get; set; }

    public bool Contains(long created) => (From is not { } from || created >= from) && (Before is not { } before || created < before);

    /// <summary>
    /// How many more pages like the last one (newest <paramref name="firstCreated"/>, oldest
    /// <paramref name="lastCreated"/>) the slice has left if objects keep that density; null when its
    /// range is open-ended and nothing says where the data starts.
    /// </summary>
    public long? PagesLeft(long firstCreated, long lastCreated, long? oldestExpected)
    {
        if (StartOf(lastCreated, oldestExpected) is not { } from || from >= lastCreated) return null;
        return (lastCreated - from) / Math.Max(1, firstCreated - lastCreated);
    }

    /// <summary>
    /// Where the slice's objects start: its lower bound, or for an open-ended slice where the account's
    /// data is expected to start (<paramref name="oldestExpected"/>, ignored unless before <paramref name="lastCreated"/>).
    /// </summary>
    private long? StartOf(long lastCreated, long? oldestExpected) =>
        From ?? (oldestExpected < lastCreated ? oldestExpected : null);

    /// <summary>
    /// What the slice has left are its objects created up to <paramref name="lastCreated"/> (the last
    /// page's last one; ties in that second are reached through the cursor). Its older half, if the
    /// range is at least two seconds wide, is returned as a new slice; this one keeps the newer half
    /// and its cursor. A slice resumed from an older cursor under the narrowed range re-reads only
    /// objects at or after the split, which were all in its newer half.
    /// </summary>
    /// <param name="oldestExpected">
    /// Where an open-ended slice's data is expected to start (the account's creation): only chooses
    /// the middle, the older half stays open-ended, so a wrong guess costs balance, never objects.
    /// Without it an open range is halved from the epoch, and the first halves hold nothing.
    /// </param>
    public BackfillSlice? SplitOlderHalf(long lastCreated, long? oldestExpected = null)
    {
        var from = StartOf(lastCreated, oldestExpected) ?? 0;
        if (lastCreated - from < 2) return null;
        var middle = from + (lastCreated - from) / 2;
        var older = new BackfillSlice { From = From, Before = middle };
        From = middle;
        return older;
    }
}
