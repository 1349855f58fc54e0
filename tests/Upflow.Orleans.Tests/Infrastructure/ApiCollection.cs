namespace Upflow.Orleans.Tests.Infrastructure;

/// <summary>API test classes share one host: starting a silo per class would dominate the run time.</summary>
[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<UpflowApp>
{
    public const string Name = "api";
}
