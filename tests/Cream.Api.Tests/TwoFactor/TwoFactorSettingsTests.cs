using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using Cream.Api.Auth;
using Cream.Api.Tests.Accounts;
using Cream.Api.Tests.Infrastructure;
using Cream.Api.Tests.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Cream.Api.Tests.TwoFactor;

/// <summary>Two-factor once it is on: new recovery codes, turning it off, an admin's reset, deleting the account (ADR 19).</summary>
public abstract class TwoFactorSettingsTests(CreamApiFactory factory)
{
    [Fact]
    public async Task New_recovery_codes_need_a_code_and_void_the_old_ones()
    {
        var user = await factory.CreateTwoFactorUserAsync();
        using var client = factory.CreateClient(user.User.AccessToken);

        using var wrong = await client.PostJsonAsync("/api/auth/mfa/recovery-codes", new { code = user.RecoveryCodes[0] + "x" });
        using var renewed = await client.PostJsonAsync("/api/auth/mfa/recovery-codes", new { code = factory.Code(user.Secret) });

        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, renewed.StatusCode);
        var codes = (await renewed.JsonAsync()).GetProperty("recovery_codes").EnumerateArray().Select(c => c.GetString()!).ToList();
        Assert.Equal(10, codes.Count);
        Assert.Empty(codes.Intersect(user.RecoveryCodes));
        using var mfa = factory.CreateClient();
        using var old = await mfa.PostVerifyAsync(await mfa.MfaTokenAsync(user.Email, user.Password), user.RecoveryCodes[1]);
        Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        await factory.LoginWithCodeAsync(user, codes[0]);
    }

    [Fact]
    public async Task Turning_two_factor_off_needs_the_password_and_a_code_and_ends_the_other_sessions()
    {
        var user = await factory.CreateTwoFactorUserAsync();
        var other = await factory.LoginWithCodeAsync(user);
        factory.NextStep();
        using var client = factory.CreateClient(user.User.AccessToken);

        using var noCode = await client.SendJsonAsync(HttpMethod.Delete, "/api/auth/mfa", new { password = user.Password });
        using var wrongPassword = await client.SendJsonAsync(HttpMethod.Delete, "/api/auth/mfa", new { password = "not the password at all", code = factory.Code(user.Secret) });
        using var wrongCode = await client.SendJsonAsync(HttpMethod.Delete, "/api/auth/mfa", new { password = user.Password, code = "12345" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noCode.StatusCode);
        Assert.Equal("Password is incorrect", await wrongPassword.DetailAsync());
        Assert.Equal(TwoFactorApi.InvalidCode, await wrongCode.DetailAsync());

        using var off = await client.SendJsonAsync(HttpMethod.Delete, "/api/auth/mfa", new { password = user.Password, code = factory.Code(user.Secret) });

        Assert.Equal(HttpStatusCode.NoContent, off.StatusCode);
        await factory.AssertAcceptedAsync(user.User.AccessToken);
        await factory.AssertRefusedAsync(other.AccessToken);
        await factory.AssertRefreshRefusedAsync(other.RefreshToken);
        await factory.CreateClient().LoginAsync(user.Email, user.Password);
        var row = await factory.WithDbAsync(db => db.Users.AsNoTracking().Where(u => u.Id == user.Id)
            .Select(u => new { u.TwoFactorEnabled, u.TwoFactorSecret, Codes = db.RecoveryCodes.Count(c => c.UserId == u.Id) }).SingleAsync());
        Assert.False(row.TwoFactorEnabled);
        Assert.Null(row.TwoFactorSecret);
        Assert.Equal(0, row.Codes);
        Assert.Contains(await factory.AuditOfAsync(user.Id), e => e.Type == "two_factor_disabled" && e.Outcome == "success");
    }

    [Fact]
    public async Task A_known_password_does_not_reset_the_backoff_between_guessed_codes()
    {
        var user = await factory.CreateTwoFactorUserAsync();
        using var client = factory.CreateClient(user.User.AccessToken);
        var wrong = factory.Code(user.Secret) == "123456" ? "654321" : "123456";

        var statuses = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < 6; attempt++)
        {
            using var guess = await client.SendJsonAsync(HttpMethod.Delete, "/api/auth/mfa", new { password = user.Password, code = wrong });
            statuses.Add(guess.StatusCode);
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.BadRequest, 5), HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task An_admin_turns_a_users_two_factor_off_audited_with_the_actor_and_every_session_ends()
    {
        var admin = await factory.CreateAdminAsync();
        var user = await factory.CreateTwoFactorUserAsync();
        var session = await factory.LoginWithCodeAsync(user);
        using var adminClient = factory.CreateClient(admin.AccessToken);

        using var reset = await adminClient.DeleteAsync($"/api/admin/users/{user.Id}/mfa");
        using var again = await adminClient.DeleteAsync($"/api/admin/users/{user.Id}/mfa");
        using var unknown = await adminClient.DeleteAsync($"/api/admin/users/{Guid.NewGuid()}/mfa");
        using var notAdmin = await factory.CreateClient(session.AccessToken).DeleteAsync($"/api/admin/users/{user.Id}/mfa");

        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, notAdmin.StatusCode); // its session ended with the reset
        await factory.AssertRefusedAsync(session.AccessToken);
        await factory.CreateClient().LoginAsync(user.Email, user.Password);
        var audit = Assert.Single(await factory.AuditOfAsync(user.Id), e => e.Type == "two_factor_admin_reset");
        Assert.Equal(admin.Id, audit.ActorId);
    }

    [Fact]
    public async Task Deleting_an_account_with_two_factor_needs_a_code_too()
    {
        var user = await factory.CreateTwoFactorUserAsync();
        using var client = factory.CreateClient(user.User.AccessToken);

        using var noCode = await client.DeleteMeAsync(user.Password);
        using var wrongCode = await client.SendJsonAsync(HttpMethod.Delete, "/api/auth/me", new { password = user.Password, code = "000000x" });
        Assert.Equal(HttpStatusCode.BadRequest, noCode.StatusCode);
        Assert.Equal(TwoFactorApi.MfaRequired, await noCode.DetailAsync());
        Assert.Equal(TwoFactorApi.InvalidCode, await wrongCode.DetailAsync());
        Assert.True(await factory.UserExistsAsync(user.Id));

        using var deleted = await client.SendJsonAsync(HttpMethod.Delete, "/api/auth/me", new { password = user.Password, code = factory.Code(user.Secret) });

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.False(await factory.UserExistsAsync(user.Id));
        Assert.Equal(0, await factory.WithDbAsync(db => db.RecoveryCodes.CountAsync(c => c.UserId == user.Id)));
    }

    [Fact]
    public async Task Audit_rows_and_metrics_record_setup_verification_failures_and_recovery_codes()
    {
        using var collector = new MetricCollector<long>(factory.Services.GetRequiredService<IMeterFactory>(), AuthMetrics.MeterName, "cream.auth.two_factor");
        var user = await factory.CreateTwoFactorUserAsync();
        using var client = factory.CreateClient();
        var mfaToken = await client.MfaTokenAsync(user.Email, user.Password);
        using (var wrong = await client.PostVerifyAsync(mfaToken, "abcd-efgh-ijkl-mnop"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using (var right = await client.PostVerifyAsync(mfaToken, user.RecoveryCodes[2]))
        {
            Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        }

        var types = (await factory.AuditOfAsync(user.Id)).Select(e => e.Type).ToList();
        Assert.Subset(new HashSet<string>(types), new HashSet<string> { "two_factor_setup", "two_factor_enabled", "two_factor_challenge", "two_factor_failed", "recovery_code_used", "login" });
        var events = collector.GetMeasurementSnapshot().Select(m => (string)m.Tags["event"]!).ToHashSet();
        Assert.Subset(events, new HashSet<string> { "setup", "enabled", "challenged", "failed_code", "verified", "recovery_code_used" });
    }
}

public sealed class SqliteTwoFactorSettingsTests(SqliteApiFactory factory) : TwoFactorSettingsTests(factory), IClassFixture<SqliteApiFactory>;

public sealed class PostgresTwoFactorSettingsTests(PostgresApiFactory factory) : TwoFactorSettingsTests(factory), IClassFixture<PostgresApiFactory>;
