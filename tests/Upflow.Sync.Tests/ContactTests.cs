namespace Upflow.Sync.Tests;

public class ContactTests
{
    private static IReadOnlyDictionary<string, string> Metadata(string? to, string? cc = null)
    {
        var metadata = new Dictionary<string, string>();
        if (to is not null) metadata["Additional emails to"] = to;
        if (cc is not null) metadata["Additional emails cc"] = cc;
        return metadata;
    }

    private static string Render(ContactExtraction extraction) =>
        string.Join(" ", extraction.Contacts.Select(c => $"{c.Role}:{c.Source}:{c.Email}"));

    [Theory]
    [InlineData("ann@acme.com", null, null, "main:stripe:ann@acme.com", 0)]
    [InlineData(null, "bob@acme.com", null, "to:custom_field:bob@acme.com", 0)]
    [InlineData(null, null, "carl@acme.com", "cc:custom_field:carl@acme.com", 0)]
    [InlineData("  ann@acme.com ", null, null, "main:stripe:ann@acme.com", 0)]
    [InlineData("", "", "", "", 0)]
    public void Customer_email_is_the_main_contact_and_configured_keys_give_to_and_cc(
        string? email, string? to, string? cc, string expected, int invalid)
    {
        var extraction = ContactRules.Extract(email, Metadata(to, cc), ContactFieldSettings.Default);

        Assert.Equal(expected, Render(extraction));
        Assert.Equal(invalid, extraction.InvalidAddressesSkipped);
    }

    [Theory]
    [InlineData("a@acme.com,b@acme.com", "to:custom_field:a@acme.com to:custom_field:b@acme.com")]
    [InlineData("a@acme.com;b@acme.com", "to:custom_field:a@acme.com to:custom_field:b@acme.com")]
    [InlineData("a@acme.com b@acme.com", "to:custom_field:a@acme.com to:custom_field:b@acme.com")]
    [InlineData("a@acme.com\nb@acme.com\tc@acme.com", "to:custom_field:a@acme.com to:custom_field:b@acme.com to:custom_field:c@acme.com")]
    [InlineData(" ,; a@acme.com ;, ;b@acme.com,, ", "to:custom_field:a@acme.com to:custom_field:b@acme.com")]
    public void Addresses_are_separated_by_comma_semicolon_or_whitespace(string to, string expected)
    {
        var extraction = ContactRules.Extract(null, Metadata(to), ContactFieldSettings.Default);

        Assert.Equal(expected, Render(extraction));
        Assert.Equal(0, extraction.InvalidAddressesSkipped);
    }

    [Theory]
    [InlineData("not-an-address", "", 1)]
    [InlineData("a@b", "", 1)]
    [InlineData("a@acme", "", 1)]
    [InlineData("@acme.com", "", 1)]
    [InlineData("ann@", "", 1)]
    [InlineData("ann@@acme.com", "", 1)]
    [InlineData("ann@acme..com", "", 1)]
    [InlineData("ann@.acme.com", "", 1)]
    [InlineData("<ann@acme.com>", "", 1)]
    [InlineData("Ann <ann@acme.com>", "", 2)]
    [InlineData("ok@acme.com, nope, also@acme.fr, x@y", "to:custom_field:ok@acme.com to:custom_field:also@acme.fr", 2)]
    [InlineData("first.last+tag@sub.acme.co.uk", "to:custom_field:first.last+tag@sub.acme.co.uk", 0)]
    public void Invalid_addresses_are_skipped_and_counted(string to, string expected, int invalid)
    {
        var extraction = ContactRules.Extract(null, Metadata(to), ContactFieldSettings.Default);

        Assert.Equal(expected, Render(extraction));
        Assert.Equal(invalid, extraction.InvalidAddressesSkipped);
    }

    [Theory]
    [InlineData("ann@acme.com", "ANN@acme.com", "Ann@Acme.com", "main:stripe:ann@acme.com")]
    [InlineData(null, "bob@acme.com", "BOB@ACME.COM", "to:custom_field:bob@acme.com")]
    [InlineData(null, "x@acme.com", "bob@acme.com Bob@acme.com", "to:custom_field:x@acme.com cc:custom_field:bob@acme.com")]
    [InlineData(null, "bob@acme.com BOB@acme.com", null, "to:custom_field:bob@acme.com")]
    [InlineData("ann@acme.com", null, "ann@ACME.com", "main:stripe:ann@acme.com")]
    public void Duplicates_merge_case_insensitively_main_over_to_over_cc(string? email, string? to, string? cc, string expected)
    {
        var extraction = ContactRules.Extract(email, Metadata(to, cc), ContactFieldSettings.Default);

        Assert.Equal(expected, Render(extraction));
    }

    [Fact]
    public void Contacts_come_main_first_then_to_then_cc_in_settings_and_text_order()
    {
        var settings = new ContactFieldSettings(To: ["Billing", "Finance"], Cc: ["Sales"]);
        var metadata = new Dictionary<string, string>
        {
            ["Sales"] = "s1@acme.com s2@acme.com",
            ["Finance"] = "f1@acme.com",
            ["Billing"] = "b2@acme.com b1@acme.com",
        };

        var extraction = ContactRules.Extract("main@acme.com", metadata, settings);

        Assert.Equal(
            "main:stripe:main@acme.com to:custom_field:b2@acme.com to:custom_field:b1@acme.com "
            + "to:custom_field:f1@acme.com cc:custom_field:s1@acme.com cc:custom_field:s2@acme.com",
            Render(extraction));
    }

    [Fact]
    public void Metadata_keys_that_are_not_configured_give_no_contacts()
    {
        var metadata = new Dictionary<string, string> { ["additional emails to"] = "a@acme.com", ["Other"] = "b@acme.com" };

        var extraction = ContactRules.Extract(null, metadata, ContactFieldSettings.Default);

        Assert.Empty(extraction.Contacts);
    }

    [Fact]
    public void A_removed_address_removes_its_contact()
    {
        var before = ContactRules.Extract("m@acme.com", Metadata("a@acme.com b@acme.com"), ContactFieldSettings.Default);
        var after = ContactRules.Extract("m@acme.com", Metadata("a@acme.com"), ContactFieldSettings.Default);

        Assert.Contains(before.Contacts, c => c.Email == "b@acme.com");
        Assert.DoesNotContain(after.Contacts, c => c.Email == "b@acme.com");
    }
}
