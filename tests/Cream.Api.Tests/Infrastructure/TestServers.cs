using System.Net;
using System.Net.Sockets;

namespace Cream.Api.Tests.Infrastructure;

/// <summary>
/// The throwaway servers <c>scripts/test.sh</c> starts. Tests that need them carry
/// <see cref="NeedsFromTestScriptAttribute"/>: skipped (saying how to run them) under a plain
/// <c>dotnet test</c>, run and failing loudly when the script's servers do not answer.
/// </summary>
public static class TestServers
{
    public const string PostgresVariable = "CREAM_TEST_POSTGRES";
    public const string RedisVariable = "CREAM_TEST_REDIS";

    /// <summary>Set by <c>scripts/test.sh</c>: nothing is skipped then.</summary>
    public static bool Required => Environment.GetEnvironmentVariable("CREAM_TEST_REQUIRE_SERVERS") == "1";

    /// <summary>
    /// True when <paramref name="fixture"/> needs what only the script provides and this run has
    /// none of it: its tests are skipped, so it must not start (nor fail while cleaning up).
    /// </summary>
    public static bool SkippedHere(object fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        return !Required && fixture.GetType().GetCustomAttributes(typeof(NeedsFromTestScriptAttribute), inherit: true)
            .Cast<NeedsFromTestScriptAttribute>()
            .Any(mark => mark.Missing().Any());
    }

    public static string PostgresAdminConnectionString =>
        Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{PostgresVariable} is not set: run scripts/test.sh, which starts a throwaway PostgreSQL for these tests.");

    public static string RedisConfiguration =>
        Environment.GetEnvironmentVariable(RedisVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{RedisVariable} is not set: run scripts/test.sh, which starts a throwaway Redis for these tests.");

    /// <summary>A loopback port that was free a moment ago (bound, then released), for a server to listen on.</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
