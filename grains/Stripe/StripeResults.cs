using Stripe;

namespace Upflow.Orleans.Stripe;

/// <summary>One page of a Stripe list; <see cref="RequestedAt"/> is when the request that returned it was sent (the snapshot's "as of").</summary>
/// <param name="LastCreated">The last item's <c>created</c> (Unix seconds): where the rest of the list lies in time.</param>
/// <param name="FirstCreated">The first item's <c>created</c>: with <paramref name="LastCreated"/>, how much time a page spans.</param>
public sealed record StripePage<T>(IReadOnlyList<T> Items, bool HasMore, string? LastId, DateTimeOffset RequestedAt, long? LastCreated = null,
    long? FirstCreated = null);

/// <summary>A <c>created</c> filter on a list: from <see cref="From"/> (inclusive) to <see cref="Before"/> (exclusive), Unix seconds.</summary>
public readonly record struct CreatedWindow(long? From, long? Before)
{
    internal AnyOf<DateTime?, DateRangeOptions>? ToOptions()
    {
        if (From is null && Before is null) return null;
        return new DateRangeOptions
        {
            GreaterThanOrEqual = From is { } from ? DateTimeOffset.FromUnixTimeSeconds(from).UtcDateTime : null,
            LessThan = Before is { } before ? DateTimeOffset.FromUnixTimeSeconds(before).UtcDateTime : null,
        };
    }
}

/// <summary>The answer to GET /v1/account with a key: the account it opens, or Stripe's reason for refusing it.</summary>
[GenerateSerializer, Immutable, Alias("upflow.AccountCheck")]
public sealed record AccountCheck
{
    [Id(0)] public string? AccountId { get; init; }
    [Id(1)] public string? RejectionMessage { get; init; }
    /// <summary>When Stripe says the account was created (for a connected account: connected), in Unix seconds.</summary>
    [Id(2)] public long? CreatedAt { get; init; }

    public bool IsValid => AccountId is not null;

    public static AccountCheck Valid(string accountId, long? createdAt) => new() { AccountId = accountId, CreatedAt = createdAt };
    public static AccountCheck Rejected(string stripeMessage) => new() { RejectionMessage = stripeMessage };
}

public enum PayStatus
{
    Paid,
    /// <summary>Stripe answered 4xx (already paid, void, draft, not found, …): retrying cannot help.</summary>
    Refused,
    /// <summary>Transient failures (429, 5xx, timeouts, network) outlasted the retry budget: try again later.</summary>
    Failed,
}

/// <summary>The result of marking an invoice paid out of band.</summary>
[GenerateSerializer, Immutable, Alias("upflow.PayOutcome")]
public sealed record PayOutcome
{
    [Id(0)] public PayStatus Status { get; init; }
    /// <summary>Stripe's message for <see cref="PayStatus.Refused"/>; a safe reason (no secret, no body) for <see cref="PayStatus.Failed"/>.</summary>
    [Id(1)] public string? Message { get; init; }
    /// <summary>For <see cref="PayStatus.Paid"/>: the invoice Stripe returned, already paid.</summary>
    [Id(2)] public Sync.InvoiceSnapshot? Invoice { get; init; }

    public static PayOutcome Paid { get; } = new() { Status = PayStatus.Paid };
    public static PayOutcome PaidWith(Sync.InvoiceSnapshot? invoice) => new() { Status = PayStatus.Paid, Invoice = invoice };
    public static PayOutcome Refused(string stripeMessage) => new() { Status = PayStatus.Refused, Message = stripeMessage };
    public static PayOutcome Failed(string reason) => new() { Status = PayStatus.Failed, Message = reason };
}

/// <summary>Stripe stayed unreachable (429, 5xx, timeouts, network) beyond the retry budget. The message is safe to store and show.</summary>
public sealed class StripeUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Stripe refused the key (401/403) during a call other than the account check: nothing helps until the user reconnects.</summary>
public sealed class StripeKeyRejectedException(string stripeMessage, Exception? inner = null) : Exception(stripeMessage, inner);

/// <summary>Stripe refused a read request (a 4xx other than 401/403/429), e.g. an unknown cursor. The message is Stripe's.</summary>
public sealed class StripeRequestRefusedException(int statusCode, string stripeMessage, Exception? inner = null) : Exception(stripeMessage, inner)
{
    public int StatusCode { get; } = statusCode;
}
