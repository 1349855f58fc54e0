namespace Upflow.Sync.Tests;

public class SnapshotOrderingTests
{
    private static readonly DateTimeOffset T = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    // Every (held, incoming) pair of Stripe invoice statuses, with the incoming snapshot
    // one second older, the same second, and one second newer than the held one.
    [Theory]
    [InlineData("draft", "draft", false, true, true)]
    [InlineData("draft", "open", true, true, true)]
    [InlineData("draft", "uncollectible", true, true, true)]
    [InlineData("draft", "paid", true, true, true)]
    [InlineData("draft", "void", true, true, true)]
    [InlineData("open", "draft", false, false, false)]
    [InlineData("open", "open", false, true, true)]
    [InlineData("open", "uncollectible", true, true, true)]
    [InlineData("open", "paid", true, true, true)]
    [InlineData("open", "void", true, true, true)]
    [InlineData("uncollectible", "draft", false, false, false)]
    [InlineData("uncollectible", "open", false, false, false)]
    [InlineData("uncollectible", "uncollectible", false, true, true)]
    [InlineData("uncollectible", "paid", true, true, true)]
    [InlineData("uncollectible", "void", true, true, true)]
    [InlineData("paid", "draft", false, false, false)]
    [InlineData("paid", "open", false, false, false)]
    [InlineData("paid", "uncollectible", false, false, false)]
    [InlineData("paid", "paid", false, true, true)]
    [InlineData("paid", "void", false, false, false)]
    [InlineData("void", "draft", false, false, false)]
    [InlineData("void", "open", false, false, false)]
    [InlineData("void", "uncollectible", false, false, false)]
    [InlineData("void", "paid", false, false, false)]
    [InlineData("void", "void", false, true, true)]
    public void Invoice_status_only_moves_forward_and_paid_or_void_are_final(
        string held, string incoming, bool appliesWhenOlder, bool appliesInSameSecond, bool appliesWhenNewer)
    {
        var current = new InvoiceStamp(T, held);

        Assert.Equal(appliesWhenOlder, SnapshotOrdering.ShouldApply(current, new InvoiceStamp(T.AddSeconds(-1), incoming)));
        Assert.Equal(appliesInSameSecond, SnapshotOrdering.ShouldApply(current, new InvoiceStamp(T, incoming)));
        Assert.Equal(appliesWhenNewer, SnapshotOrdering.ShouldApply(current, new InvoiceStamp(T.AddSeconds(1), incoming)));
    }

    [Theory]
    [InlineData("draft")]
    [InlineData("open")]
    [InlineData("uncollectible")]
    [InlineData("paid")]
    [InlineData("void")]
    public void First_snapshot_of_an_invoice_is_always_applied(string status) =>
        Assert.True(SnapshotOrdering.ShouldApply(null, new InvoiceStamp(T, status)));

    public static TheoryData<string> Histories => new()
    {
        // Stripe's own order of events for one invoice; edits within a status have later instants.
        "draft@0 open@1 open@2 uncollectible@3 paid@4 paid@6",
        "draft@0 open@1 void@1 void@5",
        "open@0 open@0 paid@0",
        "draft@0 open@0 uncollectible@0 void@0",
    };

    [Theory]
    [MemberData(nameof(Histories))]
    public void Whatever_order_snapshots_arrive_in_the_last_state_of_Stripe_wins(string history)
    {
        var snapshots = history.Split(' ').Select(Parse).ToArray();
        var truth = snapshots[^1];

        foreach (var arrival in Permutations(snapshots))
        {
            InvoiceStamp? held = null;
            foreach (var incoming in arrival)
            {
                if (SnapshotOrdering.ShouldApply(held, incoming))
                {
                    held = incoming;
                }
            }

            Assert.Equal(truth.StripeStatus, held!.Value.StripeStatus);
            Assert.Equal(truth.AsOf, held.Value.AsOf);
        }
    }

    // Customer stamps: (held asOf offset, held deleted, incoming asOf offset, incoming deleted, applies).
    [Theory]
    [InlineData(0, false, -1, false, false)]
    [InlineData(0, false, 0, false, true)]
    [InlineData(0, false, 1, false, true)]
    [InlineData(0, false, -1, true, true)]
    [InlineData(0, false, 1, true, true)]
    [InlineData(0, true, 1, false, false)]
    [InlineData(0, true, 1, true, false)]
    [InlineData(0, true, -1, false, false)]
    public void Newest_customer_snapshot_wins_and_a_deleted_customer_stays_deleted(
        int heldSecond, bool heldDeleted, int incomingSecond, bool incomingDeleted, bool applies)
    {
        var held = new CustomerStamp(T.AddSeconds(heldSecond), heldDeleted);
        var incoming = new CustomerStamp(T.AddSeconds(incomingSecond), incomingDeleted);

        Assert.Equal(applies, SnapshotOrdering.ShouldApply(held, incoming));
        Assert.True(SnapshotOrdering.ShouldApply((CustomerStamp?)null, incoming));
    }

    [Theory]
    [InlineData("open", "open", false, true, true)]
    [InlineData("open", "paid", true, true, true)]
    [InlineData("open", "canceled", true, true, true)]
    [InlineData("paid", "open", false, false, false)]
    [InlineData("paid", "paid", false, true, true)]
    [InlineData("paid", "canceled", false, false, false)]
    [InlineData("canceled", "open", false, false, false)]
    [InlineData("canceled", "paid", false, false, false)]
    [InlineData("canceled", "canceled", false, true, true)]
    public void Invoice_payment_status_only_moves_forward_and_paid_or_canceled_are_final(
        string held, string incoming, bool appliesWhenOlder, bool appliesInSameSecond, bool appliesWhenNewer)
    {
        var current = new PaymentStamp(T, held);

        Assert.Equal(appliesWhenOlder, SnapshotOrdering.ShouldApply(current, new PaymentStamp(T.AddSeconds(-1), incoming)));
        Assert.Equal(appliesInSameSecond, SnapshotOrdering.ShouldApply(current, new PaymentStamp(T, incoming)));
        Assert.Equal(appliesWhenNewer, SnapshotOrdering.ShouldApply(current, new PaymentStamp(T.AddSeconds(1), incoming)));
    }

    [Fact]
    public void An_unknown_status_is_refused_rather_than_ordered() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SnapshotOrdering.ShouldApply(null, new InvoiceStamp(T, "pending")));

    private static InvoiceStamp Parse(string text)
    {
        var parts = text.Split('@');
        return new InvoiceStamp(T.AddSeconds(int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)), parts[0]);
    }

    private static IEnumerable<T[]> Permutations<T>(T[] items)
    {
        if (items.Length <= 1)
        {
            yield return items;
            yield break;
        }

        for (var i = 0; i < items.Length; i++)
        {
            var rest = items.Where((_, j) => j != i).ToArray();
            foreach (var tail in Permutations(rest))
            {
                yield return [items[i], .. tail];
            }
        }
    }

    [Theory]
    [InlineData("open", "open", 0, true)]
    [InlineData("uncollectible", "uncollectible", 0, true)]
    [InlineData("paid", "paid", 0, true)]
    [InlineData("open", "open", 1, false)]
    [InlineData("open", "paid", 0, false)]
    [InlineData("uncollectible", "paid", 0, false)]
    public void Two_invoice_snapshots_tie_only_when_as_of_the_same_second_with_the_same_status(string replaced, string applied, int secondsLater, bool tie) =>
        Assert.Equal(tie, SnapshotOrdering.IsTie(new InvoiceStamp(T, replaced), new InvoiceStamp(T.AddSeconds(secondsLater), applied)));

    [Theory]
    [InlineData(false, false, 0, true)]
    [InlineData(false, false, 1, false)]
    [InlineData(false, true, 0, false)]
    [InlineData(true, false, 0, false)]
    [InlineData(true, true, 0, false)]
    public void Two_customer_snapshots_tie_when_as_of_the_same_second_unless_one_is_a_deletion(bool replacedDeleted, bool appliedDeleted, int secondsLater, bool tie) =>
        Assert.Equal(tie, SnapshotOrdering.IsTie(new CustomerStamp(T, replacedDeleted), new CustomerStamp(T.AddSeconds(secondsLater), appliedDeleted)));
}
