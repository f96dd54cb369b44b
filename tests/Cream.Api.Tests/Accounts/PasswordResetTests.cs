using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Cream.Api.Auth.Passwords;
using Cream.Api.Tests.Email;
using Cream.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Tests.Accounts;

/// <summary>Forgot-password and reset over real SMTP: one answer for every email, one use per link, everything ended after.</summary>
public abstract class PasswordResetTests(MailFixture mail)
{
    private const string NewPassword = "a completely new passphrase";
    private readonly HttpClient _client = mail.Factory.CreateClient();

    [Fact]
    public async Task Known_and_unknown_emails_get_the_same_answer_and_only_the_account_gets_mail()
    {
        var user = await _client.SignupAsync(ApiHelpers.NewEmail("forgot"));
        var unknown = ApiHelpers.NewEmail("nobody");

        using var known = await _client.ForgotPasswordAsync(user.Email);
        using var stranger = await _client.ForgotPasswordAsync(unknown);

        Assert.Equal(HttpStatusCode.Accepted, known.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, stranger.StatusCode);
        var body = await known.Content.ReadAsStringAsync();
        Assert.Equal("""{"message":"If that account exists, we sent a reset link"}""", body);
        Assert.Equal(body, await stranger.Content.ReadAsStringAsync());
        await mail.TokenAsync(user.Email, "reset-password");
        await mail.SettleAsync();
        Assert.Equal(0, mail.CountTo(unknown));
    }

    [Fact]
    public async Task A_reset_sets_the_password_verifies_the_email_and_ends_every_session_and_token()
    {
        var user = await _client.SignupAsync(ApiHelpers.NewEmail("reset"));
        var other = await _client.LoginAsync(user.Email);
        using (await _client.ForgotPasswordAsync(user.Email))
        {
        }

        var token = await mail.TokenAsync(user.Email, "reset-password");
        using var reset = await _client.ResetPasswordAsync(token, NewPassword);
        using var again = await _client.ResetPasswordAsync(token, "yet another passphrase");

        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Equal("Invalid or expired token", await again.DetailAsync());
        using var oldPassword = await _client.PostLoginFormAsync(user.Email, user.Password);
        Assert.Equal(HttpStatusCode.Unauthorized, oldPassword.StatusCode);
        foreach (var accessToken in new[] { user.AccessToken, other.AccessToken })
        {
            using var me = await mail.Factory.CreateClient(accessToken).GetAsync("/api/auth/me");
            Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
        }

        using var refresh = await _client.PostAsJsonAsync("/api/auth/refresh", new { refresh_token = other.RefreshToken });
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
        var fresh = await _client.LoginAsync(user.Email, NewPassword);
        using var profile = await mail.Factory.CreateClient(fresh.AccessToken).GetAsync("/api/auth/me");
        Assert.True((await profile.JsonAsync()).GetProperty("is_verified").GetBoolean());
        Assert.DoesNotContain(mail.Factory.Logs.GetSnapshot(), entry => entry.Message.Contains(token, StringComparison.Ordinal)
            || entry.Message.Contains(NewPassword, StringComparison.Ordinal));
        var audited = await mail.Factory.WithDbAsync(db => db.AuthEvents.Select(e => e.Reason).ToListAsync());
        Assert.DoesNotContain(audited, reason => reason != null && reason.Contains(token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_newer_link_or_a_password_change_voids_the_older_link()
    {
        var user = await _client.SignupAsync(ApiHelpers.NewEmail("reset.void"));
        using (await _client.ForgotPasswordAsync(user.Email))
        {
        }

        var first = await mail.TokenAsync(user.Email, "reset-password");
        using (await _client.ForgotPasswordAsync(user.Email))
        {
        }

        var second = await mail.TokenAsync(user.Email, "reset-password", count: 2);
        using var withFirst = await _client.ResetPasswordAsync(first, NewPassword);
        Assert.Equal(HttpStatusCode.BadRequest, withFirst.StatusCode);

        using var change = await mail.Factory.CreateClient(user.AccessToken).PostAsJsonAsync("/api/auth/change-password",
            new { current_password = user.Password, new_password = "changed by the owner" });
        Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
        using var withSecond = await _client.ResetPasswordAsync(second, NewPassword);
        Assert.Equal(HttpStatusCode.BadRequest, withSecond.StatusCode);
    }

    [Fact]
    public async Task The_link_expires_after_the_configured_minutes()
    {
        var user = await _client.SignupAsync(ApiHelpers.NewEmail("reset.expiry"));
        using (await _client.ForgotPasswordAsync(user.Email))
        {
        }

        var token = await mail.TokenAsync(user.Email, "reset-password");
        mail.Factory.Time.Advance(TimeSpan.FromMinutes(31));
        using var response = await _client.ResetPasswordAsync(token, NewPassword);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await _client.LoginAsync(user.Email, user.Password);
    }

    [Fact]
    public async Task A_weak_new_password_is_422_with_the_reason_and_the_link_still_works()
    {
        var user = await _client.SignupAsync(ApiHelpers.NewEmail("reset.weak"));
        using (await _client.ForgotPasswordAsync(user.Email))
        {
        }

        var token = await mail.TokenAsync(user.Email, "reset-password");
        using var weak = await _client.ResetPasswordAsync(token, "password");
        using var strong = await _client.ResetPasswordAsync(token, NewPassword);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, weak.StatusCode);
        Assert.Equal(PasswordPolicy.Common, (await weak.JsonAsync()).GetProperty("errors").GetProperty("new_password")[0].GetString());
        Assert.Equal(HttpStatusCode.NoContent, strong.StatusCode);
    }

    [Fact]
    public async Task A_disabled_account_gets_no_link_and_its_earlier_link_stops_working()
    {
        var user = await _client.SignupAsync(ApiHelpers.NewEmail("reset.disabled"));
        using (await _client.ForgotPasswordAsync(user.Email))
        {
        }

        var token = await mail.TokenAsync(user.Email, "reset-password");
        using var admin = mail.Factory.CreateClient((await mail.Factory.CreateAdminAsync()).AccessToken);
        var id = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(user.AccessToken).Subject;
        using (await admin.PatchAsJsonAsync($"/api/admin/users/{id}", new { is_active = false }))
        {
        }

        using var forgot = await _client.ForgotPasswordAsync(user.Email);
        using var reset = await _client.ResetPasswordAsync(token, NewPassword);

        Assert.Equal(HttpStatusCode.Accepted, forgot.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, reset.StatusCode);
        await mail.SettleAsync();
        Assert.Equal(2, mail.CountTo(user.Email)); // the signup's verification mail and the first reset link only
    }

    [Fact]
    public async Task A_reset_clears_the_login_backoff_of_the_email()
    {
        var user = await _client.SignupAsync(ApiHelpers.NewEmail("reset.backoff"));
        for (var i = 0; i < 6; i++)
        {
            using (await _client.PostLoginFormAsync(user.Email, "a wrong guess of a password"))
            {
            }
        }

        using var locked = await _client.PostLoginFormAsync(user.Email, user.Password);
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        using (await _client.ForgotPasswordAsync(user.Email))
        {
        }

        using var reset = await _client.ResetPasswordAsync(await mail.TokenAsync(user.Email, "reset-password"), NewPassword);

        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        await _client.LoginAsync(user.Email, NewPassword);
    }

    [Fact]
    public async Task Links_are_built_on_the_configured_base_whatever_the_host_header_says()
    {
        var user = await _client.SignupAsync(ApiHelpers.NewEmail("reset.poison"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/forgot-password") { Content = JsonContent.Create(new { email = user.Email }) };
        request.Headers.Host = "evil.example";
        request.Headers.Add("X-Forwarded-Host", "evil.example");

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await mail.TokenAsync(user.Email, "reset-password"); // matched only under http://localhost/account/
        var received = mail.Smtp.Received.Last(m => m.Message.To.Mailboxes.Any(b => b.Address == user.Email));
        Assert.DoesNotContain("evil.example", received.Raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_resets_with_one_link_at_once_let_exactly_one_through()
    {
        for (var trial = 0; trial < 10; trial++)
        {
            var user = await _client.SignupAsync(ApiHelpers.NewEmail("reset.race"));
            using (await _client.ForgotPasswordAsync(user.Email))
            {
            }

            var token = await mail.TokenAsync(user.Email, "reset-password");
            var start = new TaskCompletionSource();
            var racers = new[] { "first racer's passphrase", "second racer's passphrase" }.Select(async password =>
            {
                await start.Task;
                using var response = await _client.ResetPasswordAsync(token, password);
                return (password, response.StatusCode);
            }).ToList();
            start.SetResult();
            var results = await Task.WhenAll(racers);

            var winner = Assert.Single(results, r => r.StatusCode == HttpStatusCode.NoContent);
            Assert.Single(results, r => r.StatusCode == HttpStatusCode.BadRequest);
            await _client.LoginAsync(user.Email, winner.password);
        }
    }

    [Fact]
    public async Task Forgot_password_takes_as_long_for_an_unknown_email_as_for_a_known_one()
    {
        var known = (await _client.SignupAsync(ApiHelpers.NewEmail("timing"))).Email;
        var knownTimes = new List<double>();
        var unknownTimes = new List<double>();
        for (var i = 0; i < 21; i++)
        {
            knownTimes.Add(await TimeAsync(known));
            unknownTimes.Add(await TimeAsync(ApiHelpers.NewEmail("timing.nobody")));
        }

        // Measured, with a generous bound: the lookup, hashing and mail happen off the request.
        var difference = Math.Abs(Median(knownTimes) - Median(unknownTimes));
        Assert.True(difference < 20, $"median known {Median(knownTimes):F2} ms, unknown {Median(unknownTimes):F2} ms");
    }

    private async Task<double> TimeAsync(string email)
    {
        var clock = Stopwatch.StartNew();
        using var response = await _client.ForgotPasswordAsync(email);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return clock.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}

public sealed class SqlitePasswordResetTests(SqliteMailFixture mail) : PasswordResetTests(mail), IClassFixture<SqliteMailFixture>;

public sealed class PostgresPasswordResetTests(PostgresMailFixture mail) : PasswordResetTests(mail), IClassFixture<PostgresMailFixture>;
