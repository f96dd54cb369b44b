using System.Text.RegularExpressions;
using Cream.Api.Tests.Infrastructure;
using Cream.Api.Tests.ScaleOut;
using Npgsql;

namespace Cream.Api.Tests.Keys;

/// <summary>
/// <c>rotate-key</c> run beside a deployment: every running instance publishes the new key at
/// once, not at its next resync, and the command says so.
/// </summary>
[Collection(RedisOutageGroup.Name)]
[NeedsTestServers]
public sealed partial class KeyRotationAnnouncementTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_rotated_key_is_in_every_instances_jwks_within_two_seconds()
    {
        var database = $"cream_rotate_{Guid.NewGuid():N}";
        // A resync an hour away: only the announcement can bring the key in time.
        var settings = new Dictionary<string, string?> { ["Jwt:Algorithm"] = "ES256", ["Revocation:ResyncSeconds"] = "3600" };
        var a = new PostgresApiFactory { DatabaseName = database, RedisConfiguration = TestServers.RedisConfiguration, Settings = settings };
        var b = new PostgresApiFactory { DatabaseName = database, RedisConfiguration = TestServers.RedisConfiguration, Settings = settings, OwnsDatabase = false };
        await a.InitializeAsync();
        await b.InitializeAsync();
        try
        {
            var before = await KeyIdsAsync(b);
            var environment = new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["ConnectionStrings__Cream"] = new NpgsqlConnectionStringBuilder(TestServers.PostgresAdminConnectionString) { Database = database }.ConnectionString,
                ["Redis__Configuration"] = TestServers.RedisConfiguration,
                ["Jwt__Algorithm"] = "ES256",
                ["Revocation__ResyncSeconds"] = "3600",
            };

            var result = await ServiceProcess.RunAsync(_folder.Path, environment, "rotate-key");

            Assert.Equal(0, result.ExitCode);
            Assert.Contains("running instances publish it now", result.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("1 previous key(s) verify until", result.StandardOutput, StringComparison.Ordinal);
            var added = AddedKey().Match(result.StandardOutput).Groups[1].Value;
            Assert.DoesNotContain(added, before);
            foreach (var instance in new[] { a, b })
            {
                var published = await TwoInstances.WaitUntilAsync(async () => (await KeyIdsAsync(instance)).Contains(added), TimeSpan.FromSeconds(2));
                Assert.NotNull(published);
            }

            // The old key still signs until the new one activates: nobody notices the rotation.
            var user = await a.CreateClient().SignupAsync();
            Assert.Equal(System.Net.HttpStatusCode.OK, (await b.CreateClient(user.AccessToken).GetAsync("/api/auth/me")).StatusCode);
        }
        finally
        {
            await ((IAsyncLifetime)b).DisposeAsync();
            await ((IAsyncLifetime)a).DisposeAsync();
        }
    }

    [Fact]
    public async Task The_first_key_of_an_empty_database_signs_at_once_and_the_command_says_so()
    {
        var database = Path.Combine(_folder.Path, "keys.db");
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__Cream"] = $"Data Source={database}",
            ["Jwt__Algorithm"] = "ES256",
        };
        Assert.Equal(0, (await ServiceProcess.RunAsync(_folder.Path, environment, "migrate")).ExitCode);

        var result = await ServiceProcess.RunAsync(_folder.Path, environment, "rotate-key");

        Assert.Equal(0, result.ExitCode);
        // The last line is the command's (Data Protection may warn first that its new key is stored unencrypted).
        var outcome = result.StandardOutput.Trim().Split('\n')[^1];
        Assert.Matches("^Added signing key \\S+ \\(ES256\\): there was no key before it, so it signs at once\\.$", outcome);
        Assert.DoesNotContain("previous", result.StandardOutput, StringComparison.Ordinal);
    }

    private static async Task<List<string>> KeyIdsAsync(CreamApiFactory instance)
    {
        using var response = await instance.CreateClient().GetAsync("/.well-known/jwks.json");
        return (await response.JsonAsync()).GetProperty("keys").EnumerateArray().Select(key => key.GetProperty("kid").GetString()!).ToList();
    }

    [GeneratedRegex(@"Added signing key (\S+) ")]
    private static partial Regex AddedKey();
}
