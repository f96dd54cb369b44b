using System.Net;
using Cream.Api.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Cream.Api.Tests.Common;

/// <summary>Auth events are logged with stable ids and levels, and no log line carries a secret.</summary>
public abstract class LoggingTests(CreamApiFactory factory)
{
    [Fact]
    public async Task Auth_events_are_logged_with_their_ids_and_no_secret_reaches_any_log()
    {
        var client = factory.CreateClient();
        factory.Logs.Clear();

        var user = await client.SignupAsync(password: "unguessable-password-42");
        var login = await client.LoginAsync(user.Email, user.Password);
        using var failed = await client.PostLoginFormAsync(user.Email, "another-secret-password");
        var forged = login.AccessToken[..^4] + "AAAA";
        using var invalid = await factory.CreateClient(forged).GetAsync("/api/auth/me");
        using var forbidden = await factory.CreateClient(login.AccessToken).GetAsync("/api/stock-data/track");

        Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, invalid.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        var records = factory.Logs.GetSnapshot();
        AssertLogged(records, 1000, "UserSignedUp", LogLevel.Information);
        AssertLogged(records, 1001, "LoginSucceeded", LogLevel.Information);
        AssertLogged(records, 1002, "LoginFailed", LogLevel.Warning);
        AssertLogged(records, 1010, "InvalidToken", LogLevel.Warning);
        AssertLogged(records, 1011, "AdminAccessForbidden", LogLevel.Warning);

        string[] secrets =
        [
            user.Password, "another-secret-password", factory.JwtSecret,
            user.AccessToken, login.AccessToken, forged,
            login.AccessToken.Split('.')[2], forged.Split('.')[2],
        ];
        foreach (var record in records)
        {
            var text = string.Join(" | ", new[] { record.Message, record.Exception?.ToString() ?? string.Empty }
                .Concat(record.StructuredState?.Select(pair => $"{pair.Key}={pair.Value}") ?? []));
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            }
        }
    }

    private static void AssertLogged(IReadOnlyList<Microsoft.Extensions.Logging.Testing.FakeLogRecord> records, int id, string name, LogLevel level)
    {
        var matching = records.Where(r => r.Id.Id == id && r.Id.Name == name).ToList();
        Assert.NotEmpty(matching);
        Assert.All(matching, record => Assert.Equal(level, record.Level));
    }
}

public sealed class SqliteLoggingTests(SqliteApiFactory factory) : LoggingTests(factory), IClassFixture<SqliteApiFactory>;

public sealed class PostgresLoggingTests(PostgresApiFactory factory) : LoggingTests(factory), IClassFixture<PostgresApiFactory>;
