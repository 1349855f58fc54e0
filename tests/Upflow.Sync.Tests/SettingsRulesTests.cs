namespace Upflow.Sync.Tests;

public class SettingsRulesTests
{
    private static SyncSettings With(
        string[]? to = null, string[]? cc = null, string[]? customer = null, string[]? native = null, string[]? invoice = null, string[]? payment = null) =>
        new(new ContactFieldSettings(to ?? ["Additional emails to"], cc ?? ["Additional emails cc"]),
            new CustomFieldSettings(
                new EntityFieldSettings(customer ?? [], native ?? []),
                new EntityFieldSettings(invoice ?? [], []),
                new EntityFieldSettings(payment ?? [], [])));

    [Fact]
    public void Equal_lists_built_apart_are_the_same_derivation()
    {
        Assert.True(SettingsRules.SameDerivation(SyncSettings.Default, With()));
        Assert.Equal(AffectedEntities.None, SettingsRules.Affected(With(invoice: ["PO"]), With(invoice: ["PO"])));
    }

    [Theory]
    [InlineData("to", true, false, false)]
    [InlineData("customer", true, false, false)]
    [InlineData("native", true, false, false)]
    [InlineData("invoice", false, true, false)]
    [InlineData("payment", false, false, true)]
    public void A_change_touches_only_the_entities_that_hold_its_fields(string changed, bool customers, bool invoices, bool payments)
    {
        string[] x = ["X"];
        var after = changed switch
        {
            "to" => With(to: x),
            "customer" => With(customer: x),
            "native" => With(native: ["delinquent"]),
            "invoice" => With(invoice: x),
            _ => With(payment: x),
        };

        Assert.Equal(new AffectedEntities(customers, invoices, payments), SettingsRules.Affected(SyncSettings.Default, after));
    }

    [Fact]
    public void Reordering_fields_is_a_change_because_it_reorders_customFields()
    {
        Assert.True(SettingsRules.Affected(With(invoice: ["A", "B"]), With(invoice: ["B", "A"])).Invoices);
    }

    [Fact]
    public void The_newest_settings_win_whatever_order_they_arrive_in()
    {
        var v1 = With(invoice: ["A"]) with { Version = 1 };
        var v2 = With(invoice: ["B"]) with { Version = 2 };
        Assert.Same(v2, SettingsRules.Newest(v1, v2));
        Assert.Same(v2, SettingsRules.Newest(v2, v1));
        Assert.Same(v1, SettingsRules.Newest(v1, null));
    }

    [Theory]
    [InlineData(new[] { "A" }, new[] { "B" }, 0)]
    [InlineData(new string[0], new string[0], 0)]
    [InlineData(new[] { "A" }, new[] { "A" }, 1)]
    [InlineData(new[] { "A", "A" }, new string[0], 1)]
    [InlineData(new[] { " " }, new string[0], 1)]
    [InlineData(new[] { "a key much longer than forty characters, Stripe's limit" }, new string[0], 1)]
    public void Contact_field_settings_refuse_blank_long_and_repeated_keys(string[] to, string[] cc, int problems)
    {
        Assert.Equal(problems, new ContactFieldSettings(to, cc).Validate().Count);
    }
}
