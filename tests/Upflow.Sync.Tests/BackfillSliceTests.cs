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

    [Fact]
    public void An_open_range_is_halved_from_the_account_creation_and_its_older_half_stays_open()
    {
        var slice = new BackfillSlice { After = "in_last" };

        var older = slice.SplitOlderHalf(1_700_000_000L, oldestExpected: 1_600_000_000L);

        Assert.Equal(1_650_000_000L, slice.From);
        Assert.Equal(1_650_000_000L, older!.Before);
        // Objects older than the account (a connected account's "created" is when it was connected)
        // still belong to a slice.
        Assert.Null(older.From);
        Assert.True(older.Contains(1_000_000_000L));
    }

    [Theory]
    [InlineData(1_700_000_000L)]
    [InlineData(1_800_000_000L)]
    public void An_account_created_after_the_data_is_ignored(long accountCreated)
    {
        var slice = new BackfillSlice { After = "in_last" };

        var older = slice.SplitOlderHalf(1_700_000_000L, accountCreated);

        Assert.Equal(850_000_000L, slice.From);
        Assert.Null(older!.From);
    }

    [Fact]
    public void A_bounded_range_is_halved_within_its_bounds_whatever_the_account_creation()
    {
        var slice = new BackfillSlice { From = 1_690_000_000L, After = "in_last" };

        var older = slice.SplitOlderHalf(1_700_000_000L, 1_600_000_000L);

        Assert.Equal(1_695_000_000L, slice.From);
        Assert.Equal(1_690_000_000L, older!.From);
    }

    // A page spanning 100 seconds: the pages left are the seconds left over 100.
    [Theory]
    [InlineData(1_699_999_000L, null, 10L)]
    [InlineData(null, 1_699_990_000L, 100L)]
    [InlineData(1_699_999_000L, 1_600_000_000L, 10L)]
    [InlineData(null, null, null)]
    [InlineData(null, 1_700_000_000L, null)]
    public void Pages_left_are_estimated_from_the_last_page_density(long? from, long? accountCreated, long? pagesLeft)
    {
        var slice = new BackfillSlice { From = from, After = "in_last" };

        Assert.Equal(pagesLeft, slice.PagesLeft(1_700_000_100L, 1_700_000_000L, accountCreated));
    }
}
