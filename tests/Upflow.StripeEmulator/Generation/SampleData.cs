namespace Upflow.StripeEmulator.Generation;

/// <summary>Vocabulary the generator draws from.</summary>
internal static class SampleData
{
    public static readonly string[] FirstNames = ["Alice", "Bruno", "Chloé", "David", "Emma", "Farid", "Greta", "Hugo", "Inès", "Jonas", "Kenji", "Léa", "Marta", "Noah", "Olga", "Paul"];
    public static readonly string[] Companies = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Wonka", "Tyrell", "Cyberdyne", "Soylent", "Vandelay"];
    public static readonly string[] Suffixes = ["SAS", "GmbH", "Ltd", "Inc", "SARL", "BV", "SpA"];
    public static readonly string[] Regions = ["EMEA", "NA", "LATAM", "APAC"];
    public static readonly string[] Countries = ["FR", "DE", "US", "GB", "ES", "IT", "NL", "BE"];
    public static readonly string[] Currencies = ["eur", "eur", "eur", "usd", "gbp"];
    public static readonly string[] CardBrands = ["visa", "visa", "mastercard", "amex", "discover"];
    public static readonly string[] BankNames = ["STRIPE TEST BANK", "CHASE", "WELLS FARGO", "BANK OF AMERICA"];
    public static readonly string[] SepaBankCodes = ["37040044", "10010010", "20041010", "50010517"];
    public static readonly string[] Separators = [", ", ";", " ", ",", " ; ", "\n"];
    public static readonly string[] InvalidAddresses = ["not-an-email", "billing@", "@example.com", "jane doe@example.com", "accounts@@example.com"];
    public static readonly string[] TaxExempt = ["none", "none", "none", "exempt", "reverse"];
}
