using Upflow.Orleans.Accounts;

namespace Upflow.Sync.Tests;

public class BackfillSliceTests
{
    // A slice with these bounds (null = open) whose last page ended at `last`: after the split, every
    // second it had left lies in exactly one of the two slices, and nothing newer than `last` is re-read.
    [Theory]
    [InlineData(null, null, 1_700_000_000L)]
    [InlineData(1_600_000_000L, null, 1_700_000_000L)]
    [InlineData(1_600_000_000L, 1_700_000_100L, 1_700_000_000L)]
    [InlineData(100L, 200L, 103L)]
    [InlineData(100L, 200L, 102L)]
    public void A_split_leaves_every_second_the_slice_had_left_in_exactly_one_slice(long? from, long? before, long last)
    {
        var slice = new BackfillSlice { From = from, Before = before, After = "cus_last" };

        var older = slice.SplitOlderHalf(last);

        Assert.NotNull(older);
        Assert.Equal("cus_last", slice.After);
        Assert.Null(older.After);
        Assert.Equal(from, older.From);
        Assert.Equal(older.Before, slice.From);
        Assert.True(slice.From > (from ?? 0) && slice.From <= last);
        var first = from ?? 0;
        foreach (var second in new[] { first, first + 1, older.Before!.Value - 1, older.Before.Value, older.Before.Value + 1, last - 1, last })
            Assert.True(older.Contains(second) ^ slice.Contains(second), $"second {second} is in {(older.Contains(second) ? "both slices" : "neither slice")}");
        Assert.True(slice.Contains(last));
    }

    [Theory]
    [InlineData(100L, 100L)]
    [InlineData(100L, 101L)]
    public void A_range_under_two_seconds_is_not_split(long from, long last)
    {
        var slice = new BackfillSlice { From = from, After = "in_last" };

        Assert.Null(slice.SplitOlderHalf(last));
        Assert.Equal(from, slice.From);
    }
}
