namespace Upflow.Orleans.Tests.Infrastructure;

public static class Eventually
{
    /// <summary>
    /// Polls until the condition holds. Errors other than failed assertions are retried: in cluster
    /// tests a grain call can fail while the membership notices a killed silo and the grain moves.
    /// </summary>
    public static async Task Until(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            try { if (await condition()) return; }
            catch (Exception exception) when (exception is not Xunit.Sdk.XunitException) { }
            await Task.Delay(200);
        }
        Assert.Fail($"Timed out waiting for {what}.");
    }
}
