using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Cream.Api.Auth;
using Cream.Api.Auth.Revocation;
using Cream.Api.Common;
using Cream.Api.Tests.Admin;
using Cream.Api.Tests.BruteForce;
using Cream.Api.Tests.Infrastructure;
using Cream.Api.Tests.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Cream.Api.Tests.Accounts;

/// <summary>
/// Deleting an account, by its owner (<c>DELETE /api/auth/me</c>) or by an admin
/// (<c>DELETE /api/admin/users/{id}</c>), through HTTP (docs/decisions/0016-account-deletion.md).
/// </summary>
public abstract class AccountDeletionTests(CreamApiFactory factory)
{
    private const int FreeFailures = 5;

    [Fact]
    public async Task Deleting_your_own_account_ends_every_token_and_session_and_keeps_its_audit_rows_and_tracking_requests_unlinked()
    {
        var user = await factory.CreateClient().SignupAsync();
        var other = await factory.CreateClient().LoginAsync(user.Email, user.Password);
        using var owner = factory.CreateClient(user.AccessToken);
        var symbol = "Z" + Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).Replace('0', 'Q');
        using (var track = await owner.PostAsJsonAsync("/api/stock-data/track", new { symbol }))
        {
            Assert.Equal(HttpStatusCode.OK, track.StatusCode);
        }

        using var deleted = await owner.DeleteMeAsync(user.Password);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var login = await factory.CreateClient().PostLoginFormAsync(user.Email, user.Password);
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        Assert.Equal("Incorrect email or password", await login.DetailAsync());
        foreach (var tokens in new[] { user.Tokens, other })
        {
            await factory.AssertRefusedAsync(tokens.AccessToken);
            Assert.Equal(HttpStatusCode.Unauthorized, await factory.SessionsStatusAsync(tokens.AccessToken));
            await factory.AssertRefreshRefusedAsync(tokens.RefreshToken);
        }

        Assert.False(await factory.UserExistsAsync(user.Id));
        var sessionIds = new[] { SessionApi.SessionIdOf(user.AccessToken), SessionApi.SessionIdOf(other.AccessToken) };
        Assert.Equal(0, await factory.WithDbAsync(db => db.Sessions.CountAsync(s => s.UserId == user.Id || sessionIds.Contains(s.Id))));
        Assert.Equal(0, await factory.WithDbAsync(db => db.RefreshTokens.CountAsync(t => sessionIds.Contains(t.SessionId))));
        var audit = await factory.AuditOfAsync(user.Id);
        Assert.Equal(["signup", "login"], audit.Take(2).Select(e => e.Type));
        var deletion = Assert.Single(audit, e => e.Type == "account_deleted");
        Assert.Equal(("success", sessionIds[0], (Guid?)null), (deletion.Outcome, deletion.SessionId, deletion.ActorId));
        var request = await factory.WithDbAsync(db => db.TrackingRequests
            .SingleAsync(r => db.TrackedStocks.Any(s => s.Id == r.TrackedStockId && s.Symbol == symbol)));
        Assert.Null(request.UserId);
        Assert.Empty(await factory.WhereStoredAsync(user.Email)); // not in the audit rows, not anywhere
    }

    [Fact]
    public async Task The_email_signs_up_again_at_once_and_the_old_tokens_do_not_work_for_the_new_account()
    {
        var user = await factory.CreateClient().SignupAsync();
        using (var deleted = await factory.CreateClient(user.AccessToken).DeleteMeAsync(user.Password))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using var again = await factory.CreateClient().PostSignupAsync(user.Email, user.Password);

        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        var fresh = user with { Tokens = (await again.Content.ReadFromJsonAsync<TokenBody>())! };
        Assert.NotEqual(user.Id, fresh.Id);
        await factory.AssertAcceptedAsync(fresh.AccessToken);
        await factory.AssertRefusedAsync(user.AccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, await factory.SessionsStatusAsync(user.AccessToken));
        await factory.AssertRefreshRefusedAsync(user.RefreshToken);
        await factory.CreateClient().RefreshAsync(fresh.RefreshToken);
    }

    [Fact]
    public async Task A_wrong_password_answers_400_deletes_nothing_and_is_audited()
    {
        var user = await factory.CreateClient().SignupAsync();
        using var owner = factory.CreateClient(user.AccessToken);

        using var wrong = await owner.DeleteMeAsync("not the password");

        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal(DeletionApi.PasswordIncorrect, await wrong.DetailAsync());
        Assert.True(await factory.UserExistsAsync(user.Id));
        await factory.AssertAcceptedAsync(user.AccessToken);
        await factory.CreateClient().RefreshAsync(user.RefreshToken);
        var refused = Assert.Single(await factory.AuditOfAsync(user.Id), e => e.Type == "account_deleted");
        Assert.Equal(("failure", "wrong_password"), (refused.Outcome, refused.Reason));
    }

    [Fact]
    public async Task Wrong_passwords_back_off_like_failed_logins_and_share_their_backoff()
    {
        var user = await factory.CreateClient().SignupAsync();
        using var owner = factory.CreateClient(user.AccessToken);
        var answers = new List<HttpStatusCode>();
        for (var guess = 0; guess < FreeFailures + 3; guess++)
        {
            using var wrong = await owner.DeleteMeAsync($"guess number {guess}");
            answers.Add(wrong.StatusCode);
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.BadRequest, FreeFailures), answers.Take(FreeFailures));
        Assert.All(answers.Skip(FreeFailures), status => Assert.Equal(HttpStatusCode.TooManyRequests, status));
        using var right = await owner.DeleteMeAsync(user.Password);
        Assert.Equal(1, await BruteForceApi.AssertTooManyAttemptsAsync(right)); // even the right one, until the wait is over
        using var login = await factory.CreateClient().PostLoginFormAsync(user.Email, user.Password);
        Assert.Equal(HttpStatusCode.TooManyRequests, login.StatusCode); // one backoff for every check of this password
        Assert.True(await factory.UserExistsAsync(user.Id));

        factory.Time.Advance(TimeSpan.FromSeconds(1));
        using var deleted = await owner.DeleteMeAsync(user.Password);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("{}")]
    [InlineData("""{"password":null}""")]
    [InlineData("""{"password":""}""")]
    public async Task A_missing_password_answers_422_and_counts_nothing(string? body)
    {
        var user = await factory.CreateClient().SignupAsync();
        using var owner = factory.CreateClient(user.AccessToken);

        for (var attempt = 0; attempt < FreeFailures + 1; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, "/api/auth/me");
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }

            using var response = await owner.SendAsync(request);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            Assert.Equal("The password is required.", await response.DetailAsync());
        }

        Assert.True(await factory.UserExistsAsync(user.Id));
        await factory.CreateClient().LoginAsync(user.Email, user.Password); // no backoff: nothing was guessed
    }

    [Theory]
    [InlineData("""{"password":"x""", HttpStatusCode.BadRequest)]
    [InlineData("""{"password":12345678}""", HttpStatusCode.BadRequest)]
    [InlineData("""["correct horse battery"]""", HttpStatusCode.BadRequest)]
    public async Task Malformed_bodies_answer_4xx_problem_details_and_delete_nothing(string body, HttpStatusCode expected)
    {
        var user = await factory.CreateClient().SignupAsync();
        using var owner = factory.CreateClient(user.AccessToken);
        using var request = new HttpRequestMessage(HttpMethod.Delete, "/api/auth/me") { Content = new StringContent(body, Encoding.UTF8, "application/json") };

        using var response = await owner.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        Assert.False(string.IsNullOrEmpty(await response.DetailAsync()));
        Assert.True(await factory.UserExistsAsync(user.Id));
    }

    [Fact]
    public async Task An_oversized_password_is_a_wrong_one()
    {
        var user = await factory.CreateClient().SignupAsync();

        using var response = await factory.CreateClient(user.AccessToken).DeleteMeAsync(new string('p', 20_000));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(DeletionApi.PasswordIncorrect, await response.DetailAsync());
        Assert.True(await factory.UserExistsAsync(user.Id));
    }

    [Fact]
    public async Task An_admin_deletes_a_user_audited_with_the_admin_as_actor_counted_and_logged_then_404()
    {
        var admin = await factory.CreateAdminAsync();
        var user = await factory.CreateUserAsync("admin"); // another admin: its token reached admin endpoints
        using var asAdmin = factory.CreateClient(admin.AccessToken);
        using var deletions = new MetricCollector<long>(factory.Services.GetRequiredService<IMeterFactory>(), AuthMetrics.MeterName, "cream.auth.account_deletions");

        using var deleted = await asAdmin.DeleteUserAsync(user.Id);
        using var again = await asAdmin.DeleteUserAsync(user.Id);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal("User not found", await again.DetailAsync());
        Assert.False(await factory.UserExistsAsync(user.Id));
        using var adminCall = await factory.CreateClient(user.AccessToken).GetAsync("/api/admin/users?page_size=1");
        Assert.Equal(HttpStatusCode.Unauthorized, adminCall.StatusCode);
        await factory.AssertRefreshRefusedAsync(user.RefreshToken);
        var row = Assert.Single(await factory.AuditOfAsync(user.Id), e => e.Type == "user_deleted");
        Assert.Equal(("success", (Guid?)admin.Id), (row.Outcome, row.ActorId));
        Assert.Equal(Assert.Single(deleted.Headers.GetValues(HttpHardening.RequestIdHeader)), row.RequestId);
        Assert.Equal([("success", "admin")], deletions.GetMeasurementSnapshot().Select(m => ((string?)m.Tags["outcome"], (string?)m.Tags["by"])));
        var line = Assert.Single(factory.Logs.GetSnapshot(), r => r.Id.Name == "UserDeleted" && r.Message.Contains(user.Id.ToString(), StringComparison.Ordinal));
        Assert.Equal($"User {user.Id} deleted by {admin.Id}", line.Message);
    }

    [Fact]
    public async Task Deleting_an_unknown_id_is_404_and_a_plain_user_is_refused_403()
    {
        using var asAdmin = factory.CreateClient((await factory.CreateAdminAsync()).AccessToken);
        var user = await factory.CreateClient().SignupAsync();

        using var unknown = await asAdmin.DeleteUserAsync(Guid.NewGuid());
        using var notAdmin = await factory.CreateClient(user.AccessToken).DeleteUserAsync(user.Id);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("User not found", await unknown.DetailAsync());
        Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
        Assert.True(await factory.UserExistsAsync(user.Id));
    }

    [Fact]
    public async Task The_only_active_admin_cannot_delete_itself_either_way_and_nothing_changes()
    {
        var admin = await factory.OnlyAdminAsync();
        using var client = factory.CreateClient(admin.AccessToken);

        using var self = await client.DeleteMeAsync(admin.Password);
        using var byId = await client.DeleteUserAsync(admin.Id);

        foreach (var response in new[] { self, byId })
        {
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            Assert.Equal(DeletionApi.LastAdministrator, await response.DetailAsync());
        }

        Assert.True(await factory.UserExistsAsync(admin.Id));
        using var stillAdmin = await client.GetAsync("/api/admin/users?page_size=1");
        Assert.Equal(HttpStatusCode.OK, stillAdmin.StatusCode);
        await factory.CreateClient().RefreshAsync(admin.RefreshToken);
        var refusals = (await factory.AuditOfAsync(admin.Id)).Where(e => e.Type == "last_admin_refused").ToList();
        Assert.Equal(2, refusals.Count);
        Assert.All(refusals, e => Assert.Equal(("failure", "delete", (Guid?)admin.Id), (e.Outcome, e.Reason, e.ActorId)));
    }

    [Fact]
    public async Task Of_two_admins_one_may_delete_itself_and_then_the_other_may_not()
    {
        var admin = await factory.OnlyAdminAsync();
        var other = await factory.CreateAdminAsync();

        using var deleted = await factory.CreateClient(other.AccessToken).DeleteMeAsync(other.Password);
        using var refused = await factory.CreateClient(admin.AccessToken).DeleteMeAsync(admin.Password);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.False(await factory.UserExistsAsync(other.Id));
        Assert.True(await factory.UserExistsAsync(admin.Id));
    }

    [Fact]
    public async Task A_deleted_users_tokens_stay_refused_through_a_resync_and_its_tombstone_goes_once_they_have_expired()
    {
        var user = await factory.CreateUserAsync("admin");
        using (var deleted = await factory.CreateClient((await factory.CreateAdminAsync()).AccessToken).DeleteUserAsync(user.Id))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        // The user's row is gone, so only the tombstone can tell the resync about it. (A resync
        // keeps what arrived after it started; on the test clock, "after" needs the clock to move.)
        factory.Time.Advance(TimeSpan.FromSeconds(1));
        await factory.Services.GetRequiredService<RevocationSync>().ReloadAsync(CancellationToken.None);

        using var adminCall = await factory.CreateClient(user.AccessToken).GetAsync("/api/admin/users?page_size=1");
        Assert.Equal(HttpStatusCode.Unauthorized, adminCall.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await factory.SessionsStatusAsync(user.AccessToken));

        // Past the last token's expiry (30 minutes, the skew and a margin), the next deletion clears the tombstone.
        factory.Time.Advance(TimeSpan.FromMinutes(32) + TimeSpan.FromSeconds(1));
        var later = await factory.CreateClient().SignupAsync();
        using (var deleted = await factory.CreateClient((await factory.CreateAdminAsync()).AccessToken).DeleteUserAsync(later.Id))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        var tombstones = await factory.WithDbAsync(db => db.DeletedUsers.Select(d => d.UserId).ToListAsync());
        Assert.Contains(later.Id, tombstones);
        Assert.DoesNotContain(user.Id, tombstones);
    }

    [Fact]
    public async Task Where_the_service_reads_the_user_a_deleted_users_token_fails_even_with_its_revocation_forgotten()
    {
        var user = await factory.CreateClient().SignupAsync();
        using (var deleted = await factory.CreateClient(user.AccessToken).DeleteMeAsync(user.Password))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        // Arrangement: the tombstone removed and the state reloaded, as if the revocation had never reached this instance.
        await factory.WithDbAsync(db => db.DeletedUsers.Where(d => d.UserId == user.Id).ExecuteDeleteAsync());
        factory.Time.Advance(TimeSpan.FromSeconds(1));
        await factory.Services.GetRequiredService<RevocationSync>().ReloadAsync(CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, await factory.SessionsStatusAsync(user.AccessToken)); // the revocation state no longer refuses it

        await factory.AssertRefusedAsync(user.AccessToken, description: "The account is disabled"); // the profile is read from the database
        await factory.AssertRefreshRefusedAsync(user.RefreshToken);
        using var again = await factory.CreateClient(user.AccessToken).DeleteMeAsync(user.Password);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
    }
}

public sealed class SqliteAccountDeletionTests(SqliteApiFactory factory) : AccountDeletionTests(factory), IClassFixture<SqliteApiFactory>;

public sealed class PostgresAccountDeletionTests(PostgresApiFactory factory) : AccountDeletionTests(factory), IClassFixture<PostgresApiFactory>;
