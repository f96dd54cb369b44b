using System.Net;
using Cream.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Cream.Api.Tests.Audit;

/// <summary>A failed audit write is reported loudly and never fails, or undoes, the action it records.</summary>
public abstract class AuditWriteFailureTests(CreamApiFactory factory)
{
    [Fact]
    public async Task When_the_trail_cannot_be_written_signup_login_and_logout_still_work_and_the_failure_is_logged_as_an_error()
    {
        // This class's own service: its trail table is gone, as a broken migration or a revoked grant would leave it.
        await factory.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("DROP TABLE auth_events"));
        factory.Logs.Clear();
        using var client = factory.CreateClient();

        var user = await client.SignupAsync();
        var login = await client.LoginAsync(user.Email);
        using var logout = await factory.CreateClient(login.AccessToken).PostAsync("/api/auth/logout", null);

        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.OK, await MeStatusAsync(user.AccessToken));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeStatusAsync(login.AccessToken));
        var failures = factory.Logs.GetSnapshot().Where(r => r.Id.Id == 3000).ToList();
        Assert.Equal(3, failures.Count); // signup, login, logout
        Assert.All(failures, r => Assert.Equal(LogLevel.Error, r.Level));
    }

    private async Task<HttpStatusCode> MeStatusAsync(string accessToken)
    {
        using var response = await factory.CreateClient(accessToken).GetAsync("/api/auth/me");
        return response.StatusCode;
    }
}

public sealed class SqliteAuditWriteFailureTests(SqliteApiFactory factory) : AuditWriteFailureTests(factory), IClassFixture<SqliteApiFactory>;

public sealed class PostgresAuditWriteFailureTests(PostgresApiFactory factory) : AuditWriteFailureTests(factory), IClassFixture<PostgresApiFactory>;
