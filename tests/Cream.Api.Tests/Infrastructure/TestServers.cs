namespace Cream.Api.Tests.Infrastructure;

/// <summary>
/// The throwaway servers <c>scripts/test.sh</c> starts. Without them the PostgreSQL half of the
/// suite fails with a message that says how to run it; it never silently skips.
/// </summary>
public static class TestServers
{
    public static string PostgresAdminConnectionString =>
        Environment.GetEnvironmentVariable("CREAM_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "CREAM_TEST_POSTGRES is not set: run scripts/test.sh, which starts a throwaway PostgreSQL for these tests.");

    public static string RedisConfiguration =>
        Environment.GetEnvironmentVariable("CREAM_TEST_REDIS") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "CREAM_TEST_REDIS is not set: run scripts/test.sh, which starts a throwaway Redis for these tests.");
}
